/**
 * Slows password guessing: after repeated failures for one account, or from one address, further
 * attempts are refused for a while (doubling up to 15 minutes). Kept per process in memory.
 */
interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly accounts = new Map<string, Entry>();
  private readonly ips = new Map<string, Entry>();

  constructor(
    private readonly accountLimit = 5,
    private readonly ipLimit = 20,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Seconds to wait before another attempt is allowed; 0 when allowed now. */
  retryAfter(account: string, ip: string, now = Date.now()): number {
    const until = Math.max(this.accounts.get(account)?.lockedUntil ?? 0, this.ips.get(ip)?.lockedUntil ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  fail(account: string, ip: string, now = Date.now()): void {
    this.bump(this.accounts, account, this.accountLimit, now);
    this.bump(this.ips, ip, this.ipLimit, now);
  }

  succeed(account: string): void {
    this.accounts.delete(account);
  }

  private bump(map: Map<string, Entry>, key: string, limit: number, now: number): void {
    let e = map.get(key);
    if (!e || now - e.lastFailure > this.windowMs) e = { failures: 0, lockedUntil: 0, lastFailure: now };
    e.failures += 1;
    e.lastFailure = now;
    if (e.failures >= limit) {
      const lockMs = Math.min(15 * 60_000, 30_000 * 2 ** (e.failures - limit));
      e.lockedUntil = now + lockMs;
    }
    if (map.size > 100_000) map.clear();
    map.set(key, e);
  }
}
