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
  successorId: r.successor_id,
  answerSealed: r.answer_sealed,
  answerUntil: r.answer_until,
});

// The queries of every rotation, compiled once (see prepared.ts).
const insertToken = prepared(12, (db, ...v: unknown[]) => db.insertInto('refresh_tokens').values({
  id: v[0] as string, tenant_id: v[1] as string, token_hash: v[2] as string, family_id: v[3] as string,
  client_id: v[4] as string, user_id: v[5] as string | null, scope: v[6] as string, secret_version: v[7] as number,
  created_at: v[8] as number, expires_at: v[9] as number, rotated_at: v[10] as number | null, revoked_at: v[11] as number | null,
}));
const tokenByHash = prepared(2, (db, tenantId: string, tokenHash: string) => db.selectFrom('refresh_tokens').selectAll()
  .where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash));
const markLiveTokenRotated = prepared(5, (db, id: string, at: number, successorId: string, answer: string | null, answerUntil: number | null) =>
  db.updateTable('refresh_tokens').set({ rotated_at: at, successor_id: successorId, answer_sealed: answer, answer_until: answerUntil })
    .where('id', '=', id).where('rotated_at', 'is', null).where('revoked_at', 'is', null));
const tokenById = prepared(2, (db, tenantId: string, id: string) => db.selectFrom('refresh_tokens').selectAll()
  .where('tenant_id', '=', tenantId).where('id', '=', id));

/** Revoking a token also deletes the answer it kept for its grace window. */
const REVOKED = (at: number) => ({ revoked_at: at, answer_sealed: null, answer_until: null });

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

  async byId(tenantId: string, id: string): Promise<RefreshTokenRecord | undefined> {
    const r = (await tokenById(this.db, tenantId, id)).rows[0];
    return r && toRecord(r);
  }

  /**
   * Marks a live token as rotated, recording its successor and the sealed answer it got (null when
   * the tenant keeps none). The conditional UPDATE is the arbiter between concurrent refreshes:
   * exactly one caller sees `true`, on SQLite and PostgreSQL alike; on PostgreSQL a loser waits
   * for the winner's commit.
   */
  async markRotated(id: string, at: number, successorId: string, answerSealed: string | null, answerUntil: number | null): Promise<boolean> {
    return Number((await markLiveTokenRotated(this.db, id, at, successorId, answerSealed, answerUntil)).numAffectedRows) === 1;
  }

  async revokeFamily(tenantId: string, familyId: string, at: number): Promise<number> {
    const r = await this.db.updateTable('refresh_tokens').set(REVOKED(at))
      .where('tenant_id', '=', tenantId).where('family_id', '=', familyId).where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Revokes every live token of a client; answers the families (grants) that had one. */
  async revokeForClient(tenantId: string, clientId: string, at: number): Promise<string[]> {
    const rows = await this.db.updateTable('refresh_tokens').set(REVOKED(at))
      .where('tenant_id', '=', tenantId).where('client_id', '=', clientId).where('revoked_at', 'is', null)
      .returning('family_id').execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }

  /** Revokes every live token that acts for a user, whatever its client; answers their families. */
  async revokeForUser(tenantId: string, userId: string, at: number): Promise<string[]> {
    const rows = await this.db.updateTable('refresh_tokens').set(REVOKED(at))
      .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('revoked_at', 'is', null)
      .returning('family_id').execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }

  /** Deletes the kept answers whose grace window is over. */
  async forgetAnswers(now: number): Promise<void> {
    await this.db.updateTable('refresh_tokens').set({ answer_sealed: null, answer_until: null })
      .where('answer_sealed', 'is not', null).where('answer_until', '<', now).execute();
  }

  /**
   * Revokes the tenant's live refresh tokens that act for a user (only the password grant issues
   * those) except those of `keep` (user ids); answers their families.
   */
  async revokeUserTokensExcept(tenantId: string, keep: string[], at: number): Promise<string[]> {
    let q = this.db.updateTable('refresh_tokens').set(REVOKED(at))
      .where('tenant_id', '=', tenantId).where('user_id', 'is not', null).where('revoked_at', 'is', null);
    if (keep.length > 0) q = q.where('user_id', 'not in', keep);
    const rows = await q.returning('family_id').execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }
}
