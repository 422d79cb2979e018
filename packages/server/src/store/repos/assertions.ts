import type { ReplayRecords } from '../../domain/tokens/ports.js';
import type { Db } from '../db.js';

/**
 * Single-use JWT ids (RFC 7523 assertions, private_key_jwt) and revoked access-token ids. A revoked
 * id is an access token's `jti`, or a grant id: the refresh-token family id that every access token
 * of that grant carries as `sid` (a UUID, like a jti), or `secret:…` for an application's secret.
 */
export class ReplayRepo implements ReplayRecords {
  constructor(private readonly db: Db) {}

  /** Records a jti; false when it was already used (the primary key refuses the second insert). */
  async useAssertion(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    const r = await this.db
      .insertInto('used_assertions')
      .values({ client_id: clientId, jti, expires_at: expiresAt })
      .onConflict((oc) => oc.doNothing())
      .returning('jti')
      .executeTakeFirst();
    return r !== undefined;
  }

  async revokeAccessToken(tenantId: string, jti: string, expiresAt: number, revokedAt = Date.now()): Promise<void> {
    await this.db
      .insertInto('revoked_access_tokens')
      .values({ jti, tenant_id: tenantId, expires_at: expiresAt, revoked_at: revokedAt })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Revoked access tokens that have not expired yet, revoked at or after `since` (epoch ms). */
  async revokedSince(since: number, now: number): Promise<{ jti: string; expiresAt: number }[]> {
    const rows = await this.db
      .selectFrom('revoked_access_tokens')
      .select(['jti', 'expires_at'])
      .where('revoked_at', '>=', since)
      .where('expires_at', '>', now)
      .execute();
    return rows.map((r) => ({ jti: r.jti, expiresAt: r.expires_at }));
  }

  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('used_assertions').where('expires_at', '<', now).execute();
    await this.db.deleteFrom('revoked_access_tokens').where('expires_at', '<', now).execute();
  }
}
