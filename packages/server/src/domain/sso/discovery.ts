import * as oidc from 'openid-client';
import type { Sealer } from '../../crypto/master-key.js';
import type { Announcement } from '../changes.js';
import { secretAad, type IdentityProvider } from './model.js';

/**
 * openid-client refuses plain-http issuers. They are allowed only on the loopback interface (a
 * provider on the same machine, as in tests and local development): anywhere else http would let
 * the network read the code exchange and forge discovery, so such issuers are refused when saved.
 */
export function isLoopbackIssuer(issuer: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname);
}

export class IssuerProblem extends Error {
  constructor(readonly kind: 'unreachable' | 'invalid', message: string) {
    super(message);
  }
}

/** Checks an issuer URL's form before anything is fetched. */
export function parseIssuer(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new IssuerProblem('invalid', `issuer "${issuer}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackIssuer(url))) {
    throw new IssuerProblem('invalid', 'the issuer must be an https URL (plain http only on the loopback interface)');
  }
  if (url.search || url.hash) throw new IssuerProblem('invalid', 'the issuer must not have a query or fragment');
  return url;
}

/**
 * Fetches and checks the provider's discovery document (issuer matches, code flow and S256 PKCE
 * supported, a JWKS). Errors say what is wrong, never the client secret.
 */
export async function discover(issuer: string, clientId: string, clientSecret: string): Promise<oidc.Configuration> {
  const url = parseIssuer(issuer);
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(url, clientId, clientSecret, undefined, {
      ...(url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  } catch (err) {
    const e = err as Error & { code?: string; cause?: unknown };
    const network = e instanceof TypeError || e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && /status/i.test(e.message);
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    if (network || /fetch failed|ECONNREFUSED|ENOTFOUND|timed? ?out/i.test(e.message + cause)) {
      throw new IssuerProblem('unreachable', `the issuer's discovery document (${url.href.replace(/\/$/, '')}/.well-known/openid-configuration) could not be fetched: ${e.message}${cause}`);
    }
    throw new IssuerProblem('invalid', `the issuer's discovery document is not valid: ${e.message}${cause}`);
  }
  const meta = config.serverMetadata();
  if (!meta.authorization_endpoint || !meta.token_endpoint) throw new IssuerProblem('invalid', 'the discovery document has no authorization_endpoint or token_endpoint');
  if (!meta.jwks_uri) throw new IssuerProblem('invalid', 'the discovery document has no jwks_uri: ID tokens could not be verified');
  if (meta.response_types_supported && !meta.response_types_supported.includes('code')) throw new IssuerProblem('invalid', 'the provider does not support the authorization code flow (response_type=code)');
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) throw new IssuerProblem('invalid', 'the provider does not support PKCE with S256');
  return config;
}

/**
 * Discovered configurations per provider, kept in memory: a provider's change (announced to every
 * process) drops its entry, so a new secret or issuer is used at once everywhere.
 */
export class ProviderConfigs {
  private readonly configs = new Map<string, { updatedAt: number; config: Promise<oidc.Configuration> }>();

  constructor(private readonly sealer: Sealer) {}

  get(p: IdentityProvider): Promise<oidc.Configuration> {
    const hit = this.configs.get(p.id);
    if (hit && hit.updatedAt === p.updatedAt) return hit.config;
    const config = discover(p.issuer, p.clientId, this.sealer.open(p.clientSecretSealed, secretAad(p)));
    this.configs.set(p.id, { updatedAt: p.updatedAt, config });
    // A failed discovery is not kept: the next sign-in tries again.
    config.catch(() => { if (this.configs.get(p.id)?.config === config) this.configs.delete(p.id); });
    return config;
  }

  onChange(change: Announcement): void {
    if (change.type === 'idp.changed') this.configs.delete(change.idpId);
    else if (change.type === 'changes.missed') this.configs.clear();
  }
}
