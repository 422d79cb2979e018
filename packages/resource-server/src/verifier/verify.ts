// The plain-function verifier: `createVerifier(options).verify(token, { tenant, scopes })`.
// Offline by default: the tenant's metadata and keys are fetched once and cached, and each token is
// checked locally (signature, typ, iss, aud, exp/nbf, algorithm). Introspection is an opt-in extra.
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { MetadataCache } from './discovery.js';
import { IssuerDirectory } from './issuers.js';
import { InsufficientScope, InvalidToken } from './errors.js';
import type { FetchLike } from './fetch-json.js';
import { Introspector } from './introspection.js';
import { fromJoseError } from './jose-errors.js';
import { JwksCache } from './jwks-cache.js';
import { checkOptions, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, type VerifierOptions } from './options.js';

export { DEFAULT_ALGORITHMS, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './options.js';
export type { VerifierEvent, VerifierOptions } from './options.js';

/** RFC 9068 access-token claims as Latchkey issues them. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
}

export interface VerifiedToken {
  tenant: string;
  claims: AccessTokenClaims;
  /** The granted scopes (the `scope` claim split on spaces). */
  scopes: string[];
  /** The user the token acts for, or the client itself (client_credentials). */
  subject: string;
  clientId: string;
}

export interface VerifyOptions {
  /** The tenant whose API this request is for (the `{tenant}` of `/t/{tenant}/…`). */
  tenant: string;
  /** Scopes the token must all hold; a missing one is an InsufficientScope (403). */
  scopes?: readonly string[];
}

export interface Verifier {
  verify(token: string, options: VerifyOptions): Promise<VerifiedToken>;
}

const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti', 'client_id'];
const MAX_TOKEN_LENGTH = 8192;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function malformed(detail: string): InvalidToken {
  return new InvalidToken('ERR_TOKEN_MALFORMED', `Malformed token: ${detail}`);
}

