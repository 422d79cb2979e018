import { timingSafeEqual } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { GrantCheckDeps, VerifyingDeps } from '../domain/tokens/deps.js';
import type { RevokedAccessTokens } from '../domain/tokens/revocations.js';
import type { TenantCache } from '../domain/tenants/cache.js';
import type { Tenant } from '../domain/tenants/model.js';
import type { Principal } from '../domain/users/principal-cache.js';
import type { SessionRecord } from '../domain/sessions/ports.js';
import type { SessionService } from '../domain/sessions/service.js';
import { checkAccessToken, type TokenRefusal } from '../domain/tokens/verify-access-token.js';
import { grantEnded } from '../domain/tokens/introspect.js';
import { Problem, forbidden, invalidToken, unauthorized, type ProblemCode } from './problem.js';
import { MAX_LENGTH } from '../domain/limits.js';
import type { AuthState } from './types.js';
import type { Actor } from '../domain/audit/actor.js';
import { SDK_CLIENT_ID } from '../domain/clients/model.js';
import { viaClientCredential } from '../domain/audit/actor.js';
import { interactiveSignInRequired } from '../domain/errors.js';
import type { ManagementScope } from '../domain/roles/management-scopes.js';
import { cookieName, secureCookies } from './cookies.js';
import { tenantHostOf, type UrlDeps } from './site.js';
import type { TenantUrls } from '../domain/tenants/urls.js';

/**
 * Management-API authentication: a bearer access token issued by the tenant, or the console's
 * session cookie. Cookies are sent by browsers on their own, so every unsafe request authenticated
 * by cookie must also prove it comes from the console (X-CSRF-Token, and Origin when present).
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route needs no authentication (sign-in). */
    public?: boolean;
    /**
     * The management scope a token of a personal client needs for this route; null for none (who
     * the caller is). Every authenticated route declares it (checked when routes are registered).
     */
    scope?: ManagementScope | null;
    /** Names a trust anchor this route changes: only an interactive sign-in may (see viaClientCredential). */
    trustAnchor?: string;
  }
}

/** Where the server is: the session cookie's name and attributes, the console's own origin (PUBLIC_URL's, or a tenant host's). */
export interface SiteDeps extends UrlDeps {
  config: Pick<Config, 'publicUrl'>;
}

/** What authenticating a management request reads: tokens' keys and revocations, grants, sessions. */
export interface AuthDeps extends SiteDeps, VerifyingDeps, GrantCheckDeps {
  revokedTokens: Pick<RevokedAccessTokens, 'revoked'>;
  /** Console sessions: the live one whose cookie holds a secret. */
  sessions: Pick<SessionService, 'find'>;
}

/** `lk_session`, or `__Host-lk_session` behind https (see cookies.ts). */
export const sessionCookie = (site: SiteDeps) => cookieName(site.config, 'lk_session');
export const CSRF_HEADER = 'x-csrf-token';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The session cookie's attributes: Secure exactly when its name carries the `__Host-` prefix (cookies.ts). */
const sessionCookieOptions = (site: SiteDeps) =>
  ({ httpOnly: true, sameSite: 'strict', path: '/', secure: secureCookies(site.config) }) as const;

export function setSessionCookie(reply: FastifyReply, site: SiteDeps, secret: string, expiresAt: number): void {
  reply.setCookie(sessionCookie(site), secret, { ...sessionCookieOptions(site), expires: new Date(expiresAt) });
}

export function clearSessionCookie(reply: FastifyReply, site: SiteDeps): void {
  reply.clearCookie(sessionCookie(site), sessionCookieOptions(site));
}

/** The origin the request's pages have: the tenant host's when it came through one, else PUBLIC_URL's. */
export function ownOrigin(site: SiteDeps, request: FastifyRequest): string {
  const host = tenantHostOf(request);
  return host === undefined ? new URL(site.config.publicUrl).origin : site.urls.hostIssuer(host);
}

/** False when the request names an origin (Origin, or Referer if asked) other than its own (ownOrigin). */
export function fromOwnOrigin(site: SiteDeps, request: FastifyRequest, useReferer = false): boolean {
  const own = ownOrigin(site, request);
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === own;
  const referer = request.headers.referer;
  if (!useReferer || referer === undefined) return true;
  try {
    return new URL(referer).origin === own;
  } catch {
    return false;
  }
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkCsrf(site: SiteDeps, request: FastifyRequest, session: SessionRecord): void {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || !sameSecret(token, session.csrfToken)) {
    throw forbidden('missing or wrong X-CSRF-Token header (required with the session cookie)', 'csrf');
  }
  if (!fromOwnOrigin(site, request)) throw forbidden('cross-origin request refused', 'csrf');
}

