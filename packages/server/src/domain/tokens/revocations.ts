import type { UnitOfWork } from '../ports.js';
import type { Announcement } from '../changes.js';

// Rows are read back with this much overlap, so a revocation whose transaction committed after a
// look that started later than its timestamp (or written by a host whose clock runs behind) is
// still seen on the next look.
const OVERLAP_MS = 60_000;

/**
 * The ids of revoked, unexpired access tokens and of ended grants (see grants.ts), held in memory
 * so that checking a token (every introspection, every bearer call to the API) costs no query.
 * Announced revocations (this process's at commit, other processes' through notifications) count
 * at once; as a backstop the rows added since the previous look are read back at most `syncMs`
 * later, with one query. A failed look fails the check (never "not revoked"). Where every
 * revocation is announced (PostgreSQL with its change listener up; SQLite, one process) the server
 * stretches the backstop (`setBackstop`), and shortens it again while the listener is down.
 */
export class RevokedAccessTokens {
  private readonly expiresAt = new Map<string, number>();
  private lookedAt = -Infinity;
  private since = 0;
  private looking?: Promise<void>;

  constructor(
    private readonly store: UnitOfWork,
    private syncMs = 1000,
  ) {}

  /** How long a check may go without reading the store back. */
  setBackstop(ms: number): void {
    this.syncMs = ms;
  }

  async has(jti: string): Promise<boolean> {
    if (Date.now() - this.lookedAt >= this.syncMs) await this.sync();
    const exp = this.expiresAt.get(jti);
    return exp !== undefined && exp > Date.now();
  }

  /** Whether an access token is revoked, by its own id or by its grant's (`sid`). */
  async revoked(claims: { jti: string; sid?: string }): Promise<boolean> {
    return (await this.has(claims.jti)) || (claims.sid !== undefined && (await this.has(claims.sid)));
  }

  onChange(change: Announcement): void {
    if (change.type === 'token.revoked') this.remember(change.jti, change.expiresAt);
    else if (change.type === 'grant.ended') for (const id of change.ids) this.remember(id, change.until);
    // Announcements were lost: the next check reads back what was stored meanwhile.
    else if (change.type === 'changes.missed') this.lookedAt = -Infinity;
  }

  /** Counts a revocation whose transaction has committed. */
  remember(jti: string, expiresAt: number): void {
    this.expiresAt.set(jti, expiresAt);
  }

  /** Reads the revocations stored since the last look (shared by concurrent callers). */
  sync(): Promise<void> {
    this.looking ??= this.look().finally(() => {
      this.looking = undefined;
    });
    return this.looking;
  }

  private async look(): Promise<void> {
    const started = Date.now();
    const rows = await this.store.replay.revokedSince(this.since, started);
    for (const r of rows) this.expiresAt.set(r.jti, r.expiresAt);
    for (const [jti, exp] of this.expiresAt) if (exp <= started) this.expiresAt.delete(jti);
    this.since = Math.max(0, started - OVERLAP_MS);
    this.lookedAt = started;
  }
}
