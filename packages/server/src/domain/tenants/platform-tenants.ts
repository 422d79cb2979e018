import type { UnitOfWork } from '../ports.js';
import type { Tenant } from './model.js';
import type { User } from '../users/model.js';
import type { Role } from '../roles/model.js';
import type { Actor } from '../audit/actor.js';
import type { NewTenant } from './service.js';
import { provisionTenant, type FirstManager, type ProvisionKinds } from './provision.js';
import { updateTenant, type TenantPatch } from './update.js';
import type { EnforcementKinds } from '../sso/enforce.js';
import type { HostRules } from './hosts.js';

/** The tenants, as platform administrators manage them. */
export class PlatformTenantService {
  /** Provisioning makes a tenant's records and its first manager; an update may enforce SSO, which ends grants and sessions. */
  constructor(
    private readonly store: UnitOfWork<ProvisionKinds | EnforcementKinds | 'tenantHosts'>,
    /** What a tenant's host names may be. */
    private readonly hostRules: HostRules,
  ) {}

  /** All tenants, by slug. */
  list(): Promise<Tenant[]> {
    return this.store.tenants.list();
  }

  bySlug(slug: string): Promise<Tenant | undefined> {
    return this.store.tenants.bySlug(slug);
  }

  /** The host names assigned to the tenant, sorted. */
  hosts(tenant: Tenant): Promise<string[]> {
    return this.store.tenantHosts.forTenant(tenant.id);
  }

  /** Emails of the users who may still sign in with a password while SSO is enforced. */
  async breakGlassEmails(tenant: Tenant): Promise<string[]> {
    return (await this.store.users.breakGlass(tenant.id)).map((u) => u.email);
  }

  /** A tenant, and its first domain manager with their roles when one is asked for. */
  async provision(
    input: NewTenant,
    manager: FirstManager | undefined,
    actor: Actor,
  ): Promise<{ tenant: Tenant; manager?: User; managerRoles: Role[] }> {
    const made = await provisionTenant(this.store, input, manager, actor);
    const managerRoles = made.manager ? await this.store.roles.forUser(made.tenant.id, made.manager.id) : [];
    return { ...made, managerRoles };
  }

  update(slug: string, patch: TenantPatch, actor: Actor): Promise<Tenant> {
    return updateTenant(this.store, slug, patch, actor, this.hostRules);
  }
}
