import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import { toPrincipal, type Principal } from '../users/principal-cache.js';
import { outranks } from '../users/rank.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import { CLIENT_SECRET_PREFIX, randomSecret } from '../../crypto/secrets.js';
import { GRANT_CLIENT_CREDENTIALS, isExpired, type Client } from './model.js';
import { newClientId } from './apps.js';
import { checkName } from '../names.js';
import { CLIENT_CREATOR } from '../roles/model.js';
import { conflictError, forbiddenError, invalid, notFoundError } from '../errors.js';
import { clientUnusableReason } from './policy.js';
import { checkOverlap, replaceSecret } from './secret-rotation.js';
import { SYSTEM, auditActor, type Actor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import type { Page, PageQuery } from '../paging.js';
import type { ClientFilter, ClientSort, ClientWithOwner } from './ports.js';

const DAY_MS = 86_400_000;

/** Who revoked a personal client, as stored in `revoked_by`. */
export type RevokedBy = { by: 'owner' | 'manager'; userId: string } | { by: 'policy'; reason: string };

export function encodeRevokedBy(r: RevokedBy): string {
  return r.by === 'policy' ? `policy:${r.reason}` : `${r.by}:${r.userId}`;
}

export function decodeRevokedBy(s: string | null): RevokedBy | null {
  if (!s) return null;
  const [by, rest] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
  if (by === 'policy') return { by, reason: rest };
  if (by === 'owner' || by === 'manager') return { by, userId: rest };
  return null;
}

export type PersonalStatus = 'active' | 'expired' | 'revoked';

export function personalStatus(c: Client, now = Date.now()): PersonalStatus {
  if (c.status === 'revoked') return 'revoked';
  return isExpired(c, now) ? 'expired' : 'active';
}

/** Why this user may not create personal clients in this tenant, or null. */
export function creationRefusal(tenant: Tenant, owner: Principal, creatorRoleName: string): string | null {
  if (!tenant.enterpriseEnabled)
    return 'personal OAuth2 clients are not enabled for this domain (an enterprise feature the platform administrator turns on)';
  if (!owner.isClientCreator)
    return `creating personal OAuth2 clients needs the role "${creatorRoleName}"; ask a domain manager to grant it`;
  return null;
}

/**
 * A personal client's scope subset as stored: none (`[]`) means all of the owner's permissions, as
 * they are at each token request (see userScopesVia); a subset must lie within what the owner holds now.
 */
export function checkSubset(owner: Principal, scopes: readonly string[] | null | undefined): string[] {
  if (scopes === null || scopes === undefined) return [];
  if (scopes.length === 0)
    throw invalid('scopes must name at least one scope; leave it out (or null) for all of your permissions');
  const held = new Set(owner.scopes);
  const outside = [...new Set(scopes)].filter((s) => !held.has(s));
  if (outside.length > 0) throw invalid(`scopes you do not hold: ${outside.join(', ')}`);
  return [...new Set(scopes)].sort();
}

/** The subset as shown: null for all of the owner's permissions. */
export const scopeSubset = (c: Client): string[] | null => (c.scopes.length === 0 ? null : c.scopes);

/**
 * Creates a personal client for `owner`: name unique among the owner's clients, expiry in the future
 * and within the tenant's maximum lifetime, scopes (optional) a subset of the owner's. The secret is
 * returned once and stored only as a hash.
 */
export async function createPersonalClient(
  store: UnitOfWork<'roles' | 'clients' | 'changes' | AuditKinds>,
  hasher: SecretHasher,
  tenant: Tenant,
  owner: Principal,
  input: { name: string; expiresAt: number; scopes?: string[] | null },
  actor: Actor = { type: 'user', id: owner.user.id },
): Promise<{ client: Client; clientSecret: string }> {
  const creatorRole = (await store.roles.list(tenant.id)).find((r) => r.builtin === CLIENT_CREATOR);
  const refusal = creationRefusal(tenant, owner, creatorRole?.name ?? CLIENT_CREATOR);
  if (refusal) throw forbiddenError(refusal);
  const name = checkName(input.name);
  const now = Date.now();
  if (!Number.isFinite(input.expiresAt))
    throw invalid('expiresAt must be an ISO 8601 date-time or date (YYYY-MM-DD, the end of that day UTC)');
  if (input.expiresAt <= now) throw invalid('expiresAt must be in the future');
  if (input.expiresAt > now + tenant.personalClientMaxDays * DAY_MS) {
    throw invalid(`expiresAt must be within ${tenant.personalClientMaxDays} days (this domain's maximum lifetime)`);
  }
  const scopes = checkSubset(owner, input.scopes);
  const clientSecret = randomSecret(CLIENT_SECRET_PREFIX);
  const client: Client = {
    id: randomUUID(),
    tenantId: tenant.id,
    clientId: newClientId('personal'),
    kind: 'personal',
    name,
    description: '',
    ownerUserId: owner.user.id,
    secretHash: hasher.hash(clientSecret),
    secretVersion: 1,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    grantTypes: [GRANT_CLIENT_CREDENTIALS],
    scopes,
    jwks: null,
    status: 'active',
    expiresAt: input.expiresAt,
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
    const existing = await tx.clients.liveOfOwner(tenant.id, owner.user.id);
    if (existing.some((c) => c.name.toLowerCase() === name.toLowerCase()))
      throw conflictError(`you already have a client named "${name}"`);
    await tx.clients.insert(client);
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: client.clientId });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'personal_client.created',
      targetType: 'oauth2_client',
      targetId: client.id,
      details: {
        name,
        clientId: client.clientId,
        ownerId: owner.user.id,
        expiresAt: new Date(input.expiresAt).toISOString(),
        scopes: scopeSubset(client),
      },
    });
  });
  return { client, clientSecret };
}

