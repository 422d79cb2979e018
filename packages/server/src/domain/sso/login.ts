import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { UnitOfWork } from '../ports.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { CredentialThrottle } from '../throttle/credential-throttle.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { Tenant } from '../tenants/model.js';
import type { User } from '../users/model.js';
import { createUser } from '../users/service.js';
import { SYSTEM } from '../audit/actor.js';
import { isProviderUrl, providerFailure, type ProviderConfigs } from './discovery.js';
import { acceptableName } from '../names.js';
import { emailDomain, idTokenAad, LOGIN_STATE_TTL_MS, verifierAad, type IdentityProvider } from './model.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

/** Why an SSO sign-in failed; each has its own page (http/routes/sso-login.ts). */
export type SsoFailure =
  | 'no_provider'
  | 'throttled'
  | 'state'
  | 'browser'
  | 'denied'
  | 'provider_error'
  | 'unreachable'
  | 'invalid_response'
  | 'unverified'
  | 'foreign_email'
  | 'no_account'
  | 'disabled'
  | 'not_allowed';

export class SsoError extends Error {
  constructor(
    readonly reason: SsoFailure,
    message: string,
    readonly extra: { retryAfter?: number; providerError?: ProviderErrorCode } = {},
  ) {
    super(message);
  }
}

/**
 * Failures that happen before a state this server issued is found: nothing ties them to a sign-in
 * anyone started, so they are not audited (any caller could otherwise write rows at will).
 */
export const beforeAnyAttempt = (reason: SsoFailure) => reason === 'throttled' || reason === 'state';

/**
 * The authorization error codes a provider may send back (RFC 6749 §4.1.2.1, OpenID Connect Core
 * §3.1.2.6). The callback's `error` is caller-controlled text: only one of these, or `other`, is kept.
 */
const PROVIDER_ERRORS = [
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERRORS)[number] | 'other';
const providerError = (error: string): ProviderErrorCode =>
  (PROVIDER_ERRORS as readonly string[]).includes(error) ? (error as ProviderErrorCode) : 'other';

/** What a sign-in through a provider uses. */
export interface SsoLoginDeps {
  /** The identity providers and pending logins, accounts (found, or provisioned with no roles) and the audit trail. */
  store: UnitOfWork<'identityProviders' | 'users' | 'roles' | 'changes' | AuditKinds>;
  sealer: Pick<Sealer, 'seal' | 'open'>;
  /** Sign-ins started and not finished, per address (SSO_THROTTLE). */
  throttle: Pick<CredentialThrottle, 'retryAfter' | 'fail' | 'succeed'>;
  /** The providers' discovered configurations. */
  configs: Pick<ProviderConfigs, 'get'>;
}

/**
 * Where a sign-in happens: the tenant's URL the browser used (`PUBLIC_URL/t/{slug}`, or a tenant
 * host's) and its console there. The redirect URI is derived from it, so a sign-in started at a
 * tenant host comes back to that host (the provider must list that redirect URI too).
 */
export interface SignInSite {
  /** The tenant's base URL (its issuer); the redirect URI is its `/login/sso/callback`. */
  issuer: string;
  /** The console's home path: `/console/t/{slug}/`, or `/console/` at a tenant host. */
  consolePath: string;
  /** The console's home as an absolute URL (the provider's post-logout redirect). */
  consoleUrl: string;
}

/** An address that keeps starting sign-ins it never finishes, or presenting unknown states, waits (SSO_THROTTLE). */
async function throttled(ctx: SsoLoginDeps, tenant: Tenant, ip: string): Promise<void> {
  const retryAfter = await ctx.throttle.retryAfter(tenant.id, ip);
  if (retryAfter > 0)
    throw new SsoError('throttled', `too many unfinished sign-ins from this address; retry in ${retryAfter} s`, {
      retryAfter,
    });
}

