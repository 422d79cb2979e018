import type { UnitOfWork } from '../ports.js';
import type { Tenant } from './model.js';
import { conflictError, notFoundError } from '../errors.js';
import { checkHosts, type HostRules } from './hosts.js';
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
  /** Host names that serve the tenant at their root; replaces the list (checkHosts). */
  hosts?: string[];
}

/**
 * A platform administrator renames a tenant, turns its enterprise features (personal clients) on or
 * off, or changes its SSO settings (enforcement, break-glass accounts).
 */
export async function updateTenant(
  store: UnitOfWork<'tenants' | 'tenantHosts' | EnforcementKinds>,
  slug: string,
  patch: TenantPatch,
  actor: Actor,
  hostRules: HostRules,
): Promise<Tenant> {
  const name = patch.name === undefined ? undefined : checkName(patch.name, 200);
  const hosts = patch.hosts === undefined ? undefined : checkHosts(patch.hosts, hostRules);
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
    if (hosts !== undefined) await setHosts(tx, tenant, hosts, audit);
    // Every process reloads the tenant, and its host map (domain/tenants/host-directory.ts).
    tx.changes.record({ type: 'tenant.changed', tenantId: tenant.id, slug });
    if (name !== undefined && name !== tenant.name) await audit('tenant.renamed', { from: tenant.name, to: name });
    if (patch.enterpriseEnabled !== undefined && patch.enterpriseEnabled !== tenant.enterpriseEnabled) {
      await audit(patch.enterpriseEnabled ? 'tenant.enterprise_enabled' : 'tenant.enterprise_disabled', {});
    }
    return (await tx.tenants.bySlug(slug))!;
  });
}

/**
 * Replaces the tenant's hosts. A host another tenant holds is refused by name (the unique index
 * decides a race past this check); a host must be taken from its tenant before it is given to
 * another, so that no tenant loses a host by someone else's mistake.
 */
async function setHosts(
  tx: UnitOfWork<'tenantHosts'>,
  tenant: Tenant,
  hosts: string[],
  audit: (action: AuditAction, details: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  for (const host of hosts) {
    const holder = await tx.tenantHosts.holder(host);
    if (holder && holder.tenantId !== tenant.id)
      throw conflictError(
        `the host "${host}" belongs to another tenant (${holder.slug}): remove it there first`,
        'host_taken',
      );
  }
  const before = await tx.tenantHosts.forTenant(tenant.id);
  if (before.join(' ') === hosts.join(' ')) return;
  await tx.tenantHosts.replace(tenant.id, hosts, Date.now());
  await audit('tenant.hosts_changed', {
    from: before,
    to: hosts,
    added: hosts.filter((h) => !before.includes(h)),
    removed: before.filter((h) => !hosts.includes(h)),
  });
}
