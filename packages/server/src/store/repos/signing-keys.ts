import { sql, type Selectable } from 'kysely';
import type { SigningKeyRecords } from '../../domain/keys/ports.js';
import type { Db } from '../db.js';
import type { SigningKeysTable } from '../schema.js';
import type { SigningKeyRecord } from '../../domain/keys/model.js';

const toKey = (r: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: r.kid,
  tenantId: r.tenant_id,
  privateKeyEnc: r.private_key_enc,
  publicJwk: JSON.parse(r.public_jwk),
  status: r.status as SigningKeyRecord['status'],
  createdAt: r.created_at,
  activatedAt: r.activated_at,
  retiredAt: r.retired_at,
  expiresAt: r.expires_at,
  maxTokenTtlSeconds: r.max_token_ttl_seconds,
});

export class SigningKeyRepo implements SigningKeyRecords {
  constructor(private readonly db: Db) {}

  async insert(k: SigningKeyRecord): Promise<void> {
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: k.kid,
        tenant_id: k.tenantId,
        private_key_enc: k.privateKeyEnc,
        public_jwk: JSON.stringify(k.publicJwk),
        status: k.status,
        created_at: k.createdAt,
        activated_at: k.activatedAt,
        retired_at: k.retiredAt,
        expires_at: k.expiresAt,
        max_token_ttl_seconds: k.maxTokenTtlSeconds,
      })
      .execute();
  }

  /** Keys still worth publishing: next keys, the active one, retired ones whose tokens may still be live. */
  async live(tenantId: string, now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toKey);
  }

  /**
   * Retires the tenant's active key if it is still `kid`: false when another process rotated
   * first (the caller then stands back). With no kid, retires whatever is active. It stays
   * published for the longest token lifetime it signed under, as stored in the row at this moment
   * (so a concurrent raise is not missed), plus `graceMs`.
   */
  async retireActive(tenantId: string, kid: string | null, at: number, graceMs: number): Promise<boolean> {
    const expiresAt = sql<number>`cast(${at + graceMs} as bigint) + cast(max_token_ttl_seconds as bigint) * 1000`;
    let q = this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: at, expires_at: expiresAt })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active');
    if (kid !== null) q = q.where('kid', '=', kid);
    const r = await q.executeTakeFirst();
    return kid === null || Number(r.numUpdatedRows) > 0;
  }

  /**
   * Unpublishes every key of the tenant at once, the active one first (so a concurrent rotation
   * that retires it is serialised with this one), then whatever is still published; returns the
   * kids unpublished, oldest first.
   */
  async unpublishAll(tenantId: string, at: number): Promise<string[]> {
    await this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: at })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .execute();
    const rows = await this.db
      .selectFrom('signing_keys')
      .select('kid')
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
      .orderBy('created_at')
      .execute();
    if (rows.length === 0) return [];
    const kids = rows.map((r) => r.kid);
    await this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: sql<number>`coalesce(retired_at, cast(${at} as bigint))`, expires_at: at })
      .where('tenant_id', '=', tenantId)
      .where('kid', 'in', kids)
      .execute();
    return kids;
  }

  /**
   * Turns a published next key into the signing key; false when it is no longer next. Its token
   * lifetime mark is raised to `ttlSeconds`, the tenant's lifetime now.
   */
  async activateNext(tenantId: string, kid: string, at: number, ttlSeconds: number): Promise<boolean> {
    const r = await this.db
      .updateTable('signing_keys')
      .set({
        status: 'active',
        activated_at: at,
        max_token_ttl_seconds: sql<number>`case when max_token_ttl_seconds < ${ttlSeconds} then ${ttlSeconds} else max_token_ttl_seconds end`,
      })
      .where('tenant_id', '=', tenantId)
      .where('kid', '=', kid)
      .where('status', '=', 'next')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * The tenant's access-token lifetime is now `ttlSeconds`: raises the mark of the keys that sign or
   * will sign (next keys included, so one activated concurrently is not missed). Never lowers it.
   */
  async raiseTokenTtl(tenantId: string, ttlSeconds: number): Promise<void> {
    await this.db
      .updateTable('signing_keys')
      .set({ max_token_ttl_seconds: ttlSeconds })
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['active', 'next'])
      .where('max_token_ttl_seconds', '<', ttlSeconds)
      .execute();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('expires_at', '<=', now).execute();
  }
}
