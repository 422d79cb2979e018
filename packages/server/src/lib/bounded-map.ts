/** Per-entry bookkeeping of a Map entry and its wrapper object, roughly, in bytes. */
const ENTRY_OVERHEAD = 96;

/**
 * Rough memory of an entry: strings count two bytes a character (V8 may use one), values by their
 * JSON form. An estimate to bound caches by, not an exact measure.
 */
export function approxBytes(key: string, value: unknown): number {
  const json = value === undefined ? '' : (JSON.stringify(value) ?? '');
  return ENTRY_OVERHEAD + 2 * (key.length + json.length);
}

/**
 * A Map bounded both in entries and in (estimated) bytes: past either bound the oldest entries
 * leave first. Evicting one at a time, rather than clearing everything at the cap, means a flood
 * of new keys cannot wipe what the others hold. A value bigger than the whole budget is not kept.
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly sizeOf: (key: string, value: V) => number = approxBytes,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.total;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Stores `value` as the newest entry. */
  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(key, value);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.total += bytes;
    while (this.map.size > this.maxEntries || this.total > this.maxBytes) this.delete(this.map.keys().next().value!);
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (!e) return false;
    this.map.delete(key);
    this.total -= e.bytes;
    return true;
  }

  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
