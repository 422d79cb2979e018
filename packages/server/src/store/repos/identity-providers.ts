import type { Selectable } from 'kysely';
import type { IdentityProviderRecords } from '../../domain/sso/ports.js';
import type { Db } from '../db.js';
import type { IdentityProvidersTable } from '../schema.js';
import type { IdentityProvider, LoginState } from '../../domain/sso/model.js';

const toIdp = (r: Selectable<IdentityProvidersTable>): IdentityProvider => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  issuer: r.issuer,
  clientId: r.client_id,
  clientSecretSealed: r.client_secret_sealed,
  allowedEmailDomains: JSON.parse(r.allowed_email_domains) as string[],
  jitProvisioning: !!r.jit_provisioning,
  enabled: !!r.enabled,
  endSessionEndpoint: r.end_session_endpoint,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRow = (p: IdentityProvider) => ({
  id: p.id,
  tenant_id: p.tenantId,
  name: p.name,
  issuer: p.issuer,
  client_id: p.clientId,
  client_secret_sealed: p.clientSecretSealed,
  allowed_email_domains: JSON.stringify(p.allowedEmailDomains),
  jit_provisioning: p.jitProvisioning ? 1 : 0,
  enabled: p.enabled ? 1 : 0,
  end_session_endpoint: p.endSessionEndpoint,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export class IdentityProviderRepo implements IdentityProviderRecords {
  constructor(private readonly db: Db) {}

  async insert(p: IdentityProvider): Promise<void> {
    await this.db.insertInto('identity_providers').values(toRow(p)).execute();
  }

  async replace(p: IdentityProvider): Promise<void> {
    const { id, tenant_id, created_at, ...rest } = toRow(p);
    await this.db
      .updateTable('identity_providers')
      .set(rest)
      .where('tenant_id', '=', tenant_id)
      .where('id', '=', id)
      .execute();
  }

  async byId(tenantId: string, id: string): Promise<IdentityProvider | undefined> {
    const r = await this.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toIdp(r);
  }

  async list(tenantId: string): Promise<IdentityProvider[]> {
    const rows = await this.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(toIdp);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('identity_providers').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async insertState(s: LoginState): Promise<void> {
    await this.db
      .insertInto('sso_login_states')
      .values({
        state_hash: s.stateHash,
        tenant_id: s.tenantId,
        idp_id: s.idpId,
        nonce: s.nonce,
        code_verifier_sealed: s.codeVerifierSealed,
        next: s.next,
        expires_at: s.expiresAt,
        binding_hash: s.bindingHash,
      })
      .execute();
  }

  /** Takes a pending login out of the table: one caller gets it, a replay finds nothing. */
  async consumeState(tenantId: string, stateHash: string, now: number): Promise<LoginState | undefined> {
    const r = await this.db
      .deleteFrom('sso_login_states')
      .where('state_hash', '=', stateHash)
      .where('tenant_id', '=', tenantId)
      .returningAll()
      .executeTakeFirst();
    if (!r || r.expires_at <= now) return undefined;
    return {
      stateHash: r.state_hash,
      tenantId: r.tenant_id,
      idpId: r.idp_id,
      nonce: r.nonce,
      codeVerifierSealed: r.code_verifier_sealed,
      next: r.next,
      expiresAt: Number(r.expires_at),
      bindingHash: r.binding_hash ?? null,
    };
  }

  async deleteExpiredStates(now: number): Promise<void> {
    await this.db.deleteFrom('sso_login_states').where('expires_at', '<=', now).execute();
  }
}
