import { Redis } from 'ioredis';
import type { ThrottleBackend, ThrottleEntry } from '../domain/throttle/shared-store.js';

const PREFIX = 'latchkey:throttle:';

// One failure, atomically: the count restarts (and any lock ends) when the previous failure is
// older than the window. The lock it earns is the domain's decision (domain/throttle), set by LOCK.
const COUNT = `
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'count', 'last', 'locked')
local count, last, locked = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
if now - last > window then count = 0; locked = 0 end
count = count + 1
local expires = math.max(now + window, locked)
redis.call('HSET', KEYS[1], 'count', count, 'last', now, 'locked', locked, 'expires', expires)
redis.call('PEXPIREAT', KEYS[1], expires)
return {count, locked}
`;

// The longest lock stands; the entry lives at least as long as its lock.
const LOCK = `
local untilMs = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'locked', 'expires')
local locked, expires = math.max(tonumber(v[1]) or 0, untilMs), tonumber(v[2]) or 0
expires = math.max(expires, locked)
redis.call('HSET', KEYS[1], 'locked', locked, 'expires', expires)
redis.call('PEXPIREAT', KEYS[1], expires)
return locked
`;

type Scripts = {
  latchkeyThrottleCount(key: string, now: number, windowMs: number): Promise<[number, number]>;
  latchkeyThrottleLock(key: string, until: number): Promise<number>;
};

/** Throttle entries in Redis (REDIS_URL): a hash per key that expires by itself. */
export class RedisThrottleBackend implements ThrottleBackend {
  private readonly redis: Redis;

  constructor(url: string, onError: (err: Error) => void = () => {}) {
    // Commands of one tick go out as one pipeline; failing fast beats queueing behind a dead server.
    this.redis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', onError);
    this.redis.defineCommand('latchkeyThrottleCount', { numberOfKeys: 1, lua: COUNT });
    this.redis.defineCommand('latchkeyThrottleLock', { numberOfKeys: 1, lua: LOCK });
  }

  async read(keys: string[], now: number): Promise<Map<string, ThrottleEntry>> {
    const unique = [...new Set(keys)];
    const values = await Promise.all(unique.map((k) => this.redis.hmget(PREFIX + k, 'locked', 'expires')));
    const out = new Map<string, ThrottleEntry>();
    unique.forEach((k, i) => {
      const [locked, expires] = values[i];
      if (expires !== null && Number(expires) > now)
        out.set(k, { lockedUntil: Number(locked ?? 0), expiresAt: Number(expires) });
    });
    return out;
  }

  async count(key: string, windowMs: number, now: number): Promise<{ failures: number; lockedUntil: number }> {
    const [failures, lockedUntil] = await (this.redis as unknown as Scripts).latchkeyThrottleCount(
      PREFIX + key,
      now,
      windowMs,
    );
    return { failures: Number(failures), lockedUntil: Number(lockedUntil) };
  }

  async lock(key: string, until: number): Promise<number> {
    return Number(await (this.redis as unknown as Scripts).latchkeyThrottleLock(PREFIX + key, until));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(PREFIX + key);
  }

  async keep(key: string, until: number): Promise<void> {
    await this.redis
      .multi()
      .hset(PREFIX + key, 'expires', until)
      .pexpireat(PREFIX + key, until)
      .exec();
  }

  /** Redis expires keys by itself. */
  async sweep(): Promise<void> {}

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
