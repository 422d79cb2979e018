import type { UnitOfWork } from '../ports.js';
import type { Tenant } from './model.js';
import { notFoundError } from '../errors.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { checkName } from '../names.js';
import { applySsoEnforcement, setBreakGlassAccounts, type EnforcementKinds } from '../sso/enforce.js';
import { recordAudit } from '../audit/record.js';
import type { AuditAction } from '../audit/actions.js';

export interface TenantPatch {
  name?: string;
  enterpriseEnabled?: boolean;
  ssoEnforced?: boolean;
  /** Emails of the tenant's users who may still sign in with a password while SSO is enforced. */
  breakGlassAccounts?: string[];
}

/**
 * A platform administrator renames a tenant, turns its enterprise features (personal clients) on or
 * off, or changes its SSO settings (enforcement, break-glass accounts).
 */
export async function updateTenant(
  store: UnitOfWork<'tenants' | EnforcementKinds>,
  slug: string,
  patch: TenantPatch,
  actor: Actor,
): Promise<Tenant> {
  const name = patch.name === undefined ? undefined : checkName(patch.name, 200);
  return store.transaction(async (tx) => {
    const tenant = await tx.tenants.bySlug(slug);
    if (!tenant) throw notFoundError(`tenant "${slug}" does not exist`);
    const audit = (action: AuditAction, details: Record<string, unknown>) =>
      recordAudit(tx, {
        tenantId: tenant.id,
        ...auditActor(actor),
        action,
        targetType: 'tenant',
        targetId: tenant.id,
        details,
      });
    // Break-glass accounts first: turning enforcement on in the same request spares them.
    if (patch.breakGlassAccounts !== undefined)
      await setBreakGlassAccounts(tx, tenant, patch.breakGlassAccounts, actor);
    if (patch.ssoEnforced === true && !tenant.ssoEnforced) await applySsoEnforcement(tx, tenant, actor);
    await tx.tenants.update(tenant.id, {
      name,
      enterpriseEnabled: patch.enterpriseEnabled,
      ssoEnforced: patch.ssoEnforced,
    });
    if (patch.ssoEnforced !== undefined && patch.ssoEnforced !== tenant.ssoEnforced) {
      await audit('settings.updated', {
        changed: { ssoEnforced: { from: tenant.ssoEnforced, to: patch.ssoEnforced } },
      });
    }
    tx.changes.record({ type: 'tenant.changed', tenantId: tenant.id, slug });
    if (name !== undefined && name !== tenant.name) await audit('tenant.renamed', { from: tenant.name, to: name });
    if (patch.enterpriseEnabled !== undefined && patch.enterpriseEnabled !== tenant.enterpriseEnabled) {
      await audit(patch.enterpriseEnabled ? 'tenant.enterprise_enabled' : 'tenant.enterprise_disabled', {});
    }
    return (await tx.tenants.bySlug(slug))!;
  });
}