export async function getPersonalClient(
  store: UnitOfWork<'clients'>,
  tenant: Tenant,
  id: string,
  ownerId?: string,
): Promise<Client> {
  const c = await store.clients.byId(tenant.id, id);
  if (!c || c.kind !== 'personal' || (ownerId !== undefined && c.ownerUserId !== ownerId))
    throw notFoundError(`OAuth2 client ${id} not found`);
  return c;
}

/** Revokes at once (every process's client cache learns of it on commit). Revoking twice is refused with 404. */
export async function revokePersonalClient(
  store: UnitOfWork<'clients' | 'changes' | AuditKinds>,
  tenant: Tenant,
  id: string,
  by: RevokedBy,
  ownerId?: string,
  actor?: Actor,
): Promise<Client> {
  const who: Actor = actor ?? (by.by === 'policy' ? SYSTEM : { type: 'user', id: by.userId });
  return store.transaction(async (tx) => {
    const c = await getPersonalClient(tx, tenant, id, ownerId);
    if (c.status === 'revoked') throw notFoundError(`OAuth2 client ${id} is already revoked`);
    await tx.clients.setStatus(tenant.id, id, 'revoked', encodeRevokedBy(by));
    tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: c.clientId });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(who),
      action: 'personal_client.revoked',
      targetType: 'oauth2_client',
      targetId: id,
      details: {
        name: c.name,
        ownerId: c.ownerUserId,
        by: by.by,
        ...(by.by === 'policy' ? { reason: by.reason } : {}),
      },
    });
    return (await tx.clients.byId(tenant.id, id))!;
  });
}

/** Who rotates a personal client's secret: its owner, or a domain manager (for any owner with no more power). */
export interface Rotator {
  by: 'owner' | 'manager';
  principal: Principal;
}

export interface RotatedSecret {
  client: Client;
  clientSecret: string;
  /** When the replaced secret stops working; null when it stopped at once. */
  previousSecretExpiresAt: number | null;
}

/**
 * A new secret for a personal client, shown once; the client id stays, so scripts change one value.
 * The replaced secret, and the tokens it obtained, stop working now or when the overlap (seconds, up
 * to 24 h) ends. Only a client that could get tokens now gets a new secret (409 otherwise: revoked,
 * expired, owner disabled); a manager may not act on a client of an account with more power.
 */
