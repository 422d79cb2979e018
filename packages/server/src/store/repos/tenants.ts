import type { Selectable, Updateable } from 'kysely';
import type { TenantRecords } from '../../domain/tenants/ports.js';
import type { Db } from '../db.js';
import type { TenantsTable } from '../schema.js';
import type { Tenant, TenantSettings } from '../../domain/tenants/model.js';

const toTenant = (r: Selectable<TenantsTable>): Tenant => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  enterpriseEnabled: !!r.enterprise_enabled,
  ssoEnforced: !!r.sso_enforced,
  signingCertificatePublic: !!r.signing_certificate_public,
  accessTokenTtlSeconds: r.access_token_ttl_seconds,
  refreshTokenTtlSeconds: r.refresh_token_ttl_seconds,
  personalClientMaxDays: r.personal_client_max_days,
  revokeClientsOnRoleLoss: !!r.revoke_clients_on_role_loss,
  refreshTokenGraceSeconds: r.refresh_token_grace_seconds,
  auditRetentionDays: r.audit_retention_days,
  createdAt: r.created_at,
});

export class TenantRepo implements TenantRecords {
  constructor(private readonly db: Db) {}

  async insert(t: Tenant): Promise<void> {
    await this.db
      .insertInto('tenants')
      .values({
        id: t.id,
        slug: t.slug,
        name: t.name,
        enterprise_enabled: t.enterpriseEnabled ? 1 : 0,
        sso_enforced: t.ssoEnforced ? 1 : 0,
        signing_certificate_public: t.signingCertificatePublic ? 1 : 0,
        access_token_ttl_seconds: t.accessTokenTtlSeconds,
        refresh_token_ttl_seconds: t.refreshTokenTtlSeconds,
        personal_client_max_days: t.personalClientMaxDays,
        revoke_clients_on_role_loss: t.revokeClientsOnRoleLoss ? 1 : 0,
        refresh_token_grace_seconds: t.refreshTokenGraceSeconds,
        audit_retention_days: t.auditRetentionDays,
        created_at: t.createdAt,
      })
      .execute();
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
    return r && toTenant(r);
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const r = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toTenant(r);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('slug').execute();
    return rows.map(toTenant);
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async update(
    id: string,
    patch: Partial<TenantSettings> & { enterpriseEnabled?: boolean; name?: string },
  ): Promise<void> {
    const values: Updateable<TenantsTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.enterpriseEnabled !== undefined) values.enterprise_enabled = patch.enterpriseEnabled ? 1 : 0;
    if (patch.ssoEnforced !== undefined) values.sso_enforced = patch.ssoEnforced ? 1 : 0;
    if (patch.signingCertificatePublic !== undefined)
      values.signing_certificate_public = patch.signingCertificatePublic ? 1 : 0;
    if (patch.accessTokenTtlSeconds !== undefined) values.access_token_ttl_seconds = patch.accessTokenTtlSeconds;
    if (patch.refreshTokenTtlSeconds !== undefined) values.refresh_token_ttl_seconds = patch.refreshTokenTtlSeconds;
    if (patch.personalClientMaxDays !== undefined) values.personal_client_max_days = patch.personalClientMaxDays;
    if (patch.refreshTokenGraceSeconds !== undefined)
      values.refresh_token_grace_seconds = patch.refreshTokenGraceSeconds;
    if (patch.revokeClientsOnRoleLoss !== undefined)
      values.revoke_clients_on_role_loss = patch.revokeClientsOnRoleLoss ? 1 : 0;
    if (patch.auditRetentionDays !== undefined) values.audit_retention_days = patch.auditRetentionDays;
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('tenants').set(values).where('id', '=', id).execute();
  }
}