/** The bearer token, undefined when there is no Authorization header. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  // RFC 6750 §3.1: another scheme is no bearer token at all (no error code); a broken one is an invalid token.
  if (!/^Bearer /i.test(header)) throw unauthorized('the Authorization header must be "Bearer <access token>"');
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header);
  if (!m) throw invalidToken('token_invalid', 'the Authorization header must be "Bearer <access token>"');
  if (m[1].length > MAX_LENGTH.jwt)
    throw invalidToken('token_invalid', `the bearer token is too long (at most ${MAX_LENGTH.jwt} characters)`);
  return m[1];
}

const DISABLED = 'the account is disabled or no longer exists';

function activeUser(principal: Principal | undefined): Principal {
  if (!principal || principal.user.status !== 'active') throw unauthorized(DISABLED, 'user_disabled');
  return principal;
}

/**
 * Each refusal of a bearer token has its own code: the SDKs get a new token and retry only when that
 * can help (token_expired, token_unknown_key), and give up at once otherwise.
 */
const REFUSED: Record<TokenRefusal, [code: ProblemCode, detail: string]> = {
  expired: ['token_expired', 'Expired access token: get a new one'],
  unknown_key: [
    'token_unknown_key',
    'the access token names a signing key this tenant does not publish (as after a rotation for a suspected leak): get a new one',
  ],
  invalid: [
    'token_invalid',
    'the access token is invalid for this tenant: its signature, issuer, type or lifetime is wrong',
  ],
};

async function fromBearer(deps: AuthDeps, tenant: Tenant, token: string): Promise<AuthState> {
  // A token of the tenant's path form or of any of its hosts: the keys are the tenant's either way.
  const checked = await checkAccessToken(deps.keys, tenant, deps.issuers(tenant), token);
  if ('refused' in checked) throw invalidToken(...REFUSED[checked.refused]);
  const { claims } = checked;
  const principal = await deps.principals.get(tenant.id, claims.sub);
  // Disabling a user revokes their tokens too: the cause is the more useful answer.
  if (principal && principal.user.status !== 'active') throw invalidToken('user_disabled', DISABLED);
  if (await deps.revokedTokens.revoked(claims))
    throw invalidToken('token_revoked', 'the access token has been revoked');
  // Tokens of applications (client_credentials) act for no user, and this API is about users.
  if (!principal)
    throw forbidden("the management API needs a user's token; this token does not represent a user", 'not_a_user');
  // RFC 9068: the management API's audience is the issuer itself (user tokens always carry theirs).
  if (![claims.aud].flat().includes(claims.iss))
    throw invalidToken('token_invalid', 'the access token is not meant for this API');
  // The same rule as introspection: a revoked, expired or deactivated client's tokens are dead here too.
  const ended = await grantEnded(deps, tenant, claims.client_id, null, claims.sid);
  if (ended?.by === 'secret') throw invalidToken('token_revoked', `the access token has been revoked: ${ended.reason}`);
  if (ended)
    throw invalidToken(
      ended.by === 'user' ? 'user_disabled' : 'client_revoked',
      `the client of this access token can no longer be used: ${ended.reason}`,
    );
  return { principal, via: 'bearer', clientId: claims.client_id, scopes: claims.scope ? claims.scope.split(' ') : [] };
}

async function fromSession(deps: AuthDeps, request: FastifyRequest, tenantId?: string): Promise<AuthState | undefined> {
  const secret = request.cookies[sessionCookie(deps)];
  if (!secret) return undefined;
  const session = await deps.sessions.find(secret);
  if (!session) throw unauthorized('the session has expired or ended; sign in again', 'session_expired');
  if (tenantId !== undefined && session.tenantId !== tenantId)
    throw unauthorized('the session belongs to another tenant; sign in to this one', 'session_other_tenant');
  checkCsrf(deps, request, session);
  const principal = activeUser(await deps.principals.get(session.tenantId, session.userId));
  return { principal, via: 'session', csrfToken: session.csrfToken, sessionHash: session.idHash };
}

/** RFC 6750 §3.1: the token lacks a scope this route needs. */
function insufficientScope(scope: ManagementScope): Problem {
  return new Problem(
    'insufficient_scope',
    `this token lacks the scope ${scope}: create the personal client with all of your permissions, or with ${scope} among its scopes`,
    { requiredScope: scope },
    { 'www-authenticate': `Bearer realm="latchkey", error="insufficient_scope", scope="${scope}"` },
  );
}

