// A small seeded PRNG: the sample data of a tenant is a pure function of its slug, so every process
// (and every test) sees the same records without a database.

/** FNV-1a, 32 bits: turns seed parts into a PRNG seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export class Random {
  private state: number;

  /** Seeded from its parts, e.g. `new Random('acme', 'usage', instanceId, date)`. */
  constructor(...parts: (string | number)[]) {
    this.state = fnv1a(parts.join('\u0000'));
  }

  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** A random-looking identifier such as `ent_4f9k2m0q1z`. */
  id(prefix: string, length = 10): string {
    let s = '';
    for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(this.next() * ALPHABET.length)];
    return `${prefix}_${s}`;
  }
}
