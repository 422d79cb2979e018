import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import { DEFAULT_SETTINGS, type Tenant } from './model.js';
import { CLIENT_CREATOR, DOMAIN_MANAGER } from '../roles/model.js';
import { BUILTIN_MANAGEMENT_SCOPES } from '../roles/management-scopes.js';
import { SAMPLE_RESOURCE } from '../resources/model.js';
import { GRANT_PASSWORD, GRANT_REFRESH_TOKEN, SDK_CLIENT_ID } from '../clients/model.js';
import { conflictError, invalid } from '../errors.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface NewTenant {
  slug: string;
  name: string;
  enterpriseEnabled?: boolean;
}

/**
 * Creates a tenant with everything a new domain starts with: the built-in roles, the sample API
 * resource and the public `latchkey-sdk` client. One transaction: a tenant is never half made.
 */
export async function createTenant(
  store: UnitOfWork<'tenants' | 'roles' | 'resources' | 'clients' | 'changes' | AuditKinds>,
  input: NewTenant,
  actor: Actor,
): Promise<Tenant> {
  if (!SLUG_PATTERN.test(input.slug)) {
    throw invalid('slug must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen');
  }
  const now = Date.now();
  const tenant: Tenant = {
    id: randomUUID(),
    slug: input.slug,
    name: input.name,
    enterpriseEnabled: input.enterpriseEnabled ?? false,
    createdAt: now,
    ...DEFAULT_SETTINGS,
  };
  return store.transaction(async (tx) => {
    if (await tx.tenants.bySlug(input.slug)) throw conflictError(`a tenant with slug "${input.slug}" already exists`);
    await tx.tenants.insert(tenant);
    tx.changes.record({ type: 'tenant.changed', tenantId: tenant.id, slug: tenant.slug });
    await tx.roles.insert({
      id: randomUUID(),
      tenantId: tenant.id,
      name: DOMAIN_MANAGER,
      builtin: DOMAIN_MANAGER,
      description: 'Manages users, roles, applications, personal clients and settings of the domain',
      scopes: [...SAMPLE_RESOURCE.scopes, ...BUILTIN_MANAGEMENT_SCOPES[DOMAIN_MANAGER]].sort(),
      createdAt: now,
    });
    await tx.roles.insert({
      id: randomUUID(),
      tenantId: tenant.id,
      name: CLIENT_CREATOR,
      builtin: CLIENT_CREATOR,
      description: 'May create personal OAuth2 clients',
      scopes: [...BUILTIN_MANAGEMENT_SCOPES[CLIENT_CREATOR]].sort(),
      createdAt: now,
    });
    await tx.resources.insert({
      id: randomUUID(),
      tenantId: tenant.id,
      ...SAMPLE_RESOURCE,
      scopes: [...SAMPLE_RESOURCE.scopes].sort(),
      createdAt: now,
    });
    await tx.clients.insert({
      id: randomUUID(),
      tenantId: tenant.id,
      clientId: SDK_CLIENT_ID,
      kind: 'public',
      name: 'Latchkey SDK and CLI',
      description: 'Built-in public client for the password grant',
      ownerUserId: null,
      secretHash: null,
      secretVersion: 1,
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      grantTypes: [GRANT_PASSWORD, GRANT_REFRESH_TOKEN],
      scopes: [],
      jwks: null,
      status: 'active',
      expiresAt: null,
      createdAt: now,
      updatedAt: now,
      firstUsedAt: null,
      lastUsedAt: null,
      lastUsedAddress: null,
      lastUsedUserAgent: null,
      revokedAt: null,
      revokedBy: null,
    });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'tenant.created',
      targetType: 'tenant',
      targetId: tenant.id,
      details: { slug: tenant.slug, enterpriseEnabled: tenant.enterpriseEnabled },
    });
    return tenant;
  });
}
