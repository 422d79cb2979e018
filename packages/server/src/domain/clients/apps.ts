import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import { CLIENT_SECRET_PREFIX, randomId, randomSecret } from '../../crypto/secrets.js';
import { checkOverlap, replaceSecret } from './secret-rotation.js';
import {
  GRANT_CLIENT_CREDENTIALS,
  GRANT_JWT_BEARER,
  GRANT_REFRESH_TOKEN,
  GRANT_SHORT_NAMES,
  type Client,
} from './model.js';
import { invalid, notFoundError } from '../errors.js';
import { checkName } from '../names.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

export const APP_GRANTS = [GRANT_CLIENT_CREDENTIALS, GRANT_REFRESH_TOKEN, GRANT_JWT_BEARER] as const;
/** What the API accepts for an application's grants: the grants and their short names. */
export const APP_GRANT_NAMES: readonly string[] = [...APP_GRANTS, ...Object.keys(GRANT_SHORT_NAMES)];

export interface NewApp {
  name: string;
  description?: string;
  grantTypes: string[];
  scopes: string[];
  jwks?: { keys: Record<string, unknown>[] } | null;
}

export function newClientId(kind: 'app' | 'personal'): string {
  return (kind === 'app' ? 'lk_app_' : 'lk_pc_') + randomId(12);
}

async function checkScopes(store: UnitOfWork<'resources'>, tenantId: string, scopes: string[]): Promise<void> {
  const known = new Set((await store.resources.list(tenantId)).flatMap((r) => r.scopes));
  const unknown = scopes.filter((s) => !known.has(s));
  if (unknown.length) throw invalid(`unknown scopes: ${unknown.join(', ')} (scopes must exist on a resource)`);
}

/**
 * The grants an application may hold, by full name and deduplicated. jwt-bearer may come before its
 * keys: assertions are refused (invalid_grant) until a JWKS is registered.
 */
function checkGrants(grantTypes: string[], jwks: NewApp['jwks']): string[] {
  const grants = [...new Set(grantTypes.map((g) => GRANT_SHORT_NAMES[g] ?? g))];
  const bad = grants.filter((g) => !(APP_GRANTS as readonly string[]).includes(g));
  if (bad.length || grants.length === 0)
    throw invalid(`grantTypes must be a non-empty subset of ${APP_GRANT_NAMES.join(', ')}`);
  checkJwks(jwks);
  return grants;
}

function checkJwks(jwks: NewApp['jwks']): void {
  if (jwks === undefined || jwks === null) return;
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0)
    throw invalid('jwks must be {"keys": [...]} with at least one key');
  for (const k of jwks.keys) {
    if (typeof k !== 'object' || !k || typeof k.kty !== 'string') throw invalid('every jwks key needs a kty');
    if ('d' in k || 'p' in k || 'k' in k) throw invalid('jwks must hold public keys only');
  }
}

/** Creates a confidential application; the secret is returned here once and stored only as a hash. */
export async function createApp(
  store: UnitOfWork<'resources' | 'clients' | 'changes' | AuditKinds>,
  hasher: SecretHasher,
  tenant: Tenant,
  input: NewApp,
  actor: Actor,
): Promise<{ client: Client; clientSecret: string }> {
  const name = checkName(input.name);
  const grants = checkGrants(input.grantTypes, input.jwks);
  const scopes = [...new Set(input.scopes)].sort();
  await checkScopes(store, tenant.id, scopes);
  const clientSecret = randomSecret(CLIENT_SECRET_PREFIX);
  const now = Date.now();
  const client: Client = {
    id: randomUUID(),
    tenantId: tenant.id,
    clientId: newClientId('app'),
    kind: 'app',
    name,
    description: input.description ?? '',
    ownerUserId: null,
    secretHash: hasher.hash(clientSecret),
    secretVersion: 1,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    grantTypes: grants,
    scopes,
    jwks: input.jwks ?? null,
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
  };
  await store.transaction(async (tx) => {
    await tx.clients.insert(client);
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: client.clientId });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'app.created',
      targetType: 'app',
      targetId: client.id,
      details: { name, clientId: client.clientId, grantTypes: grants, scopes },
    });
  });
  return { client, clientSecret };
}

