interface Pending<I, O> {
  item: I;
  resolve: (v: O) => void;
  reject: (e: unknown) => void;
}

export interface TickBatchOptions<I, O> {
  /** Answers several items at once (one database round trip), in their order. */
  many(items: I[]): Promise<O[]>;
  /** Answers one item: a batch of one, and each item again when `many` failed. */
  one(item: I): Promise<O>;
  /** Items with the same key never share a batch: the later one goes in the next. */
  key?(item: I): string;
  max?: number;
}

/**
 * Calls made in the same turn of the event loop are answered together, so under load N requests
 * cost one round trip instead of N (the same idea as group commit, for single statements). If the
 * batch fails (a deadlock with another process, one item at fault), every item runs again alone,
 * in order, so only the item at fault fails and nobody is told of a result that was not written.
 */
export class TickBatch<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private readonly max: number;

  constructor(private readonly opts: TickBatchOptions<I, O>) {
    this.max = opts.max ?? 64;
  }

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch: Pending<I, O>[] = [];
    const rest: Pending<I, O>[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      const k = this.opts.key?.(p.item);
      if (batch.length >= this.max || (k !== undefined && keys.has(k))) {
        rest.push(p);
        continue;
      }
      if (k !== undefined) keys.add(k);
      batch.push(p);
    }
    this.queue = rest;
    this.scheduled = rest.length > 0;
    if (this.scheduled) setImmediate(() => void this.flush());
    if (batch.length === 1) return void this.opts.one(batch[0].item).then(batch[0].resolve, batch[0].reject);
    let results: O[];
    try {
      results = await this.opts.many(batch.map((p) => p.item));
    } catch {
      // One after the other, in the order they came: calls about the same thing decide as they would have.
      for (const p of batch) await this.opts.one(p.item).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }
}
