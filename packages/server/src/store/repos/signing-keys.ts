import type { Selectable } from 'kysely';
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
});

export class SigningKeyRepo {
  constructor(private readonly db: Db) {}

  async insert(k: SigningKeyRecord): Promise<void> {
    await this.db.insertInto('signing_keys').values({
      kid: k.kid,
      tenant_id: k.tenantId,
      private_key_enc: k.privateKeyEnc,
      public_jwk: JSON.stringify(k.publicJwk),
      status: k.status,
      created_at: k.createdAt,
      activated_at: k.activatedAt,
      retired_at: k.retiredAt,
      expires_at: k.expiresAt,
    }).execute();
  }

  /** Keys still worth publishing: next keys, the active one, retired ones whose tokens may still be live. */
  async live(tenantId: string, now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc').execute();
    return rows.map(toKey);
  }

  /**
   * Retires the tenant's active key if it is still `kid`: false when another process rotated
   * first (the caller then stands back). With no kid, retires whatever is active.
   */
  async retireActive(tenantId: string, kid: string | null, at: number, expiresAt: number): Promise<boolean> {
    let q = this.db.updateTable('signing_keys').set({ status: 'retired', retired_at: at, expires_at: expiresAt })
      .where('tenant_id', '=', tenantId).where('status', '=', 'active');
    if (kid !== null) q = q.where('kid', '=', kid);
    const r = await q.executeTakeFirst();
    return kid === null || Number(r.numUpdatedRows) > 0;
  }

  /** Turns a published next key into the signing key; false when it is no longer next. */
  async activateNext(tenantId: string, kid: string, at: number): Promise<boolean> {
    const r = await this.db.updateTable('signing_keys').set({ status: 'active', activated_at: at })
      .where('tenant_id', '=', tenantId).where('kid', '=', kid).where('status', '=', 'next').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('expires_at', '<=', now).execute();
  }
}
