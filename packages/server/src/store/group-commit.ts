import type { Store } from './index.js';
import { TickBatch } from '../lib/tick-batch.js';

type Op<T> = (tx: Store) => Promise<T>;

/**
 * Group commit: small transactions that arrive together (refresh-token rotations under load) run
 * in one database transaction, so their commits, the expensive part on SQLite, are paid once.
 * Each operation still sees the others' writes in order, so conditional updates keep deciding
 * races exactly. If the group's transaction fails (one operation throws, a deadlock with another
 * process), it rolls back and each operation runs again alone in its own transaction (TickBatch),
 * so only the operation at fault fails and no caller is told of a write that was rolled back.
 */
export class GroupCommit {
  private readonly batch: TickBatch<Op<unknown>, unknown>;

  constructor(store: Store, maxBatch = 64) {
    this.batch = new TickBatch({
      many: (ops) =>
        store.transaction(async (tx) => {
          const out: unknown[] = [];
          for (const op of ops) out.push(await op(tx));
          return out;
        }),
      one: (op) => store.transaction(op),
      max: maxBatch,
    });
  }

  run<T>(op: Op<T>): Promise<T> {
    return this.batch.run(op) as Promise<T>;
  }
}