export async function getApp(store: UnitOfWork<'clients'>, tenant: Tenant, id: string): Promise<Client> {
  const c = await store.clients.byId(tenant.id, id);
  if (!c || c.kind !== 'app' || c.status === 'revoked') throw notFoundError(`application ${id} not found`);
  return c;
}

/**
 * New secret shown once, same client id. With no overlap the old secret stops working and every
 * grant of the app ends: its refresh tokens, the access tokens they gave, and the client_credentials
 * tokens of the old secret. With an overlap (seconds) all of that lasts until the overlap ends
 * (see replaceSecret).
 */
export async function regenerateAppSecret(
  store: UnitOfWork<'clients' | 'changes' | 'refreshTokens' | 'replay' | AuditKinds>,
  hasher: SecretHasher,
  tenant: Tenant,
  id: string,
  actor: Actor,
  overlapSeconds?: number,
): Promise<{ client: Client; clientSecret: string; previousSecretExpiresAt: number | null }> {
  const overlap = checkOverlap(overlapSeconds);
  const rotated = await store.transaction(async (tx) => {
    const before = await getApp(tx, tenant, id);
    const now = Date.now();
    const r = await replaceSecret(tx, hasher, before, overlap, now);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'app.secret_regenerated',
      targetType: 'app',
      targetId: id,
      details: {
        grantsEnded: r.grantsEnded,
        overlapSeconds: overlap,
        overlapEndsAt: r.previousSecretExpiresAt === null ? null : new Date(r.previousSecretExpiresAt).toISOString(),
      },
    });
    return r;
  });
  return {
    client: await getApp(store, tenant, id),
    clientSecret: rotated.clientSecret,
    previousSecretExpiresAt: rotated.previousSecretExpiresAt,
  };
}

/** Deactivation suspends every grant (refresh tokens survive and work again on activation). */
export async function setAppActive(
  store: UnitOfWork<'clients' | 'changes' | AuditKinds>,
  tenant: Tenant,
  id: string,
  active: boolean,
  actor: Actor,
): Promise<Client> {
  await store.transaction(async (tx) => {
    const app = await getApp(tx, tenant, id);
    await tx.clients.setStatus(tenant.id, id, active ? 'active' : 'inactive');
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: app.clientId });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: active ? 'app.activated' : 'app.deactivated',
      targetType: 'app',
      targetId: id,
      details: {},
    });
  });
  return getApp(store, tenant, id);
}

export async function deleteApp(
  store: UnitOfWork<'clients' | 'changes' | 'refreshTokens' | AuditKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<Client> {
  return store.transaction(async (tx) => {
    const app = await getApp(tx, tenant, id);
    await tx.clients.setStatus(tenant.id, id, 'revoked', actor.id ?? undefined);
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: app.clientId });
    await tx.refreshTokens.revokeForClient(tenant.id, id, Date.now());
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'app.deleted',
      targetType: 'app',
      targetId: id,
      details: { name: app.name },
    });
    return app;
  });
}

export interface AppPatch {
  name?: string;
  description?: string;
  grantTypes?: string[];
  scopes?: string[];
  jwks?: { keys: Record<string, unknown>[] } | null;
}

/** Edits an application. Narrowing its scopes also narrows what its refresh tokens can obtain. */
export async function updateApp(
  store: UnitOfWork<'clients' | 'resources' | 'changes' | AuditKinds>,
  tenant: Tenant,
  id: string,
  patch: AppPatch,
  actor: Actor,
): Promise<Client> {
  return store.transaction(async (tx) => {
    const app = await getApp(tx, tenant, id);
    const name = patch.name === undefined ? undefined : checkName(patch.name);
    const grants = checkGrants(patch.grantTypes ?? app.grantTypes, patch.jwks !== undefined ? patch.jwks : app.jwks);
    const scopes = patch.scopes ? [...new Set(patch.scopes)].sort() : undefined;
    if (scopes) await checkScopes(tx, tenant.id, scopes);
    await tx.clients.update(tenant.id, id, {
      name,
      description: patch.description,
      grantTypes: patch.grantTypes ? grants : undefined,
      scopes,
      jwks: patch.jwks,
    });
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: app.clientId });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'app.updated',
      targetType: 'app',
      targetId: id,
      details: { fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined) },
    });
    return getApp(tx, tenant, id);
  });
}
