import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { RefreshTokensTable } from '../schema.js';
import type { RefreshTokenRecord } from '../../domain/tokens/model.js';
import { prepared } from '../prepared.js';

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

// The queries of every rotation, compiled once (see prepared.ts).
const insertToken = prepared(12, (db, ...v: unknown[]) => db.insertInto('refresh_tokens').values({
  id: v[0] as string, tenant_id: v[1] as string, token_hash: v[2] as string, family_id: v[3] as string,
  client_id: v[4] as string, user_id: v[5] as string | null, scope: v[6] as string, secret_version: v[7] as number,
  created_at: v[8] as number, expires_at: v[9] as number, rotated_at: v[10] as number | null, revoked_at: v[11] as number | null,
}));
const tokenByHash = prepared(2, (db, tenantId: string, tokenHash: string) => db.selectFrom('refresh_tokens').selectAll()
  .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash));
const markLiveTokenRotated = prepared(2, (db, id: string, at: number) => db.updateTable('refresh_tokens').set({ rotated_at: at })
  .where('id', '=', id).where('rotated_at', 'is', null).where('revoked_at', 'is', null));

export class RefreshTokenRepo {
  constructor(private readonly db: Db) {}

  async insert(t: RefreshTokenRecord): Promise<void> {
    await insertToken(this.db, t.id, t.tenantId, t.tokenHash, t.familyId, t.clientId, t.userId, t.scope, t.secretVersion,
      t.createdAt, t.expiresAt, t.rotatedAt, t.revokedAt);
  }

  async byHash(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const r = (await tokenByHash(this.db, tenantId, tokenHash)).rows[0];
    return r && toRecord(r);
  }

  /**
   * Marks a live token as rotated. The conditional UPDATE is the arbiter between concurrent
   * refreshes: exactly one caller sees `true`, on SQLite and PostgreSQL alike.
   */
  async markRotated(id: string, at: number): Promise<boolean> {
    return Number((await markLiveTokenRotated(this.db, id, at)).numAffectedRows) === 1;
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
