import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { Tenant } from '../domain/tenants/model.js';
import type { Principal, PrincipalCache } from '../domain/users/principal-cache.js';
import type { ClientCache } from '../domain/clients/cache.js';
import type { SecretHasher } from '../crypto/secrets.js';
import type { CredentialThrottle } from '../domain/throttle/credential-throttle.js';
import { clientUnusableReason } from '../domain/clients/policy.js';
import { overlapLive, type Client } from '../domain/clients/model.js';
import { InvalidClient, InvalidGrant, InvalidRequest, TooManyAttempts } from './errors.js';
import { AssertionError, verifyClientJwt, type AssertionDeps } from './assertion.js';
import { bounded, type Params } from './params.js';
import { MAX_LENGTH } from '../domain/limits.js';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FAILED = 'client authentication failed';

/** What authenticating a client reads: the client and its owner (cached), secrets' hashes, the throttle. */
export interface ClientAuthDeps extends AssertionDeps {
  clients: Pick<ClientCache, 'get'>;
  principals: Pick<PrincipalCache, 'get'>;
  hasher: Pick<SecretHasher, 'verify'>;
  throttle: { clients: Pick<CredentialThrottle, 'retryAfter' | 'fail'> };
}

export interface AuthenticatedClient {
  client: Client;
  method: AuthMethod;
  /** The owner of a personal client. */
  owner?: Principal;
  /**
   * The secret presented was the one a rotation replaced, in its overlap: what it obtains ends
   * with it (see secret-rotation.ts).
   */
  previousSecret?: true;
}

// RFC 6749 §2.3.1: both parts are form-urlencoded before being joined. Latchkey's client ids and
// secrets hold neither '%' nor '+', so theirs come back as they are.
const formDecode = (s: string) => (s.includes('%') || s.includes('+') ? decodeURIComponent(s.replace(/\+/g, ' ')) : s);

function decodeBasic(header: string): { id: string; secret: string } {
  const raw = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = raw.indexOf(':');
  if (colon < 0) throw new InvalidClient('malformed Basic credentials', true);
  try {
    return { id: formDecode(raw.slice(0, colon)), secret: formDecode(raw.slice(colon + 1)) };
  } catch {
    throw new InvalidClient('malformed Basic credentials', true);
  }
}

/**
 * Authenticates the client of an OAuth request by exactly one method. Unknown clients and wrong
 * secrets get the same answer, secrets are compared in constant time, and failures (only) are
 * throttled per (client, address) and per address, never for a client_id everywhere (see CLIENT_THROTTLE).
 */
export async function authenticateClient(
  deps: ClientAuthDeps,
  tenant: Tenant,
  request: FastifyRequest,
  params: Params,
  allowPublic: boolean,
): Promise<AuthenticatedClient> {
  const header = request.headers.authorization;
  const basic = header !== undefined && header.slice(0, 6).toLowerCase() === 'basic ';
  const methods =
    (basic ? 1 : 0) + (params.client_secret !== undefined ? 1 : 0) + (params.client_assertion !== undefined ? 1 : 0);
  if (methods > 1) throw new InvalidRequest('use exactly one client authentication method');

  const refuse = (description: string) => new InvalidClient(description, basic);
  bounded(params.client_assertion, 'client_assertion', MAX_LENGTH.jwt, refuse);
  let clientId: string | undefined;
  let secret: string | undefined;
  let method: AuthMethod;
  if (basic) {
    ({ id: clientId, secret } = decodeBasic(header!));
    if (params.client_id !== undefined && params.client_id !== clientId)
      throw new InvalidRequest('client_id does not match the Basic credentials');
    method = 'client_secret_basic';
  } else if (params.client_assertion !== undefined) {
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION)
      throw new InvalidRequest(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    try {
      clientId = params.client_id ?? decodeJwt(params.client_assertion).iss;
    } catch {
      throw new InvalidClient('client_assertion is not a JWT');
    }
    method = 'private_key_jwt';
  } else if (params.client_secret !== undefined) {
    clientId = params.client_id;
    secret = params.client_secret;
    method = 'client_secret_post';
  } else {
    clientId = params.client_id;
    method = 'none';
  }
  if (!clientId) throw new InvalidClient('client authentication is required', false);
  bounded(clientId, 'client_id', MAX_LENGTH.clientId, refuse);
  bounded(secret, 'client_secret', MAX_LENGTH.secret, refuse);

  // A 256-bit secret cannot be guessed, so the throttle only slows down abuse: the credential is
  // checked first and a right one costs no throttle work. A wrong one is refused with 429 while its
  // (client, address) or its address is locked (not counted then, so a lock always ends), and is
  // counted otherwise.
  const throttleKey = `${tenant.id}:${clientId}`;
  const fail = async (description = FAILED): Promise<never> => {
    const wait = await deps.throttle.clients.retryAfter(throttleKey, request.ip);
    if (wait > 0) throw new TooManyAttempts(wait);
    await deps.throttle.clients.fail(throttleKey, request.ip);
    throw new InvalidClient(description, basic);
  };

  const client = await deps.clients.get(tenant.id, clientId);
  if (!client) return fail();
  const c = client;
  let previousSecret = false;
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (c.kind === 'public') await fail();
      // The current secret first: a right one costs what it always did. Only a mismatch during a
      // rotation's overlap is compared (in constant time too) with the replaced secret.
      if (!deps.hasher.verify(secret!, c.secretHash)) {
        previousSecret = overlapLive(c) && deps.hasher.verify(secret!, c.previousSecretHash);
        if (!previousSecret) await fail();
      }
      break;
    case 'private_key_jwt':
      try {
        await verifyClientJwt(deps, tenant, c, params.client_assertion!, c.clientId);
      } catch (err) {
        await fail(err instanceof AssertionError ? err.message : FAILED);
      }
      break;
    case 'none':
      if (c.kind !== 'public') throw new InvalidClient('this client must authenticate', false);
      if (!allowPublic) throw new InvalidClient('public clients cannot use this endpoint', false);
      break;
  }
  const owner = c.ownerUserId ? await deps.principals.get(tenant.id, c.ownerUserId) : undefined;
  const reason = clientUnusableReason(tenant, c, owner);
  if (reason) throw new InvalidClient(reason, basic);
  return previousSecret ? { client: c, method, owner, previousSecret } : { client: c, method, owner };
}

/**
 * RFC 7523 §3.1: with the jwt-bearer grant and no client authentication, the assertion's issuer
 * (read unverified here) names the client and the assertion itself (verified by the grant) is the proof.
 */
export async function identifyAssertionClient(
  deps: Pick<ClientAuthDeps, 'clients'>,
  tenant: Tenant,
  assertion: string,
): Promise<AuthenticatedClient> {
  let clientId: unknown;
  try {
    clientId = decodeJwt(assertion).iss;
  } catch {
    /* not a JWT: no issuer */
  }
  const client = typeof clientId === 'string' && clientId ? await deps.clients.get(tenant.id, clientId) : undefined;
  if (!client || client.kind === 'public') throw new InvalidGrant('assertion issuer is not a registered client');
  const reason = clientUnusableReason(tenant, client, undefined);
  if (reason) throw new InvalidClient(reason);
  return { client, method: 'private_key_jwt' };
}