/** The redirect URI of sign-ins at the tenant URL `tenantUrl` (PUBLIC_URL/t/{slug}, or a tenant host's). */
export const redirectUri = (tenantUrl: string) => `${tenantUrl}/login/sso/callback`;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Whether the callback comes from the browser that started the sign-in (login CSRF: a callback URL
 * from someone else's sign-in must not sign this browser in). The binding is a random value of its
 * own, not the state: the state travels in URLs (the provider's logs, the browser's history), the
 * binding only in an HttpOnly cookie, so a leaked callback URL cannot be finished elsewhere either.
 * Only its hash is stored; the hashes are compared in constant time.
 */
function sameBrowser(bindingHash: string | null, binding: string | undefined): boolean {
  if (!bindingHash || !binding) return false;
  const stored = Buffer.from(bindingHash, 'base64url');
  const presented = createHash('sha256').update(binding).digest();
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/** Only a path of this tenant's console: anything else (another site, another tenant) is ignored. */
export function safeNext(site: Pick<SignInSite, 'consolePath'>, next: string | undefined): string {
  const home = site.consolePath;
  if (!next || !next.startsWith(home) || next.includes('\\') || /[\u0000-\u001f]/.test(next)) return home;
  try {
    const u = new URL(next, 'http://x');
    return u.origin === 'http://x' && u.pathname.startsWith(home) ? u.pathname + u.search + u.hash : home;
  } catch {
    return home;
  }
}

async function configFor(ctx: SsoLoginDeps, p: IdentityProvider): Promise<oidc.Configuration> {
  try {
    return await ctx.configs.get(p);
  } catch (err) {
    // An IssuerProblem: its message already gives only a coarse class of a network failure.
    throw new SsoError('unreachable', (err as Error).message);
  }
}

/** A failed token or userinfo request (JWKS included), in words that map nothing behind the provider's URLs. */
function requestFailed(err: unknown): SsoError {
  const { unreachable, reason } = providerFailure(err);
  return new SsoError(unreachable ? 'unreachable' : 'invalid_response', reason);
}

export interface SsoStart {
  /** The provider's authorization URL. */
  url: string;
  /** For the starting browser's cookie; the callback must present it (see sameBrowser). */
  binding: string;
}

/**
 * Starts the code flow: a pending login (state, nonce, sealed PKCE verifier, the hash of the
 * browser binding) in the database, and the provider's URL.
 */
export async function startSsoLogin(
  ctx: SsoLoginDeps,
  tenant: Tenant,
  site: SignInSite,
  idpId: string | undefined,
  next: string | undefined,
  ip: string,
): Promise<SsoStart> {
  await throttled(ctx, tenant, ip);
  // Every start counts until a sign-in from this address finishes (which forgets the count).
  await ctx.throttle.fail(tenant.id, ip);
  const enabled = (await ctx.store.identityProviders.list(tenant.id)).filter((p) => p.enabled);
  const p = idpId ? enabled.find((e) => e.id === idpId) : enabled.length === 1 ? enabled[0] : undefined;
  if (!p)
    throw new SsoError(
      'no_provider',
      idpId
        ? 'this identity provider does not exist or is disabled'
        : enabled.length
          ? 'several identity providers: choose one (idp parameter)'
          : 'this domain has no identity provider',
    );
  const config = await configFor(ctx, p);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const verifier = oidc.randomPKCECodeVerifier();
  const binding = randomBytes(32).toString('base64url');
  const stateHash = sha256(state);
  await ctx.store.identityProviders.insertState({
    stateHash,
    tenantId: tenant.id,
    idpId: p.id,
    nonce,
    next: safeNext(site, next),
    codeVerifierSealed: ctx.sealer.seal(verifier, verifierAad(tenant.id, stateHash)),
    expiresAt: Date.now() + LOGIN_STATE_TTL_MS,
    bindingHash: sha256(binding),
  });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(site.issuer),
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  }).href;
  return { url, binding };
}

export interface SsoSignIn {
  user: User;
  idp: IdentityProvider;
  idTokenSealed: string | null;
  next: string;
}

/**
 * The callback: the state is consumed first (one database round trip, nothing fetched, so a forged
 * or replayed callback is cheap to refuse), then the browser must be the one that started it
 * (`binding`, from its cookie; a mismatch burns the state too); then the code is exchanged and the
 * ID token checked by openid-client (issuer, audience, signature through the provider's JWKS,
 * expiry, nonce, PKCE). The account is found by verified email of an allowed domain, in this
 * tenant only, or provisioned.
 */
