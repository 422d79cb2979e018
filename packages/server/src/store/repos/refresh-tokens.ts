import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { RefreshTokensTable } from '../schema.js';
import type { RefreshTokenRecord } from '../../domain/tokens/model.js';

const toRecord = (r: Selectable<RefreshTokensTable>): RefreshTokenRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  tokenHash: r.token_hash,
  familyId: r.family_id,
  clientId: r.client_id,
  userId: r.user_id,
  scope: r.scope,
  secretVersion: r.secret_version,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  rotatedAt: r.rotated_at,
  revokedAt: r.revoked_at,
});

export class RefreshTokenRepo {
  constructor(private readonly db: Db) {}

  async insert(t: RefreshTokenRecord): Promise<void> {
    await this.db.insertInto('refresh_tokens').values({
      id: t.id,
      tenant_id: t.tenantId,
      token_hash: t.tokenHash,
      family_id: t.familyId,
      client_id: t.clientId,
      user_id: t.userId,
      scope: t.scope,
      secret_version: t.secretVersion,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
      rotated_at: t.rotatedAt,
      revoked_at: t.revokedAt,
    }).execute();
  }

  async byHash(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const r = await this.db.selectFrom('refresh_tokens').selectAll()
      .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && toRecord(r);
  }

  /**
   * Marks a live token as rotated. The conditional UPDATE is the arbiter between concurrent
   * refreshes: exactly one caller sees `true`, on SQLite and PostgreSQL alike.
   */
  async markRotated(id: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('refresh_tokens').set({ rotated_at: at })
      .where('id', '=', id).where('rotated_at', 'is', null).where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeFamily(tenantId: string, familyId: string, at: number): Promise<number> {
    const r = await this.db.updateTable('refresh_tokens').set({ revoked_at: at })
      .where('tenant_id', '=', tenantId).where('family_id', '=', familyId).where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async revokeForClient(tenantId: string, clientId: string, at: number): Promise<number> {
    const r = await this.db.updateTable('refresh_tokens').set({ revoked_at: at })
      .where('tenant_id', '=', tenantId).where('client_id', '=', clientId).where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
