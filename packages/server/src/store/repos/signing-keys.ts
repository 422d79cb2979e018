import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { SigningKeysTable } from '../schema.js';
import type { SigningKeyRecord } from '../../domain/keys/model.js';

const toKey = (r: Selectable<SigningKeysTable>): SigningKeyRecord => ({
  kid: r.kid,
  tenantId: r.tenant_id,
  privateKeyEnc: r.private_key_enc,
  publicJwk: JSON.parse(r.public_jwk),
  status: r.status as 'active' | 'retired',
  createdAt: r.created_at,
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
      retired_at: k.retiredAt,
      expires_at: k.expiresAt,
    }).execute();
  }

  /** Keys still worth publishing: the active one and retired ones whose tokens may still be live. */
  async live(tenantId: string, now: number): Promise<SigningKeyRecord[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at', 'desc').execute();
    return rows.map(toKey);
  }

  async retireActive(tenantId: string, at: number, expiresAt: number): Promise<void> {
    await this.db.updateTable('signing_keys').set({ status: 'retired', retired_at: at, expires_at: expiresAt })
      .where('tenant_id', '=', tenantId).where('status', '=', 'active').execute();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('expires_at', '<=', now).execute();
  }
}
