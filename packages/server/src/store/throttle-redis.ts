import { Redis } from 'ioredis';
import type { ThrottleBackend, ThrottleEntry } from '../domain/throttle/shared-store.js';
import type { ThrottleRule } from '../domain/throttle/policies.js';
import { activeLock } from '../domain/throttle/store.js';

const PREFIX = 'latchkey:throttle:';

// One failure, atomically: the count restarts when the previous failure is older than the window;
// at the limit the lock doubles per further failure up to the cap (as lockFor in domain/throttle).
const FAIL = `
local now, window, limit, lockMs, maxLock = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local v = redis.call('HMGET', KEYS[1], 'count', 'last', 'locked')
local count, last, locked = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
if now - last > window then count = 0; locked = 0 end
count = count + 1
if count >= limit then locked = now + math.min(maxLock, lockMs * 2 ^ math.min(30, count - limit)) end
local expires = math.max(now + window, locked)
redis.call('HSET', KEYS[1], 'count', count, 'last', now, 'locked', locked, 'expires', expires)
redis.call('PEXPIREAT', KEYS[1], expires)
return locked
`;

/** Throttle entries in Redis (REDIS_URL): a hash per key that expires by itself. */
export class RedisThrottleBackend implements ThrottleBackend {
  private readonly redis: Redis;

  constructor(url: string, onError: (err: Error) => void = () => {}) {
    // Commands of one tick go out as one pipeline; failing fast beats queueing behind a dead server.
    this.redis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 1, lazyConnect: false });
    this.redis.on('error', onError);
    this.redis.defineCommand('latchkeyThrottleFail', { numberOfKeys: 1, lua: FAIL });
  }

  async read(keys: string[], now: number): Promise<Map<string, ThrottleEntry>> {
    const unique = [...new Set(keys)];
    const values = await Promise.all(unique.map((k) => this.redis.hmget(PREFIX + k, 'locked', 'expires')));
    const out = new Map<string, ThrottleEntry>();
    unique.forEach((k, i) => {
      const [locked, expires] = values[i];
      if (expires !== null && Number(expires) > now) out.set(k, { lockedUntil: Number(locked ?? 0), expiresAt: Number(expires) });
    });
    return out;
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<number> {
    const locked = await (this.redis as unknown as { latchkeyThrottleFail(...a: (string | number)[]): Promise<number> })
      .latchkeyThrottleFail(PREFIX + key, now, rule.windowMs, rule.limit, rule.lockMs, rule.maxLockMs);
    return activeLock(Number(locked), now);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(PREFIX + key);
  }

  async keep(key: string, until: number): Promise<void> {
    await this.redis.multi().hset(PREFIX + key, 'expires', until).pexpireat(PREFIX + key, until).exec();
  }

  /** Redis expires keys by itself. */
  async sweep(): Promise<void> {}

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