export async function finishSsoLogin(
  ctx: SsoLoginDeps,
  tenant: Tenant,
  currentUrl: URL,
  binding: string | undefined,
  ip: string,
): Promise<SsoSignIn> {
  await throttled(ctx, tenant, ip);
  const state = currentUrl.searchParams.get('state');
  const pending =
    state && state.length <= 512
      ? await ctx.store.identityProviders.consumeState(tenant.id, sha256(state), Date.now())
      : undefined;
  if (!pending) {
    await ctx.throttle.fail(tenant.id, ip);
    throw new SsoError('state', 'unknown, expired or already used state');
  }
  if (!sameBrowser(pending.bindingHash, binding))
    throw new SsoError('browser', 'the callback came from a browser other than the one that started the sign-in');
  const error = currentUrl.searchParams.get('error');
  if (error === 'access_denied') throw new SsoError('denied', 'the user or the provider denied the sign-in');
  if (error !== null) {
    const code = providerError(error);
    throw new SsoError('provider_error', `the provider answered ${code}`, { providerError: code });
  }
  const idp = await ctx.store.identityProviders.byId(tenant.id, pending.idpId);
  if (!idp || !idp.enabled)
    throw new SsoError('no_provider', 'the identity provider was removed or disabled during the sign-in');
  const config = await configFor(ctx, idp);

  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: ctx.sealer.open(pending.codeVerifierSealed, verifierAad(tenant.id, pending.stateHash)),
      expectedState: state!,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw requestFailed(err);
  }
  const claims = tokens.claims()!;
  let email = typeof claims.email === 'string' ? claims.email : undefined;
  let verified = claims.email_verified;
  // Providers that keep email out of the ID token give it at the userinfo endpoint.
  if (email === undefined && tokens.access_token) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      email = typeof info.email === 'string' ? info.email : undefined;
      verified = info.email_verified;
    } catch (err) {
      throw requestFailed(err);
    }
  }
  if (!email) throw new SsoError('unverified', 'the provider gave no email address');
  email = email.trim().toLowerCase();
  if (verified !== true) throw new SsoError('unverified', `the provider has not verified ${email}`);
  if (!idp.allowedEmailDomains.includes(emailDomain(email)))
    throw new SsoError('foreign_email', `${email} is not in the provider's allowed email domains`);

  let user = await ctx.store.users.byEmail(tenant.id, email);
  // A provider run by a domain manager must never sign anyone in as a platform administrator.
  if (user?.platformAdmin) throw new SsoError('not_allowed', 'platform administrators sign in with their password');
  if (user && user.status !== 'active') throw new SsoError('disabled', 'the account is disabled');
  if (!user) {
    if (!idp.jitProvisioning)
      throw new SsoError('no_account', `no account for ${email} and the provider does not create accounts`);
    // The provider's display name follows the one name rule; when it does not, the email stands in.
    const name = typeof claims.name === 'string' ? (acceptableName(claims.name.trim().slice(0, 200), 200) ?? '') : '';
    // No roles: a provisioned user starts with what every user of the domain has.
    user = await createUser(ctx.store, tenant, { email, displayName: name, roleIds: [] }, SYSTEM);
    await recordAudit(ctx.store, {
      tenantId: tenant.id,
      actorType: 'system',
      actorId: null,
      action: 'user.provisioned',
      targetType: 'user',
      targetId: user.id,
      details: { email, idpId: idp.id },
    });
  }
  const idTokenSealed = tokens.id_token ? ctx.sealer.seal(tokens.id_token, idTokenAad(tenant.id, user.id)) : null;
  await ctx.throttle.succeed(tenant.id, ip);
  return { user, idp, idTokenSealed, next: pending.next };
}

/**
 * The provider's logout URL for an SSO session, when it publishes one (RP-initiated logout) that
 * passes the rule for provider URLs: checked again here for providers saved before the rule.
 */
export function endSessionUrl(
  ctx: Pick<SsoLoginDeps, 'sealer'>,
  tenant: Tenant,
  site: Pick<SignInSite, 'consoleUrl'>,
  idp: IdentityProvider,
  idTokenSealed: string | null,
  userId: string,
): string | undefined {
  if (!hasEndSession(idp)) return undefined;
  const url = new URL(idp.endSessionEndpoint!);
  if (idTokenSealed)
    url.searchParams.set('id_token_hint', ctx.sealer.open(idTokenSealed, idTokenAad(tenant.id, userId)));
  url.searchParams.set('client_id', idp.clientId);
  url.searchParams.set('post_logout_redirect_uri', `${site.consoleUrl}sign-in`);
  return url.href;
}

/** Whether sign-out can offer the provider's end-session URL. */
export function hasEndSession(idp: IdentityProvider): boolean {
  return idp.endSessionEndpoint !== null && isProviderUrl(idp.endSessionEndpoint);
}

/** Console sign-in through the domain's OpenID Connect providers, and sign-out at them. */
export class SsoLoginService {
  constructor(private readonly deps: SsoLoginDeps) {}

  start(
    tenant: Tenant,
    site: SignInSite,
    idpId: string | undefined,
    next: string | undefined,
    ip: string,
  ): Promise<SsoStart> {
    return startSsoLogin(this.deps, tenant, site, idpId, next, ip);
  }

  finish(tenant: Tenant, currentUrl: URL, binding: string | undefined, ip: string): Promise<SsoSignIn> {
    return finishSsoLogin(this.deps, tenant, currentUrl, binding, ip);
  }

  /**
   * Audits a failed sign-in that this server started (see beforeAnyAttempt): the reason and
   * Latchkey's own message; of the provider's error only its code, never a token, the query (the
   * code) or a caller's text.
   */
  async failed(tenant: Tenant, err: SsoError): Promise<void> {
    if (beforeAnyAttempt(err.reason)) return;
    const { providerError } = err.extra;
    await recordAudit(this.deps.store, {
      tenantId: tenant.id,
      actorType: 'system',
      actorId: null,
      action: 'session.sso_failed',
      targetType: 'tenant',
      targetId: tenant.id,
      details: providerError
        ? { reason: err.reason, error: providerError }
        : { reason: err.reason, message: err.message.slice(0, 300) },
    });
  }

  /** The provider's logout URL for a session that began at a provider which publishes one. */
  async endSessionUrl(
    tenant: Tenant,
    site: Pick<SignInSite, 'consoleUrl'>,
    session: SessionRecord,
  ): Promise<string | undefined> {
    if (session.method !== 'sso' || !session.idpId) return undefined;
    const idp = await this.deps.store.identityProviders.byId(tenant.id, session.idpId);
    return idp && endSessionUrl(this.deps, tenant, site, idp, session.idTokenSealed ?? null, session.userId);
  }
}
