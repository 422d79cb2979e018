import * as oidc from 'openid-client';
import type { Sealer } from '../../crypto/master-key.js';
import type { Announcement } from '../changes.js';
import { isHttpsOrLoopback, outboundFailure, type OutboundGuard } from '../../lib/outbound-guard.js';
import { secretAad, type IdentityProvider } from './model.js';

export class IssuerProblem extends Error {
  constructor(
    readonly kind: 'unreachable' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks an issuer URL's form before anything is fetched. openid-client refuses plain-http issuers;
 * they are allowed only on a loopback host (a provider on the same machine, as in tests and local
 * development): anywhere else http would let the network read the code exchange and forge
 * discovery. Which addresses may be reached at all is the outbound guard's call.
 */
export function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new IssuerProblem('invalid', `issuer "${issuer}" is not a URL`);
  }
  if (!isProviderUrl(issuer)) {
    throw new IssuerProblem('invalid', 'the issuer must be an https URL (plain http only on the loopback interface)');
  }
  if (url.search || url.hash) throw new IssuerProblem('invalid', 'the issuer must not have a query or fragment');
  return url;
}

/**
 * The rule for every URL a provider names (its issuer, and the endpoints of its discovery
 * document): https, or plain http on a loopback host. Anything else (`javascript:`, `data:`, http
 * across a network) is never fetched, redirected to or offered as a link.
 */
export function isProviderUrl(raw: string): boolean {
  try {
    return isHttpsOrLoopback(new URL(raw));
  } catch {
    return false;
  }
}

// The endpoints Latchkey fetches (token, JWKS, userinfo) or sends the browser to (authorization, end session).
const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
] as const;

/**
 * What a failed request to a provider may say: for the network, a coarse class (`connection
 * failed`, `timeout`, `TLS error`, `address not allowed`, `HTTP 404`) that maps no port or service
 * behind the URL; otherwise openid-client's own words, never its cause (which may quote the answer).
 */
export function providerFailure(err: unknown): { unreachable: boolean; reason: string } {
  const e = err as (Error & { code?: string; cause?: unknown }) | undefined;
  const status = (e?.cause as { status?: unknown } | undefined)?.status;
  if (e?.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && typeof status === 'number')
    return { unreachable: true, reason: `HTTP ${status}` };
  if (
    (e instanceof TypeError && e.message === 'fetch failed') ||
    e?.name === 'TimeoutError' ||
    e?.name === 'AbortError'
  ) {
    return { unreachable: true, reason: outboundFailure(err) };
  }
  return { unreachable: false, reason: e?.message ?? 'unexpected failure' };
}

/**
 * Fetches an issuer's OpenID Connect discovery document (openid-client checks that it names this
 * very issuer), with the bounds every request to a provider has: through the outbound guard, ten
 * seconds at most, failures said as IssuerProblem (`unreachable` or `invalid`). SSO providers and
 * the issuers that federation policies trust are discovered alike.
 */
export async function discoverIssuer(
  outbound: OutboundGuard,
  issuer: string,
  clientId: string,
  clientSecret?: string,
): Promise<oidc.Configuration> {
  const url = parseIssuer(issuer);
  try {
    return await oidc.discovery(url, clientId, clientSecret, undefined, {
      ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      [oidc.customFetch]: outbound.fetch,
      timeout: 10,
    });
  } catch (err) {
    const failure = providerFailure(err);
    if (failure.unreachable) {
      throw new IssuerProblem(
        'unreachable',
        `the issuer's discovery document (${url.href.replace(/\/$/, '')}/.well-known/openid-configuration) could not be fetched: ${failure.reason}`,
      );
    }
    throw new IssuerProblem('invalid', `the issuer's discovery document is not valid: ${failure.reason}`);
  }
}

/**
 * Fetches and checks the provider's discovery document (issuer matches, code flow and S256 PKCE
 * supported, a JWKS). Every request to the provider, now and later (token, JWKS, userinfo), goes
 * through the outbound guard. Errors say what is wrong, never the client secret.
 */
export async function discover(
  outbound: OutboundGuard,
  issuer: string,
  clientId: string,
  clientSecret: string,
): Promise<oidc.Configuration> {
  const config = await discoverIssuer(outbound, issuer, clientId, clientSecret);
  const meta = config.serverMetadata();
  if (!meta.authorization_endpoint || !meta.token_endpoint)
    throw new IssuerProblem('invalid', 'the discovery document has no authorization_endpoint or token_endpoint');
  if (!meta.jwks_uri)
    throw new IssuerProblem('invalid', 'the discovery document has no jwks_uri: ID tokens could not be verified');
  for (const name of ENDPOINTS) {
    const value = meta[name];
    if (value !== undefined && !(typeof value === 'string' && isProviderUrl(value))) {
      throw new IssuerProblem(
        'invalid',
        `the discovery document's ${name} must be an https URL (plain http only on the loopback interface)`,
      );
    }
  }
  if (meta.response_types_supported && !meta.response_types_supported.includes('code'))
    throw new IssuerProblem(
      'invalid',
      'the provider does not support the authorization code flow (response_type=code)',
    );
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256'))
    throw new IssuerProblem('invalid', 'the provider does not support PKCE with S256');
  return config;
}

/** How long a failed discovery is answered from memory before the provider is asked again. */
export const FAILED_DISCOVERY_MS = 30_000;

/**
 * Discovered configurations per provider, kept in memory: a provider's change (announced to every
 * process) drops its entry, so a new secret or issuer is used at once everywhere. A failed discovery
 * is kept too, for FAILED_DISCOVERY_MS: while a provider is down, sign-ins are refused from memory
 * instead of each one (anyone may start one) fetching its discovery document again.
 */
export class ProviderConfigs {
  private readonly configs = new Map<
    string,
    { updatedAt: number; config: Promise<oidc.Configuration>; failedAt?: number }
  >();

  constructor(
    private readonly sealer: Sealer,
    private readonly outbound: OutboundGuard,
    private readonly now: () => number = Date.now,
  ) {}

  get(p: IdentityProvider): Promise<oidc.Configuration> {
    const hit = this.configs.get(p.id);
    if (
      hit &&
      hit.updatedAt === p.updatedAt &&
      (hit.failedAt === undefined || this.now() - hit.failedAt < FAILED_DISCOVERY_MS)
    )
      return hit.config;
    const entry: { updatedAt: number; config: Promise<oidc.Configuration>; failedAt?: number } = {
      updatedAt: p.updatedAt,
      config: discover(this.outbound, p.issuer, p.clientId, this.sealer.open(p.clientSecretSealed, secretAad(p))),
    };
    this.configs.set(p.id, entry);
    entry.config.catch(() => {
      entry.failedAt = this.now();
    });
    return entry.config;
  }

  onChange(change: Announcement): void {
    if (change.type === 'idp.changed') this.configs.delete(change.idpId);
    else if (change.type === 'changes.missed') this.configs.clear();
  }
}
