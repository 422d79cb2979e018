import type { Db } from '../db.js';
import type { SessionRecord, SessionRecords } from '../../domain/sessions/ports.js';

export class SessionRepo implements SessionRecords {
  constructor(private readonly db: Db) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: s.idHash,
        tenant_id: s.tenantId,
        user_id: s.userId,
        csrf_token: s.csrfToken,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        method: s.method ?? 'password',
        idp_id: s.idpId ?? null,
        id_token_sealed: s.idTokenSealed ?? null,
      })
      .execute();
  }

  async byHash(idHash: string, now: number): Promise<SessionRecord | undefined> {
    const r = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return (
      r && {
        idHash: r.id_hash,
        tenantId: r.tenant_id,
        userId: r.user_id,
        csrfToken: r.csrf_token,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        method: r.method as 'password' | 'sso',
        idpId: r.idp_id,
        idTokenSealed: r.id_token_sealed,
      }
    );
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** Ends the sessions started through this identity provider; answers how many. */
  async deleteForIdentityProvider(tenantId: string, idpId: string): Promise<number> {
    const r = await this.db
      .deleteFrom('sessions')
      .where('tenant_id', '=', tenantId)
      .where('idp_id', '=', idpId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Ends the tenant's password sessions except those of `keep` (user ids); answers how many. */
  async deletePasswordSessions(tenantId: string, keep: string[]): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('method', '=', 'password');
    if (keep.length > 0) q = q.where('user_id', 'not in', keep);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }
}
