import { BoundedMap } from './bounded-map.js';

export interface CacheStats {
  entries: number;
  /** Estimated (see BoundedMap). */
  bytes: number;
}

/**
 * A read-through cache whose entries expire after `ttlMs`. The store is the truth: local writes
 * call `delete`, other processes' writes show within the TTL. Misses (undefined) are cached too,
 * so unknown ids cannot hammer the store. Bounded in entries and in bytes (oldest leave first);
 * callers refuse over-long keys before they get here (domain/limits.ts).
 */
export class TtlCache<V> {
  private readonly entries: BoundedMap<{ value: V; at: number }>;

  constructor(
    private readonly load: (key: string) => Promise<V>,
    private readonly ttlMs = 2000,
    maxEntries = 100_000,
    maxBytes = 64 * 1024 * 1024,
  ) {
    this.entries = new BoundedMap(maxEntries, maxBytes);
  }

  async get(key: string): Promise<V> {
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = await this.load(key);
    this.entries.set(key, { value, at: now });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose key starts with `prefix`. */
  deletePrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.entries.bytes };
  }
}
