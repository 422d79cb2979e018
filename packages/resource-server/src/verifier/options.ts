// The verifier's options, their defaults, and the checks that refuse unsafe ones at construction.
import type { FetchLike } from './fetch-json.js';
import type { IntrospectionOptions } from './introspection.js';
import type { JwksFetchEvent } from './jwks-cache.js';
import { checkIssuers } from './issuers.js';

export type VerifierEvent =
  | ({ type: 'jwks' } & JwksFetchEvent)
  | { type: 'metadata'; tenant: string; outcome: 'found' | 'unknown' | 'failed'; error?: string };

export interface VerifierOptions {
  /**
   * Base URL of the Latchkey authorization server, e.g. `https://login.example.com` (no tenant path):
   * every tenant's issuer is `{latchkeyUrl}/t/{tenant}`, found by discovery. This, `issuers`, or both.
   */
  latchkeyUrl?: string;
  /**
   * Tenants' issuers, in either form: `{ acme: 'https://acme.id.example.com' }` (a tenant at its own
   * host) or `{ acme: 'https://login.example.com/t/acme' }`; a list accepts each. A token of a listed
   * tenant naming one of them is checked against that issuer's metadata (RFC 8414 address); others
   * fall back to `latchkeyUrl`, or are refused without it.
   */
  issuers?: Record<string, string | readonly string[]>;
  /** This API's audience; a token must name it in `aud`. Several: any one suffices. */
  audience: string | string[];
  /** Allowed signature algorithms. Default `['ES256']`; `none` and HMAC (`HS*`) are refused outright. */
  algorithms?: string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /**
   * The longest lifetime (`exp` - `iat`) a token may have, in seconds. Default 86400 (24 h, the
   * longest access-token lifetime a Latchkey tenant can set): a leaked signing key cannot mint tokens
   * that outlive a rotation by years. Lower it to your tenants' lifetime for a tighter bound.
   */
  maxTokenLifetimeSeconds?: number;
  /** A token with an unknown kid refetches the JWKS at most once per this many seconds. Default 30. */
  jwksRefetchIntervalSeconds?: number;
  /** Keys older than this are refreshed in the background. Default 600. */
  jwksMaxAgeSeconds?: number;
  /** Tenant metadata older than this is refreshed in the background. Default 3600. */
  metadataMaxAgeSeconds?: number;
  /** Timeout of each call to the authorization server, in ms. Default 5000. */
  timeoutMs?: number;
  /** Ask the authorization server about every token (RFC 7662) as well, to see revocations at once. */
  introspection?: IntrospectionOptions;
  /** Replaces global fetch (tests count calls with it). */
  fetch?: FetchLike;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Metadata and key fetches, for logs. */
  onEvent?: (event: VerifierEvent) => void;
}

export const DEFAULT_ALGORITHMS = ['ES256'];
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;
// Asymmetric only: a symmetric alg would let anyone holding the public key forge tokens.
const ASYMMETRIC = new Set([
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
]);

/**
 * Throws a TypeError for unusable or unsafe options; returns the algorithm allow-list and the
 * normalised issuers.
 */
export function checkOptions(o: VerifierOptions): { algorithms: string[]; issuers: Map<string, string[]> } {
  if (o.latchkeyUrl === undefined && o.issuers === undefined)
    throw new TypeError('give latchkeyUrl (every tenant of one server), issuers (named tenants), or both');
  if (o.latchkeyUrl !== undefined) {
    try {
      new URL(o.latchkeyUrl);
    } catch {
      throw new TypeError(`latchkeyUrl must be an absolute URL, got ${JSON.stringify(o.latchkeyUrl)}`);
    }
  }
  const issuers = checkIssuers(o.issuers ?? {});
  const auds = Array.isArray(o.audience) ? o.audience : [o.audience];
  if (auds.length === 0 || auds.some((a) => typeof a !== 'string' || !a))
    throw new TypeError('audience must be a non-empty string');
  const algorithms = o.algorithms ?? DEFAULT_ALGORITHMS;
  const bad = algorithms.filter((a) => !ASYMMETRIC.has(a));
  if (algorithms.length === 0 || bad.length) {
    throw new TypeError(
      `algorithms must be asymmetric signature algorithms (${[...ASYMMETRIC].join(', ')}); refused: ${bad.join(', ') || '(empty list)'}`,
    );
  }
  const skew = o.clockToleranceSeconds ?? 30;
  if (!(skew >= 0 && skew <= 300)) throw new TypeError('clockToleranceSeconds must be between 0 and 300');
  const lifetime = o.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1)
    throw new TypeError(`maxTokenLifetimeSeconds must be a positive whole number of seconds, got ${lifetime}`);
  return { algorithms, issuers };
}