/**
 * The management API checks a token's scopes like any resource API, and trust anchors refuse client
 * credentials. A console session and a token of the user's own sign-in (the built-in public client)
 * act with the user's full power; the roles decide the rest (requireManager and the domain).
 */
function authorize(request: FastifyRequest, auth: AuthState): void {
  if (!viaClientCredential(actorOf(request))) return;
  const { scope, trustAnchor } = request.routeOptions.config;
  if (trustAnchor !== undefined) throw interactiveSignInRequired(trustAnchor);
  if (scope && !auth.scopes?.includes(scope)) throw insufficientScope(scope);
}

/**
 * onRoute hook: every authenticated route says which management scope it needs (or null), so a
 * route added without one fails at start-up rather than open to every token.
 */
export function requireScopeDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as FastifyContextConfig;
    if (config.public) return;
    if (config.scope === undefined)
      throw new Error(
        `${route.method} ${route.url}: declare config.scope (a management scope, or null) or config.public`,
      );
    // The OpenAPI document says what a client's token needs (OpenAPI 3.1 lets any scheme list scopes).
    if (route.schema && config.scope) {
      route.schema.security = [{ bearer: [config.scope] }, { session: [] }];
      const needs =
        config.trustAnchor !== undefined
          ? `Only an interactive sign-in (the console session, or a token of your own sign-in through ${SDK_CLIENT_ID}): a personal client's token is refused.`
          : `A personal client's token needs the scope ${config.scope}.`;
      route.schema.description = [route.schema.description, needs].filter(Boolean).join(' ');
    }
  });
}

/** onRequest hook for `/t/:tenant/api/v1`: every route not marked `public` needs a user of this tenant. */
export function authenticate(deps: AuthDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config.public) return;
    const token = bearerToken(request);
    const auth =
      token !== undefined
        ? await fromBearer(deps, request.tenant, token)
        : await fromSession(deps, request, request.tenant.id);
    if (!auth) throw unauthorized('sign in, or send an access token as "Authorization: Bearer <token>"');
    request.auth = auth;
    authorize(request, auth);
  };
}

/** Route-level onRequest hook: only domain managers of the tenant. */
export async function requireManager(request: FastifyRequest): Promise<void> {
  if (!request.auth?.principal.isManager) throw forbidden('only domain managers may do this');
}

/**
 * onRequest hook for `/platform/api/v1`: a platform administrator signed in to any tenant. The path
 * names no tenant, so a bearer token's (unverified) issuer says which tenant's keys to verify it with.
 */
export function authenticatePlatform(
  deps: AuthDeps & { tenants: Pick<TenantCache, 'get'>; urls: Pick<TenantUrls, 'slugOfIssuer'> },
) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    let auth: AuthState | undefined;
    if (token !== undefined) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        throw invalidToken('token_invalid', 'the access token is not a JWT');
      }
      // Either form: PUBLIC_URL/t/{slug}, or a tenant host's URL.
      const slug = typeof iss === 'string' ? deps.urls.slugOfIssuer(iss) : undefined;
      const tenant = slug === undefined ? undefined : await deps.tenants.get(slug);
      if (!tenant) throw invalidToken('token_invalid', 'the access token was not issued by a tenant of this server');
      auth = await fromBearer(deps, tenant, token);
    } else {
      auth = await fromSession(deps, request);
    }
    if (!auth) throw unauthorized('sign in, or send an access token as "Authorization: Bearer <token>"');
    if (!auth.principal.user.platformAdmin) throw forbidden('only platform administrators may do this');
    request.auth = auth;
    authorize(request, auth);
  };
}

/** The signed-in user as the audit log records them, with the client whose token carried the call. */
export function actorOf(request: FastifyRequest, type: Actor['type'] = 'user'): Actor {
  const auth = request.auth!;
  return { type, id: auth.principal.user.id, ...(auth.clientId !== undefined ? { clientId: auth.clientId } : {}) };
}

/**
 * Hook for every route that mints a credential (a personal client, an application secret or JWKS, a
 * .tok file, a password). A credential never mints a credential: a token of a personal client would
 * otherwise beget clients that outlive it. Only the account's own sign-in may: the console session,
 * or a token of the password grant through the built-in public client.
 */
export async function mintsCredential(request: FastifyRequest): Promise<void> {
  if (request.auth && !viaClientCredential(actorOf(request))) return;
  throw forbidden(
    `a token of a personal client or application cannot create credentials (personal clients, application secrets or keys, token files, passwords): sign in to the console, or use a token of your own sign-in through ${SDK_CLIENT_ID}`,
    'credential_minting',
  );
}
