import type { Store } from './index.js';

type Op<T> = (tx: Store) => Promise<T>;
interface Pending { op: Op<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }

/**
 * Group commit: small transactions that arrive together (refresh-token rotations under load) run
 * in one database transaction, so their commits, the expensive part on SQLite, are paid once.
 * Each operation still sees the others' writes in order, so conditional updates keep deciding
 * races exactly. If any operation throws, the whole group rolls back and every caller gets the
 * error (none of them was told it succeeded).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly store: Store, private readonly maxBatch = 64) {}

  run<T>(op: Op<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(() => void this.flush());
    try {
      const results = await this.store.transaction(async (tx) => {
        const out: unknown[] = [];
        for (const p of batch) out.push(await p.op(tx));
        return out;
      });
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
