import { BoundedMap } from './bounded-map.js';

export interface CacheStats {
  entries: number;
  /** Estimated (see BoundedMap). */
  bytes: number;
}

export interface ReadThroughStats extends CacheStats {
  /** Reads answered from memory, and reads that went to the store, since the process started. */
  hits: number;
  misses: number;
}

/**
 * A read-through cache whose entries expire after `ttlMs`. The store is the truth: announced
 * changes call `delete`, and the TTL is the backstop for a change whose announcement was lost.
 * A load that was under way when an entry was deleted is not kept (it may have read the row
 * before the change committed). Misses (undefined) are cached too,
 * so unknown ids cannot hammer the store. Bounded in entries and in bytes (oldest leave first);
 * callers refuse over-long keys before they get here (domain/limits.ts).
 */
export class TtlCache<V> {
  private readonly entries: BoundedMap<{ value: V; at: number }>;
  /** Bumped by every delete: a load that saw another generation when it started is stale. */
  private generation = 0;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly ttlMs = 2000,
    maxEntries = 100_000,
    maxBytes = 64 * 1024 * 1024,
  ) {
    this.entries = new BoundedMap(maxEntries, maxBytes);
  }

  async get(key: string): Promise<V> {
    const hit = this.peek(key);
    if (hit) return hit.value;
    this.misses++;
    const now = Date.now();
    const started = this.generation;
    const value = await this.load(key);
    if (started === this.generation) this.entries.set(key, { value, at: now });
    return value;
  }

  /**
   * The entry held for `key` while it is fresh, without waiting: the caller answers a hit in the same
   * turn of the event loop and calls `get` only on a miss. A cached miss is `{ value: undefined }`.
   */
  peek(key: string): { value: V } | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined || Date.now() - hit.at >= this.ttlMs) return undefined;
    this.hits++;
    return hit;
  }

  delete(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    this.generation++;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  stats(): ReadThroughStats {
    return { entries: this.entries.size, bytes: this.entries.bytes, hits: this.hits, misses: this.misses };
  }
}
