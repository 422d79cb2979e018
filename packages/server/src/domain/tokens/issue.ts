import { randomUUID } from 'node:crypto';
import type { HashingDeps, IssueDeps, SigningDeps } from './deps.js';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { Client } from '../clients/model.js';
import type { RefreshTokenRecord } from './model.js';
import { randomSecret, REFRESH_TOKEN_PREFIX } from '../../crypto/secrets.js';
import { signAccessToken, type FederatedClaim } from './access-token.js';
import { orderedUuid } from '../../lib/ordered-id.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface IssueRequest {
  client: Client;
  /** The user the token acts for; null when the client acts for itself. */
  userId: string | null;
  scopes: string[];
  /** The refresh-token family the access token belongs to, when there is one. */
  grantId?: string;
  /** A shorter lifetime than the tenant's (seconds), e.g. a federation policy's maximum. */
  maxTtlSeconds?: number;
  /** Where a token obtained by exchange came from (`federated`, see federation/exchange.ts). */
  federated?: FederatedClaim;
  /** An end the token may not outlive besides its client's (the end of the secret that obtained it). */
  notAfter?: number;
}

/** No token outlives its client (nor `notAfter`): a lifetime (seconds) cut at the earlier end. */
function cappedTtl(client: Client, ttlSeconds: number, now: number, notAfter?: number): number {
  const end = notAfter === undefined ? client.expiresAt : Math.min(notAfter, client.expiresAt ?? Infinity);
  if (end === null) return ttlSeconds;
  return Math.max(1, Math.min(ttlSeconds, Math.floor((end - now) / 1000)));
}

/** Signs an access token for the tenant: audience = the resources the scopes belong to. */
export async function issueAccessToken(
  ctx: SigningDeps,
  tenant: Tenant,
  req: IssueRequest,
): Promise<{ token: string; expiresIn: number; scope: string }> {
  const key = ctx.keys.peek(tenant.id) ?? (await ctx.keys.active(tenant));
  const issuer = ctx.issuer(tenant);
  const audiences = await ctx.resources.audiences(tenant.id, req.scopes);
  // User-bound tokens may also call this server's management API, whose audience is the issuer.
  if (req.userId !== null || audiences.length === 0) audiences.push(issuer);
  const scope = req.scopes.join(' ');
  const ttlSeconds = cappedTtl(
    req.client,
    Math.min(tenant.accessTokenTtlSeconds, req.maxTtlSeconds ?? Infinity),
    Date.now(),
    req.notAfter,
  );
  const { token } = signAccessToken(key, {
    issuer,
    subject: req.userId ?? req.client.clientId,
    audience: audiences.length === 1 ? audiences[0] : audiences,
    clientId: req.client.clientId,
    scope,
    ttlSeconds,
    grantId: req.grantId,
    federated: req.federated,
  });
  return { token, expiresIn: ttlSeconds, scope };
}

/**
 * The secret a refresh token is bound to: the client's current one, or (refreshed with the secret a
 * rotation replaced, in its overlap) that one, which it may not outlive.
 */
export interface SecretBinding {
  secretVersion: number;
  notAfter?: number;
}

/** A new refresh token and the row that stores it (only as a hash), not saved yet. */
export function newRefreshToken(
  ctx: HashingDeps,
  tenant: Tenant,
  client: Client,
  userId: string | null,
  scope: string,
  familyId: string,
  binding: SecretBinding = { secretVersion: client.secretVersion },
): { token: string; record: RefreshTokenRecord } {
  const token = randomSecret(REFRESH_TOKEN_PREFIX);
  const now = Date.now();
  const record: RefreshTokenRecord = {
    id: orderedUuid(now),
    tenantId: tenant.id,
    tokenHash: ctx.hasher.hash(token),
    familyId,
    clientId: client.id,
    userId,
    scope,
    secretVersion: binding.secretVersion,
    createdAt: now,
    expiresAt: now + cappedTtl(client, tenant.refreshTokenTtlSeconds, now, binding.notAfter) * 1000,
    rotatedAt: null,
    revokedAt: null,
    successorId: null,
    answerSealed: null,
    answerUntil: null,
  };
  return { token, record };
}

/**
 * Creates a refresh token (stored only as a hash) in the given transaction. Its family ties every
 * rotation of one grant together, so a replayed token can revoke them all.
 */
export async function createRefreshToken(
  ctx: HashingDeps,
  tx: UnitOfWork<'refreshTokens'>,
  tenant: Tenant,
  client: Client,
  userId: string | null,
  scope: string,
  familyId: string,
): Promise<string> {
  const { token, record } = newRefreshToken(ctx, tenant, client, userId, scope, familyId);
  await tx.refreshTokens.insert(record);
  return token;
}

/** An access token, plus a new refresh-token family (the grant the access token belongs to) when asked for. */
export async function issueTokens(
  ctx: IssueDeps,
  tenant: Tenant,
  req: IssueRequest & { withRefresh: boolean },
): Promise<TokenResponse> {
  const family = req.withRefresh ? randomUUID() : undefined;
  const at = await issueAccessToken(ctx, tenant, { ...req, grantId: family ?? req.grantId });
  const res: TokenResponse = {
    access_token: at.token,
    token_type: 'Bearer',
    expires_in: at.expiresIn,
    scope: at.scope,
  };
  if (family)
    res.refresh_token = await createRefreshToken(ctx, ctx.store, tenant, req.client, req.userId, at.scope, family);
  return res;
}
