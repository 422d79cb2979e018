import type { ThrottleRule } from './policies.js';
import type { CacheStats } from '../../lib/ttl-cache.js';

/**
 * Where throttle state lives: in memory per process (memory-store.ts) on the embedded SQLite
 * default, shared by every process otherwise (shared-store.ts: a PostgreSQL table, or Redis). Each
 * operation is one key, so the policy that uses it is the same everywhere.
 */
export interface ThrottleStore {
  /** Until when `key` is locked, in ms since the epoch; 0 when it is not. */
  lockedUntil(key: string, now: number): Promise<number>;
  /** Counts a failure for `key` under `rule`, locking it once the limit is reached; until when it is locked now (0: not). */
  fail(key: string, rule: ThrottleRule, now: number): Promise<number>;
  /** Forgets the failures counted for `key`. */
  clear(key: string): Promise<void>;
  /** Marks `key` as known for `ttlMs`. */
  remember(key: string, ttlMs: number, now: number): Promise<void>;
  /** Whether `key` is known (remembered and not yet expired). */
  knows(key: string, now: number): Promise<boolean>;
  /** What this process holds in memory for the store. */
  stats(): CacheStats;
  /** Drops expired entries (a shared store; memory evicts by itself). */
  sweep?(now: number): Promise<void>;
  close?(): Promise<void>;
}

/** A known pair is kept for weeks; renewing it once an hour per process is plenty (no write per success). */
export const RENEW_KNOWN_MS = 3600_000;

/** A lock's end as the store answers it: `until` while it is still ahead of `now`, otherwise 0 (not locked). */
export const activeLock = (until: number | undefined, now: number): number =>
  until !== undefined && until > now ? until : 0;

/** The lock earned by the failure just counted: `failures` so far under `rule`. */
export function lockFor(rule: ThrottleRule, failures: number): number {
  if (failures < rule.limit) return 0;
  return Math.min(rule.maxLockMs, rule.lockMs * 2 ** Math.min(30, failures - rule.limit));
}
