import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { Resource } from './model.js';
import { conflictError, invalid, notFoundError } from '../errors.js';
import { checkName } from '../names.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { MANAGEMENT_SCOPE_PREFIX } from '../roles/management-scopes.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

/** What changing a resource touches: resources, and the roles and applications that may still grant its scopes. */
export type ResourceKinds = 'resources' | 'roles' | 'clients' | 'changes' | AuditKinds;

export interface NewResource {
  name: string;
  audience: string;
  scopes: string[];
  scopeDescriptions?: Record<string, string>;
}

export interface ResourcePatch {
  name?: string;
  scopes?: string[];
  scopeDescriptions?: Record<string, string>;
}
import { isScopeName, SCOPE_RULE } from '../tokens/scope.js';

function checkScopes(scopes: string[]): string[] {
  const unique = [...new Set(scopes)].sort();
  const bad = unique.filter((s) => !isScopeName(s));
  if (bad.length) throw invalid(`scope names must be ${SCOPE_RULE}: ${bad.join(', ')}`);
  const reserved = unique.filter((s) => s.startsWith(MANAGEMENT_SCOPE_PREFIX));
  if (reserved.length)
    throw invalid(
      `scopes starting with "${MANAGEMENT_SCOPE_PREFIX}" belong to Latchkey's management API: ${reserved.join(', ')}`,
    );
  return unique;
}

/**
 * Scope descriptions: for scopes of this resource only, each one line under the one name rule
 * (no control characters); an empty text removes the description. Descriptions of scopes that are
 * removed go with them.
 */
function checkDescriptions(descriptions: Record<string, string>, scopes: string[]): Record<string, string> {
  const unknown = Object.keys(descriptions).filter((s) => !scopes.includes(s));
  if (unknown.length) throw invalid(`scopeDescriptions name scopes this API does not have: ${unknown.join(', ')}`);
  const out: Record<string, string> = {};
  for (const s of scopes) {
    const text = descriptions[s]?.trim();
    if (text) out[s] = checkName(text, 200, `the description of scope ${s}`);
  }
  return out;
}

/** A scope names one permission in the whole tenant: it may belong to one resource only. */
async function checkScopesFree(
  store: UnitOfWork<'resources'>,
  tenantId: string,
  scopes: string[],
  exceptId?: string,
): Promise<void> {
  for (const r of await store.resources.list(tenantId)) {
    if (r.id === exceptId) continue;
    const taken = r.scopes.filter((s) => scopes.includes(s));
    if (taken.length) throw conflictError(`scopes already defined by resource "${r.name}": ${taken.join(', ')}`);
  }
}

export async function createResource(
  store: UnitOfWork<ResourceKinds>,
  tenant: Tenant,
  input: NewResource,
  actor: Actor,
): Promise<Resource> {
  const name = checkName(input.name);
  const audience = input.audience.trim();
  if (!audience || audience.length > 300)
    throw invalid('audience must be 1-300 characters (a URI identifying the API)');
  const scopes = checkScopes(input.scopes);
  const scopeDescriptions = checkDescriptions(input.scopeDescriptions ?? {}, scopes);
  const resource: Resource = {
    id: randomUUID(),
    tenantId: tenant.id,
    name,
    audience,
    scopes,
    scopeDescriptions,
    createdAt: Date.now(),
  };
  await store.transaction(async (tx) => {
    if ((await tx.resources.list(tenant.id)).some((r) => r.audience === audience))
      throw conflictError(`a resource with audience ${audience} already exists`);
    await checkScopesFree(tx, tenant.id, scopes);
    await tx.resources.insert(resource);
    tx.changes.record({ type: 'resource.changed', tenantId: tenant.id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'resource.created',
      targetType: 'resource',
      targetId: resource.id,
      details: { name, audience, scopes },
    });
  });
  return resource;
}

export async function getResource(store: UnitOfWork<'resources'>, tenant: Tenant, id: string): Promise<Resource> {
  const r = (await store.resources.list(tenant.id)).find((x) => x.id === id);
  if (!r) throw notFoundError(`resource ${id} not found`);
  return r;
}

/**
 * Renames a resource, changes its scopes or describes them (`scopeDescriptions` replaces them all).
 * Removing a scope still granted to an application or a role is refused: those grants would
 * silently stop working.
 */
export async function updateResource(
  store: UnitOfWork<ResourceKinds>,
  tenant: Tenant,
  id: string,
  patch: ResourcePatch,
  actor: Actor,
): Promise<Resource> {
  return store.transaction(async (tx) => {
    const current = await getResource(tx, tenant, id);
    const scopes = patch.scopes ? checkScopes(patch.scopes) : current.scopes;
    const removed = current.scopes.filter((s) => !scopes.includes(s));
    if (removed.length) await refuseIfInUse(tx, tenant, removed);
    if (patch.scopes) await checkScopesFree(tx, tenant.id, scopes, id);
    const name = patch.name === undefined ? undefined : checkName(patch.name);
    // Descriptions are replaced when given, otherwise kept for the scopes that remain.
    const kept =
      patch.scopeDescriptions ??
      Object.fromEntries(Object.entries(current.scopeDescriptions).filter(([s]) => scopes.includes(s)));
    const scopeDescriptions = checkDescriptions(kept, scopes);
    await tx.resources.update(tenant.id, id, { name, scopes: patch.scopes ? scopes : undefined, scopeDescriptions });
    tx.changes.record({ type: 'resource.changed', tenantId: tenant.id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'resource.updated',
      targetType: 'resource',
      targetId: id,
      details: {
        name,
        scopes: patch.scopes ? scopes : undefined,
        describedScopes: patch.scopeDescriptions ? Object.keys(scopeDescriptions) : undefined,
      },
    });
    return getResource(tx, tenant, id);
  });
}

export async function deleteResource(
  store: UnitOfWork<ResourceKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await getResource(tx, tenant, id);
    await refuseIfInUse(tx, tenant, current.scopes);
    await tx.resources.delete(tenant.id, id);
    tx.changes.record({ type: 'resource.changed', tenantId: tenant.id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'resource.deleted',
      targetType: 'resource',
      targetId: id,
      details: { name: current.name },
    });
  });
}

async function refuseIfInUse(store: UnitOfWork<'roles' | 'clients'>, tenant: Tenant, scopes: string[]): Promise<void> {
  const roles = (await store.roles.list(tenant.id)).filter((r) => r.scopes.some((s) => scopes.includes(s)));
  if (roles.length) throw conflictError(`scopes still granted by roles: ${roles.map((r) => r.name).join(', ')}`);
  const apps = await store.clients.withAnyScope(tenant.id, scopes);
  if (apps.length) throw conflictError(`scopes still granted to applications: ${apps.map((a) => a.name).join(', ')}`);
}

/** A domain's resources (the APIs its tokens are for), as its managers define them. */
export class ResourceService {
  constructor(private readonly store: UnitOfWork<ResourceKinds>) {}

  list(tenant: Tenant): Promise<Resource[]> {
    return this.store.resources.list(tenant.id);
  }

  get(tenant: Tenant, id: string): Promise<Resource> {
    return getResource(this.store, tenant, id);
  }

  create(tenant: Tenant, input: NewResource, actor: Actor): Promise<Resource> {
    return createResource(this.store, tenant, input, actor);
  }

  update(tenant: Tenant, id: string, patch: ResourcePatch, actor: Actor): Promise<Resource> {
    return updateResource(this.store, tenant, id, patch, actor);
  }

  delete(tenant: Tenant, id: string, actor: Actor): Promise<void> {
    return deleteResource(this.store, tenant, id, actor);
  }
}
