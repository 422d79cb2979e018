import type { ThrottleRule } from './policies.js';
import { activeLock, type ThrottleStore } from './store.js';
import type { Announcement, Change, ChangeListener } from '../changes.js';
import type { CacheStats } from '../../lib/ttl-cache.js';
import { BoundedMap } from '../../lib/bounded-map.js';

/** What the view needs of the change feed. */
export interface LockFeed {
  /** Whether every change committed by another process reaches this one now. */
  readonly connected: boolean;
  subscribe(listener: ChangeListener): () => void;
}

const MAX_LOCKS = 10_000;
const BYTES_PER_LOCK = 96 + 8;
// After more locks than it holds (an attack spraying addresses), the view asks the store for a while.
const OVERFLOW_RETRY_MS = 60_000;

/**
 * The locks of a shared throttle store, known in memory, so that checking a credential asks the
 * database nothing: used for client secrets, checked on every token request. Failures are still
 * counted in the shared store, exactly, by every process; a failure that locks a key is announced
 * (`throttle.locked`) and every process adds the lock here, so the others refuse the key within
 * the notification delay (milliseconds; the lock itself holds for 30 s or more). Client secrets
 * are 256-bit random: that delay gives an attacker nothing. Passwords are checked against the
 * store itself, exactly.
 *
 * The view answers only while it is complete: loaded from the store after the notification
 * connection was up, and not overflowing. Otherwise (starting, connection lost, reloading after a
 * reconnect, more locks than it holds) every check reads the store, as without the view.
 */
export class LockViewThrottleStore implements ThrottleStore {
  private readonly held = new Map<string, number>();
  /** Keys whose failures this process counted: the only ones a success must clear while answering. */
  private readonly failedHere = new BoundedMap<number>(MAX_LOCKS, MAX_LOCKS * 256);
  private complete = false;
  private loading?: object;
  private retryAt = 0;

  constructor(
    /** Its locks are listed with `locks`: without it, the view never completes and every check reads it. */
    private readonly inner: ThrottleStore,
    private readonly feed: LockFeed,
    private readonly announce: (change: Change) => Promise<void>,
    private readonly maxLocks = MAX_LOCKS,
  ) {
    feed.subscribe((change) => this.onChange(change));
  }

  private onChange(change: Announcement): void {
    if (change.type === 'throttle.locked') this.add(change.key, change.until, Date.now());
    else if (change.type === 'changes.missed') this.forget();
  }

  private forget(): void {
    this.complete = false;
    this.loading = undefined;
  }

  private add(key: string, until: number, now: number): void {
    if ((this.held.get(key) ?? 0) >= until) return;
    if (!this.held.has(key) && this.held.size >= this.maxLocks) {
      for (const [k, u] of this.held) if (u <= now) this.held.delete(k);
      if (this.held.size >= this.maxLocks) {
        this.forget();
        this.retryAt = now + OVERFLOW_RETRY_MS;
        return;
      }
    }
    this.held.set(key, until);
  }

  /** Loads every current lock; announcements arriving meanwhile are kept (they are newer). */
  private load(now: number): void {
    if (this.loading || !this.inner.locks || !this.feed.connected || now < this.retryAt) return;
    const attempt = (this.loading = {});
    this.inner.locks(now, this.maxLocks).then(
      (found) => {
        if (this.loading !== attempt) return;
        this.loading = undefined;
        if (found === null) {
          this.retryAt = Date.now() + OVERFLOW_RETRY_MS;
          return;
        }
        for (const [key, until] of found) this.add(key, until, now);
        // An overflow while adding (see add) leaves the view incomplete.
        if (Date.now() >= this.retryAt) this.complete = true;
      },
      () => {
        if (this.loading === attempt) this.loading = undefined;
      },
    );
  }

  async lockedUntil(key: string, now: number): Promise<number> {
    return this.lockedUntilNow(key, now) ?? this.inner.lockedUntil(key, now);
  }

  lockedUntilNow(key: string, now: number): number | undefined {
    if (!this.feed.connected) this.forget();
    if (!this.complete) {
      this.load(now);
      return undefined;
    }
    return activeLock(this.held.get(key), now);
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<number> {
    this.failedHere.set(key, now);
    const until = await this.inner.fail(key, rule, now);
    if (until > now) {
      this.add(key, until, now);
      await this.announce({ type: 'throttle.locked', key, until });
    }
    return until;
  }

  /**
   * A success forgets the failures of its (client, address) pair. While answering from memory, only
   * those counted here are cleared (no write on the hot path); failures counted by another process
   * stay until their window ends, which cannot lock the client out: the success made the pair known,
   * and a known pair is never locked (CLIENT_THROTTLE.knownSkipsPair).
   */
  async clear(key: string): Promise<void> {
    if (this.answering && this.failedHere.get(key) === undefined) return;
    this.failedHere.delete(key);
    await this.inner.clear(key);
  }

  remember(key: string, ttlMs: number, now: number): Promise<void> {
    return this.inner.remember(key, ttlMs, now);
  }

  knows(key: string, now: number): Promise<boolean> {
    return this.inner.knows(key, now);
  }

  /** Whether checks are answered from memory now (for tests and metrics). */
  get answering(): boolean {
    return this.complete && this.feed.connected;
  }

  stats(): CacheStats {
    const own = {
      entries: this.held.size + this.failedHere.size,
      bytes: this.held.size * BYTES_PER_LOCK + this.failedHere.bytes,
    };
    const inner = this.inner.stats();
    return { entries: own.entries + inner.entries, bytes: own.bytes + inner.bytes };
  }
}
