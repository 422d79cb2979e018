import type { UnitOfWork } from '../ports.js';
import type { Tenant } from './model.js';
import type { User } from '../users/model.js';
import { createTenant, type NewTenant } from './service.js';
import { createUser } from '../users/service.js';
import type { Actor } from '../audit/actor.js';
import { checkName } from '../names.js';
import type { AuditKinds } from '../audit/record.js';

/** A tenant's built-in roles, sample resource and SDK client, and its first manager. */
export type ProvisionKinds = 'tenants' | 'roles' | 'resources' | 'clients' | 'users' | 'changes' | AuditKinds;

export interface FirstManager {
  email: string;
  displayName?: string;
  password?: string;
  /** Only first-start bootstrap makes the first manager a platform administrator too. */
  platformAdmin?: boolean;
}

/**
 * Creates a tenant and, optionally, its first domain manager (holding every built-in role) in one
 * transaction: a new domain is useless until somebody can manage it, and nobody else can invite them.
 * The actor is the platform administrator, or the system itself (first-start bootstrap).
 */
export async function provisionTenant(
  store: UnitOfWork<ProvisionKinds>,
  input: NewTenant,
  manager: FirstManager | undefined,
  actor: Actor,
): Promise<{ tenant: Tenant; manager?: User }> {
  const name = checkName(input.name, 200);
  return store.transaction(async (tx) => {
    const tenant = await createTenant(tx, { ...input, name }, actor);
    if (!manager) return { tenant };
    const roles = await tx.roles.list(tenant.id);
    const user = await createUser(
      tx,
      tenant,
      {
        email: manager.email,
        displayName: manager.displayName ?? '',
        password: manager.password,
        roleIds: roles.map((r) => r.id),
        platformAdmin: manager.platformAdmin,
      },
      actor,
    );
    return { tenant, manager: user };
  });
}