export async function rotatePersonalClientSecret(
  store: UnitOfWork<'clients' | 'roles' | 'users' | 'changes' | 'refreshTokens' | 'replay' | AuditKinds>,
  hasher: SecretHasher,
  tenant: Tenant,
  id: string,
  who: Rotator,
  overlapSeconds: number | undefined,
  actor: Actor = { type: 'user', id: who.principal.user.id },
): Promise<RotatedSecret> {
  const overlap = checkOverlap(overlapSeconds);
  const ownerId = who.by === 'owner' ? who.principal.user.id : undefined;
  const rotated = await store.transaction(async (tx) => {
    const c = await getPersonalClient(tx, tenant, id, ownerId);
    if (c.status === 'revoked')
      throw conflictError(`OAuth2 client ${id} is revoked and cannot get a new secret; create a new client instead`);
    const user = await tx.users.byId(tenant.id, c.ownerUserId!);
    const owner = user && toPrincipal(user, await tx.roles.forUser(tenant.id, user.id));
    if (who.by === 'manager' && owner && outranks(owner, who.principal))
      throw forbiddenError(
        `the owner of this client, ${owner.user.email}, holds more power than you: only an account with at least as much power may rotate its secret`,
      );
    const now = Date.now();
    const unusable = clientUnusableReason(tenant, c, owner, now);
    if (unusable) throw conflictError(`OAuth2 client ${id} cannot get a new secret: ${unusable}`);
    const r = await replaceSecret(tx, hasher, c, overlap, now);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'personal_client.secret_rotated',
      targetType: 'oauth2_client',
      targetId: c.id,
      details: {
        name: c.name,
        clientId: c.clientId,
        ownerId: c.ownerUserId,
        by: who.by,
        overlapSeconds: overlap,
        overlapEndsAt: r.previousSecretExpiresAt === null ? null : new Date(r.previousSecretExpiresAt).toISOString(),
      },
    });
    return r;
  });
  return {
    client: await getPersonalClient(store, tenant, id),
    clientSecret: rotated.clientSecret,
    previousSecretExpiresAt: rotated.previousSecretExpiresAt,
  };
}

/** Tenant policy: when an owner loses the creator role, their clients are revoked (unless the tenant keeps them). */
export async function revokeAllOfOwner(
  store: UnitOfWork<'clients' | 'changes' | AuditKinds>,
  tenant: Tenant,
  ownerId: string,
  reason: string,
): Promise<Client[]> {
  const live = await store.clients.liveOfOwner(tenant.id, ownerId);
  const out: Client[] = [];
  for (const c of live) {
    if (c.kind === 'personal') out.push(await revokePersonalClient(store, tenant, c.id, { by: 'policy', reason }));
  }
  return out;
}

/** Who revoked a personal client, as shown: the revoking user's email when they still exist. */
export type Revoker = { by: 'policy'; reason: string } | { by: 'owner' | 'manager'; userId: string; email?: string };

/** Personal OAuth2 clients: each user's own, and the domain managers' view of all. */
export class PersonalClientService {
  constructor(
    private readonly store: UnitOfWork<
      'clients' | 'roles' | 'users' | 'changes' | 'refreshTokens' | 'replay' | AuditKinds
    >,
    private readonly hasher: SecretHasher,
  ) {}

  /** Personal clients of the tenant matching `filter` (an owner's own when it names the owner). */
  list(
    tenant: Tenant,
    filter: Omit<ClientFilter, 'kind'>,
    page: PageQuery<ClientSort>,
  ): Promise<Page<ClientWithOwner>> {
    return this.store.clients.list(tenant.id, { kind: 'personal', ...filter }, page);
  }

  /** One personal client; with `ownerId`, only if that user owns it. */
  get(tenant: Tenant, id: string, ownerId?: string): Promise<Client> {
    return getPersonalClient(this.store, tenant, id, ownerId);
  }

  create(
    tenant: Tenant,
    owner: Principal,
    input: { name: string; expiresAt: number; scopes?: string[] | null },
    actor: Actor,
  ): Promise<{ client: Client; clientSecret: string }> {
    return createPersonalClient(this.store, this.hasher, tenant, owner, input, actor);
  }

  revoke(tenant: Tenant, id: string, by: RevokedBy, ownerId: string | undefined, actor: Actor): Promise<Client> {
    return revokePersonalClient(this.store, tenant, id, by, ownerId, actor);
  }

  rotate(
    tenant: Tenant,
    id: string,
    who: Rotator,
    overlapSeconds: number | undefined,
    actor: Actor,
  ): Promise<RotatedSecret> {
    return rotatePersonalClientSecret(this.store, this.hasher, tenant, id, who, overlapSeconds, actor);
  }

  /** The client with its owner's email and name, as managers see it. */
  async withOwner(tenant: Tenant, c: Client): Promise<ClientWithOwner> {
    const owner = c.ownerUserId ? await this.store.users.byId(tenant.id, c.ownerUserId) : undefined;
    return { ...c, ownerEmail: owner?.email ?? null, ownerDisplayName: owner?.displayName ?? null };
  }

  async revoker(tenant: Tenant, c: Client): Promise<Revoker | null> {
    const r = decodeRevokedBy(c.revokedBy);
    if (!r) return null;
    if (r.by === 'policy') return { by: r.by, reason: r.reason };
    const who = await this.store.users.byId(tenant.id, r.userId);
    return { by: r.by, userId: r.userId, ...(who ? { email: who.email } : {}) };
  }
}
