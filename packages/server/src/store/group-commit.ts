import type { Store } from './index.js';

type Op<T> = (tx: Store) => Promise<T>;
interface Pending { op: Op<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }

/**
 * Group commit: small transactions that arrive together (refresh-token rotations under load) run
 * in one database transaction, so their commits, the expensive part on SQLite, are paid once.
 * Each operation still sees the others' writes in order, so conditional updates keep deciding
 * races exactly. If the group's transaction fails (one operation throws, a deadlock with another
 * process), it rolls back and each operation runs again alone in its own transaction, so only the
 * operation at fault fails and no caller is told of a write that was rolled back.
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
      if (batch.length === 1) return batch[0].reject(err);
      for (const p of batch) {
        await this.store.transaction(p.op).then(p.resolve, p.reject);
      }
    }
  }
}