export function createVerifier(options: VerifierOptions): Verifier {
  const { algorithms, issuers } = checkOptions(options);
  const directory = new IssuerDirectory(options.latchkeyUrl, issuers);
  const allowed = new Set(algorithms);
  const audience = options.audience;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const maxLifetime = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const now = options.now ?? Date.now;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 5000;
  const emit = options.onEvent ?? (() => {});

  const metadata = new MetadataCache({
    fetch: fetchImpl,
    now,
    timeoutMs,
    maxAgeMs: (options.metadataMaxAgeSeconds ?? 3600) * 1000,
    onFetch: (tenant, outcome, error) => emit({ type: 'metadata', tenant, outcome, ...(error ? { error } : {}) }),
  });
  const keySets = new Map<string, JwksCache>();
  const keysFor = (uri: string): JwksCache => {
    let c = keySets.get(uri);
    if (!c) {
      c = new JwksCache(uri, {
        fetch: fetchImpl,
        now,
        timeoutMs,
        refetchIntervalMs: (options.jwksRefetchIntervalSeconds ?? 30) * 1000,
        maxAgeMs: (options.jwksMaxAgeSeconds ?? 600) * 1000,
        onFetch: (e) => emit({ type: 'jwks', ...e }),
      });
      keySets.set(uri, c);
    }
    return c;
  };
  const introspector = options.introspection
    ? new Introspector(options.introspection, { fetch: fetchImpl, now, timeoutMs })
    : undefined;

  // Signatures already checked are not checked again: a token that verified once keeps verifying
  // until it expires (exp is re-checked on every use), while the key that verified it is still
  // published. Bounded; oldest entries leave first.
  const verified = new Map<string, { kid: string; claims: AccessTokenClaims }>();
  const MAX_VERIFIED = 10_000;

  /** Cheap checks before anything is fetched: garbage and other tenants' tokens cost no network call. */
  function precheck(token: string): { header: ReturnType<typeof decodeProtectedHeader>; payload: JWTPayload } {
    if (typeof token !== 'string' || token.length === 0) throw malformed('empty');
    if (token.length > MAX_TOKEN_LENGTH) throw malformed(`longer than ${MAX_TOKEN_LENGTH} characters`);
    if (!COMPACT_JWS.test(token)) throw malformed('not a signed JWT (three base64url parts)');
    let header, payload;
    try {
      header = decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch (err) {
      throw malformed((err as Error).message);
    }
    if (typeof header.alg !== 'string' || !allowed.has(header.alg)) {
      throw new InvalidToken(
        'ERR_TOKEN_ALGORITHM',
        `Token algorithm ${JSON.stringify(header.alg)} is not allowed (allowed: ${algorithms.join(', ')})`,
      );
    }
    if (token.endsWith('.')) throw malformed('no signature');
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : header.typ;
    if (typ !== 'at+jwt')
      throw new InvalidToken(
        'ERR_TOKEN_TYPE',
        `Token type must be at+jwt (RFC 9068), got ${JSON.stringify(header.typ)}`,
      );
    return { header, payload };
  }

  /** A token may not claim a longer life than Latchkey gives any, nor be issued in the future. */
  function checkLifetime(claims: AccessTokenClaims, t: number): void {
    if (claims.iat > t + clockTolerance) {
      throw new InvalidToken(
        'ERR_TOKEN_NOT_YET_VALID',
        `Token issued in the future: at ${new Date(claims.iat * 1000).toISOString()} (clock tolerance ${clockTolerance} s)`,
      );
    }
    const lifetime = claims.exp - claims.iat;
    if (lifetime > maxLifetime + clockTolerance) {
      throw new InvalidToken(
        'ERR_TOKEN_LIFETIME',
        `Token lifetime too long: issued for ${lifetime} s, at most ${maxLifetime} s accepted (maxTokenLifetimeSeconds)`,
      );
    }
  }

  async function verify(token: string, { tenant, scopes }: VerifyOptions): Promise<VerifiedToken> {
    const { header, payload } = precheck(token);
    const md = await metadata.get(directory.sourceFor(tenant, payload.iss));
    if (payload.iss !== md.issuer) {
      throw new InvalidToken(
        'ERR_TOKEN_ISSUER',
        `Wrong issuer: the token was issued by ${JSON.stringify(payload.iss)}, tenant "${tenant}" expects ${JSON.stringify(md.issuer)}`,
      );
    }
    let claims: AccessTokenClaims;
    const seen = verified.get(token);
    const t = now() / 1000;
    const keys = keysFor(md.jwks_uri);
    if (
      seen &&
      seen.claims.exp + clockTolerance > t &&
      (seen.claims.nbf === undefined || seen.claims.nbf - clockTolerance <= t) &&
      keys.publishes(seen.kid)
    ) {
      claims = seen.claims;
    } else {
      verified.delete(token);
      try {
        const result = await jwtVerify(token, keys.getKey, {
          issuer: md.issuer,
          audience,
          algorithms,
          typ: 'at+jwt',
          clockTolerance,
          currentDate: new Date(now()),
          requiredClaims: REQUIRED_CLAIMS,
        });
        claims = result.payload as AccessTokenClaims;
      } catch (err) {
        throw fromJoseError(err, { header, payload, issuer: md.issuer, audience, clockTolerance });
      }
      checkLifetime(claims, t);
      if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
      // The key selection needs a kid whenever the JWKS holds more than one key; Latchkey always sends it.
      if (typeof header.kid === 'string') verified.set(token, { kid: header.kid, claims });
    }
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.client_id !== 'string' ||
      (claims.scope !== undefined && typeof claims.scope !== 'string')
    ) {
      throw new InvalidToken('ERR_TOKEN_CLAIMS', 'Token claims sub, client_id and scope must be strings');
    }
    if (introspector) await introspector.check(tenant, md.introspection_endpoint, token, claims.exp);
    const granted = (claims.scope ?? '').split(' ').filter(Boolean);
    if (scopes?.length && !scopes.every((s) => granted.includes(s))) throw new InsufficientScope(scopes, granted);
    return { tenant, claims, scopes: granted, subject: claims.sub, clientId: claims.client_id };
  }

  return { verify };
}
