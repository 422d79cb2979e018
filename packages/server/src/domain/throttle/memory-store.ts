import { lockFor, type ThrottleStore } from './store.js';
import type { ThrottleRule } from './policies.js';

interface Failures {
  count: number;
  last: number;
  windowMs: number;
  lockedUntil: number;
}

/**
 * Throttle state of one process. Failures and known pairs are kept apart, so a flood of failures
 * evicts only other failures, never the pairs that let owners in. Both are bounded; the least
 * recently touched entries leave first.
 */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly failures = new Map<string, Failures>();
  private readonly known = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  async lockedUntil(key: string, now: number): Promise<number> {
    const f = this.failures.get(key);
    return f && f.lockedUntil > now ? f.lockedUntil : 0;
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<void> {
    let f = this.failures.get(key);
    if (!f || now - f.last > f.windowMs) f = { count: 0, last: now, windowMs: rule.windowMs, lockedUntil: 0 };
    f.count += 1;
    f.last = now;
    const lock = lockFor(rule, f.count);
    if (lock > 0) f.lockedUntil = now + lock;
    put(this.failures, key, f, this.maxEntries);
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }

  async remember(key: string, ttlMs: number, now: number): Promise<void> {
    put(this.known, key, now + ttlMs, this.maxEntries);
  }

  async knows(key: string, now: number): Promise<boolean> {
    const until = this.known.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.known.delete(key);
    return false;
  }
}

/** Re-inserts `key` as the newest entry and evicts the oldest beyond `max`. */
function put<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}
