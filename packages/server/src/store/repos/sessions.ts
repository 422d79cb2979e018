import type { Db } from '../db.js';

export interface SessionRecord {
  idHash: string;
  tenantId: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export class SessionRepo {
  constructor(private readonly db: Db) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values({
      id_hash: s.idHash,
      tenant_id: s.tenantId,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
    }).execute();
  }

  async byHash(idHash: string, now: number): Promise<SessionRecord | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll()
      .where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
    return r && {
      idHash: r.id_hash, tenantId: r.tenant_id, userId: r.user_id, csrfToken: r.csrf_token,
      createdAt: r.created_at, expiresAt: r.expires_at,
    };
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
}
