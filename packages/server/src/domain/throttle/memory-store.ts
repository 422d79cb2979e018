import { activeLock, lockFor, RENEW_KNOWN_MS, type ThrottleStore } from './store.js';
import type { ThrottleRule } from './policies.js';
import { BoundedMap } from '../../lib/bounded-map.js';
import type { CacheStats } from '../../lib/ttl-cache.js';

interface Failures {
  count: number;
  last: number;
  windowMs: number;
  lockedUntil: number;
}

// Both values are a few numbers: counted at a fixed size instead of serialising each one.
const VALUE_BYTES = 64;
const ENTRY_OVERHEAD = 96;
const sizeOf = (key: string) => ENTRY_OVERHEAD + VALUE_BYTES + 2 * key.length;

/**
 * Throttle state of one process. Failures and known pairs are kept apart, so a flood of failures
 * evicts only other failures, never the pairs that let owners in. Each is bounded in entries and
 * bytes; the least recently touched entries leave first.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly failures: BoundedMap<Failures>;
  private readonly known: BoundedMap<number>;

  constructor(maxEntries = 100_000, maxBytes = 16 * 1024 * 1024) {
    this.failures = new BoundedMap(maxEntries, maxBytes, sizeOf);
    this.known = new BoundedMap(maxEntries, maxBytes, sizeOf);
  }

  async lockedUntil(key: string, now: number): Promise<number> {
    return activeLock(this.failures.get(key)?.lockedUntil, now);
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<number> {
    let f = this.failures.get(key);
    if (!f || now - f.last > f.windowMs) f = { count: 0, last: now, windowMs: rule.windowMs, lockedUntil: 0 };
    f.count += 1;
    f.last = now;
    const lock = lockFor(rule, f.count);
    if (lock > 0) f.lockedUntil = now + lock;
    this.failures.set(key, f);
    return activeLock(f.lockedUntil, now);
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }

  async remember(key: string, ttlMs: number, now: number): Promise<void> {
    const until = this.known.get(key);
    if (until === undefined || now - (until - ttlMs) >= RENEW_KNOWN_MS) this.known.set(key, now + ttlMs);
  }

  async knows(key: string, now: number): Promise<boolean> {
    const until = this.known.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.known.delete(key);
    return false;
  }

  stats(): CacheStats {
    return { entries: this.failures.size + this.known.size, bytes: this.failures.bytes + this.known.bytes };
  }
}
