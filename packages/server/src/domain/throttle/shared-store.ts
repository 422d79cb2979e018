import type { ThrottleRule } from './policies.js';
import { activeLock, lockFor, RENEW_KNOWN_MS, type ThrottleStore } from './store.js';
import type { CacheStats } from '../../lib/ttl-cache.js';
import { BoundedMap } from '../../lib/bounded-map.js';
import { TickBatch } from '../../lib/tick-batch.js';

/** A stored throttle entry: a failure count's lock, or a known pair's expiry. */
export interface ThrottleEntry {
  lockedUntil: number;
  expiresAt: number;
}

/**
 * Where shared throttle state lives (a PostgreSQL table, Redis). It only persists: every operation
 * is atomic on its own, so processes counting failures of one key at once never lose one, and the
 * rule that turns a count into a lock is this module's (lockFor).
 */
export interface ThrottleBackend {
  /** The unexpired entries among `keys`. */
  read(keys: string[], now: number): Promise<Map<string, ThrottleEntry>>;
  /**
   * Counts one failure of `key`, atomically. A failure further than `windowMs` from the previous one
   * starts the count afresh and ends any lock. Answers the count and the lock in force (ms, 0: none).
   */
  count(key: string, windowMs: number, now: number): Promise<{ failures: number; lockedUntil: number }>;
  /** Locks `key` until at least `until` (concurrent failures finish in any order: the longest lock stands); answers the lock in force. */
  lock(key: string, until: number): Promise<number>;
  delete(key: string): Promise<void>;
  /** Keeps `key` until `until` (a known pair). */
  keep(key: string, until: number): Promise<void>;
  /** Drops expired entries. */
  sweep(now: number): Promise<void>;
  close(): Promise<void>;
}

// A pair found without failures this recently needs no clearing after a success.
const ABSENT_FOR_MS = 1000;
const MEMO_BYTES = (key: string) => 96 + 8 + 2 * key.length;

/**
 * Throttle state shared by every process. On the hot path (a client or user that authenticates
 * without failing) it costs one read for all the keys one check asks about, and no write: clearing
 * a pair that had no failures and renewing a pair known a moment ago are skipped.
 */
export class SharedThrottleStore implements ThrottleStore {
  /** The keys asked for in one turn of the event loop, by every request in it, are read together. */
  private readonly reads: TickBatch<{ key: string; now: number }, ThrottleEntry | undefined>;
  private readonly absentAt = new BoundedMap<number>(100_000, 16 * 1024 * 1024, MEMO_BYTES);
  private readonly keptAt = new BoundedMap<number>(100_000, 16 * 1024 * 1024, MEMO_BYTES);

  constructor(private readonly backend: ThrottleBackend) {
    const unexpired = (e: ThrottleEntry | undefined, now: number) => (e && e.expiresAt > now ? e : undefined);
    this.reads = new TickBatch({
      one: async ({ key, now }) => (await backend.read([key], now)).get(key),
      many: async (items) => {
        const found = await backend.read(
          items.map((i) => i.key),
          Math.min(...items.map((i) => i.now)),
        );
        return items.map((i) => unexpired(found.get(i.key), i.now));
      },
      max: 256,
    });
  }

  private async entry(key: string, now: number): Promise<ThrottleEntry | undefined> {
    const found = await this.reads.run({ key, now });
    if (found) this.absentAt.delete(key);
    else this.absentAt.set(key, now);
    return found;
  }

  async lockedUntil(key: string, now: number): Promise<number> {
    const e = await this.entry(key, now);
    return activeLock(e?.lockedUntil, now);
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<number> {
    this.absentAt.delete(key);
    const { failures, lockedUntil } = await this.backend.count(key, rule.windowMs, now);
    const lock = lockFor(rule, failures);
    return activeLock(lock === 0 ? lockedUntil : await this.backend.lock(key, now + lock), now);
  }

  async clear(key: string): Promise<void> {
    const absent = this.absentAt.get(key);
    if (absent !== undefined && Date.now() - absent < ABSENT_FOR_MS) return;
    await this.backend.delete(key);
  }

  async remember(key: string, ttlMs: number, now: number): Promise<void> {
    const kept = this.keptAt.get(key);
    if (kept !== undefined && now - kept < RENEW_KNOWN_MS) return;
    await this.backend.keep(key, now + ttlMs);
    this.keptAt.set(key, now);
  }

  async knows(key: string, now: number): Promise<boolean> {
    const e = await this.entry(key, now);
    return e !== undefined && e.expiresAt > now;
  }

  sweep(now: number): Promise<void> {
    return this.backend.sweep(now);
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  stats(): CacheStats {
    return { entries: this.absentAt.size + this.keptAt.size, bytes: this.absentAt.bytes + this.keptAt.bytes };
  }
}
