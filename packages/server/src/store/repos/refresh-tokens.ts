import { CompiledQuery, type Selectable } from 'kysely';
import type { RefreshTokenRecords } from '../../domain/tokens/ports.js';
import type { Db, Dialect } from '../db.js';
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
const insertToken = prepared(12, (db, ...v: unknown[]) =>
  db.insertInto('refresh_tokens').values({
    id: v[0] as string,
    tenant_id: v[1] as string,
    token_hash: v[2] as string,
    family_id: v[3] as string,
    client_id: v[4] as string,
    user_id: v[5] as string | null,
    scope: v[6] as string,
    secret_version: v[7] as number,
    created_at: v[8] as number,
    expires_at: v[9] as number,
    rotated_at: v[10] as number | null,
    revoked_at: v[11] as number | null,
  }),
);
const tokenByHash = prepared(2, (db, tenantId: string, tokenHash: string) =>
  db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('token_hash', '=', tokenHash),
);
const markLiveTokenRotated = prepared(
  5,
  (db, id: string, at: number, successorId: string, answer: string | null, answerUntil: number | null) =>
    db
      .updateTable('refresh_tokens')
      .set({ rotated_at: at, successor_id: successorId, answer_sealed: answer, answer_until: answerUntil })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null),
);
const tokenById = prepared(2, (db, tenantId: string, id: string) =>
  db.selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id),
);

/**
 * PostgreSQL: a whole rotation in one statement, one round trip and atomic without BEGIN/COMMIT.
 * The UPDATE decides the race as in `markRotated` (a concurrent loser waits for the winner's commit,
 * re-checks `rotated_at` and updates nothing); the successor is inserted only if it did.
 */
const ROTATE_PG = `WITH old AS (
  UPDATE refresh_tokens SET rotated_at = $2, successor_id = $3, answer_sealed = $4, answer_until = $5
  WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL RETURNING id)
INSERT INTO refresh_tokens (id, tenant_id, token_hash, family_id, client_id, user_id, scope, secret_version, created_at, expires_at)
SELECT $3::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::text, $12::integer, $13::bigint, $14::bigint FROM old`;

interface Rotation {
  id: string;
  at: number;
  successor: RefreshTokenRecord;
  answerSealed: string | null;
  answerUntil: number | null;
}

const rotationParams = (r: Rotation) => {
  const s = r.successor;
  return [
    r.id,
    r.at,
    s.id,
    r.answerSealed,
    r.answerUntil,
    s.tenantId,
    s.tokenHash,
    s.familyId,
    s.clientId,
    s.userId,
    s.scope,
    s.secretVersion,
    s.createdAt,
    s.expiresAt,
  ];
};

const runRaw = (db: Db, text: string, params: unknown[]) =>
  db.executeQuery<Selectable<RefreshTokensTable>>(CompiledQuery.raw(text, params));
/** PostgreSQL: one rotation, alone; whether it won. */
const rotateOnePg = async (db: Db, r: Rotation) =>
  Number((await runRaw(db, ROTATE_PG, rotationParams(r))).numAffectedRows) === 1;

/** Revoking a token also deletes the answer it kept for its grace window. */
const REVOKED = (at: number) => ({ revoked_at: at, answer_sealed: null, answer_until: null });

export class RefreshTokenRepo implements RefreshTokenRecords {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** One rotation runs as one statement here (`rotate`), outside any transaction. */
  get rotatesAlone(): boolean {
    return this.dialect === 'postgres';
  }

  /**
   * Marks `id` rotated to `successor` and inserts `successor`; false when the token was no longer
   * live (another refresh won). Where `rotatesAlone` is false, call it inside a transaction.
   */
  async rotate(
    id: string,
    at: number,
    successor: RefreshTokenRecord,
    answerSealed: string | null,
    answerUntil: number | null,
  ): Promise<boolean> {
    if (this.dialect !== 'postgres') {
      if (!(await this.markRotated(id, at, successor.id, answerSealed, answerUntil))) return false;
      await this.insert(successor);
      return true;
    }
    return rotateOnePg(this.db, { id, at, successor, answerSealed, answerUntil });
  }

  async insert(t: RefreshTokenRecord): Promise<void> {
    await insertToken(
      this.db,
      t.id,
      t.tenantId,
      t.tokenHash,
      t.familyId,
      t.clientId,
      t.userId,
      t.scope,
      t.secretVersion,
      t.createdAt,
      t.expiresAt,
      t.rotatedAt,
      t.revokedAt,
    );
  }

  async byHash(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const r = (await tokenByHash(this.db, tenantId, tokenHash)).rows[0];
    return r && toRecord(r);
  }

  /** The token with this hash in whichever tenant (a leaked-secret report names none; hashes are unique). */
  async byHashAnyTenant(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const r = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && toRecord(r);
  }

  /** Whether a family still has a live token (an access token's grant that a report may end). */
  async familyLive(tenantId: string, familyId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return r !== undefined;
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
  async markRotated(
    id: string,
    at: number,
    successorId: string,
    answerSealed: string | null,
    answerUntil: number | null,
  ): Promise<boolean> {
    return (
      Number((await markLiveTokenRotated(this.db, id, at, successorId, answerSealed, answerUntil)).numAffectedRows) ===
      1
    );
  }

  async revokeFamily(tenantId: string, familyId: string, at: number): Promise<number> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set(REVOKED(at))
      .where('tenant_id', '=', tenantId)
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * Revokes every live token of a client (with `belowSecretVersion`, only the unrotated ones bound
   * to an older secret); answers the families (grants) that had one.
   */
  async revokeForClient(
    tenantId: string,
    clientId: string,
    at: number,
    belowSecretVersion?: number,
  ): Promise<string[]> {
    let q = this.db
      .updateTable('refresh_tokens')
      .set(REVOKED(at))
      .where('tenant_id', '=', tenantId)
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null);
    // A family whose latest token moved onto the newer secret lives on: only unrotated tokens count.
    if (belowSecretVersion !== undefined)
      q = q.where('secret_version', '<', belowSecretVersion).where('rotated_at', 'is', null);
    const rows = await q.returning('family_id').execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }

  /** Revokes every live token that acts for a user, whatever its client; answers their families. */
  async revokeForUser(tenantId: string, userId: string, at: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('refresh_tokens')
      .set(REVOKED(at))
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning('family_id')
      .execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }

  /** Deletes the kept answers whose grace window is over. */
  async forgetAnswers(now: number): Promise<void> {
    await this.db
      .updateTable('refresh_tokens')
      .set({ answer_sealed: null, answer_until: null })
      .where('answer_sealed', 'is not', null)
      .where('answer_until', '<', now)
      .execute();
  }

  /**
   * Revokes the tenant's live refresh tokens that act for a user (only the password grant issues
   * those) except those of `keep` (user ids); answers their families.
   */
  async revokeUserTokensExcept(tenantId: string, keep: string[], at: number): Promise<string[]> {
    let q = this.db
      .updateTable('refresh_tokens')
      .set(REVOKED(at))
      .where('tenant_id', '=', tenantId)
      .where('user_id', 'is not', null)
      .where('revoked_at', 'is', null);
    if (keep.length > 0) q = q.where('user_id', 'not in', keep);
    const rows = await q.returning('family_id').execute();
    return [...new Set(rows.map((r) => r.family_id))];
  }
}
