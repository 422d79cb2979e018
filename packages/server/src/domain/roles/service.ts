import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { Role } from './model.js';
import { conflictError, invalid, notFoundError } from '../errors.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { checkName } from '../names.js';
import { isManagementScope } from './management-scopes.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import { grantableScopes, type GrantableScope } from './grantable-scopes.js';

/** What changing a role touches: roles, the resources whose scopes it grants, and the audit trail. */
export type RoleKinds = 'roles' | 'resources' | 'changes' | AuditKinds;

export interface NewRole {
  name: string;
  description?: string;
  scopes: string[];
}

export type RolePatch = Partial<NewRole>;

const cleanName = (name: string) => checkName(name, 64);

/** A role can only grant scopes that some API (resource) of the tenant, or the management API, defines. */
async function checkScopes(store: UnitOfWork<'resources'>, tenantId: string, scopes: string[]): Promise<string[]> {
  const known = new Set((await store.resources.list(tenantId)).flatMap((r) => r.scopes));
  const unknown = scopes.filter((s) => !known.has(s) && !isManagementScope(s));
  if (unknown.length > 0) throw invalid(`unknown scope${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  return [...new Set(scopes)].sort();
}

async function checkNameFree(
  store: UnitOfWork<'roles'>,
  tenantId: string,
  name: string,
  exceptId?: string,
): Promise<void> {
  const taken = (await store.roles.list(tenantId)).some((r) => r.name === name && r.id !== exceptId);
  if (taken) throw conflictError(`a role named "${name}" already exists`);
}

export async function createRole(
  store: UnitOfWork<RoleKinds>,
  tenant: Tenant,
  input: NewRole,
  actor: Actor,
): Promise<Role> {
  const name = cleanName(input.name);
  return store.transaction(async (tx) => {
    await checkNameFree(tx, tenant.id, name);
    const role: Role = {
      id: randomUUID(),
      tenantId: tenant.id,
      name,
      builtin: null,
      description: input.description ?? '',
      scopes: await checkScopes(tx, tenant.id, input.scopes),
      createdAt: Date.now(),
    };
    await tx.roles.insert(role);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'role.created',
      targetType: 'role',
      targetId: role.id,
      details: { name, scopes: role.scopes },
    });
    return role;
  });
}

/** Built-in roles may be renamed (a tenant may call its creator role what it likes); what they do is fixed by `builtin`. */
export async function updateRole(
  store: UnitOfWork<RoleKinds>,
  tenant: Tenant,
  roleId: string,
  patch: RolePatch,
  actor: Actor,
): Promise<Role> {
  const name = patch.name === undefined ? undefined : cleanName(patch.name);
  return store.transaction(async (tx) => {
    const role = await tx.roles.byId(tenant.id, roleId);
    if (!role) throw notFoundError(`role ${roleId} not found`);
    if (name !== undefined) await checkNameFree(tx, tenant.id, name, roleId);
    const scopes = patch.scopes === undefined ? undefined : await checkScopes(tx, tenant.id, patch.scopes);
    await tx.roles.update(tenant.id, roleId, { name, description: patch.description, scopes });
    // Every holder's scopes follow the role.
    tx.changes.record({ type: 'principal.changed', tenantId: tenant.id });
    const changed = Object.fromEntries(
      Object.entries({ name, description: patch.description, scopes }).filter(([, v]) => v !== undefined),
    );
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'role.updated',
      targetType: 'role',
      targetId: roleId,
      details: { name: role.name, changed },
    });
    return (await tx.roles.byId(tenant.id, roleId))!;
  });
}

/** Deletes a custom role; users holding it simply lose it. Built-in roles carry behaviour and stay. */
export async function deleteRole(
  store: UnitOfWork<RoleKinds>,
  tenant: Tenant,
  roleId: string,
  actor: Actor,
): Promise<void> {
  await store.transaction(async (tx) => {
    const role = await tx.roles.byId(tenant.id, roleId);
    if (!role) throw notFoundError(`role ${roleId} not found`);
    if (role.builtin) throw conflictError(`"${role.name}" is a built-in role and cannot be deleted`);
    await tx.roles.delete(tenant.id, roleId);
    tx.changes.record({ type: 'principal.changed', tenantId: tenant.id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'role.deleted',
      targetType: 'role',
      targetId: roleId,
      details: { name: role.name },
    });
  });
}

/** A domain's roles: the scopes each grants, and every scope a role may grant. */
export class RoleService {
  constructor(private readonly store: UnitOfWork<RoleKinds>) {}

  list(tenant: Tenant): Promise<Role[]> {
    return this.store.roles.list(tenant.id);
  }

  grantableScopes(tenant: Tenant): Promise<GrantableScope[]> {
    return grantableScopes(this.store, tenant.id);
  }

  create(tenant: Tenant, input: NewRole, actor: Actor): Promise<Role> {
    return createRole(this.store, tenant, input, actor);
  }

  update(tenant: Tenant, roleId: string, patch: RolePatch, actor: Actor): Promise<Role> {
    return updateRole(this.store, tenant, roleId, patch, actor);
  }

  delete(tenant: Tenant, roleId: string, actor: Actor): Promise<void> {
    return deleteRole(this.store, tenant, roleId, actor);
  }
}
