import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { KeyService, PublishedKeys } from '../keys/service.js';
import type { Tenant } from '../tenants/model.js';
import type { AccessTokenClaims } from './access-token.js';
import { BoundedMap } from '../../lib/bounded-map.js';

// One jose key set per published JWKS object (KeyService hands out the same object until it
// reloads), so imported keys are reused instead of re-imported on every verification.
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
function keySet(jwks: { keys: Record<string, unknown>[] }) {
  let set = keySets.get(jwks);
  if (!set) keySets.set(jwks, (set = createLocalJWKSet(jwks as never)));
  return set;
}

/** Seconds of clock skew allowed on exp, on iat in the future, and on a token's lifetime. */
const SKEW_SECONDS = 5;

// Signature checks of tokens seen before are skipped: a token string that verified once keeps
// verifying while the key that verified it is published (a retired key stays published until its
// tokens have expired), so only its lifetime and that key are checked again. When the key leaves
// the published set (unpublished after a suspected leak, here or in another process and reloaded
// here), its tokens' entries are refused and dropped. Revocation and client state are never cached
// here. One bounded cache per key service and tenant (oldest entries leave first), so no other key
// set can vouch for a token.
interface Verified {
  tenantId: string;
  kid: string;
  claims: AccessTokenClaims;
}
const verifiedBy = new WeakMap<KeyService, BoundedMap<Verified>>();
const MAX_VERIFIED = 10_000;
const MAX_VERIFIED_BYTES = 32 * 1024 * 1024;

/** Entries and estimated bytes of a key service's verified-token cache (for tests and metrics). */
export function verifiedTokenCacheStats(keys: KeyService): { size: number; bytes: number } {
  const v = verifiedBy.get(keys);
  return { size: v?.size ?? 0, bytes: v?.bytes ?? 0 };
}

/**
 * Verifies signature, typ, issuer and lifetime against the tenant's own keys; null when invalid.
 * A token may live no longer than the longest access-token lifetime in force while its key signed
 * (or the tenant's current one), and may not be issued in the future: a leaked key cannot mint
 * tokens that outlive a rotation.
 */
export async function verifyAccessToken(
  keys: KeyService,
  tenant: Tenant,
  issuer: Issuers,
  token: string,
): Promise<AccessTokenClaims | null> {
  const checked = await checkAccessToken(keys, tenant, issuer, token);
  return 'claims' in checked ? checked.claims : null;
}

/**
 * Why a token is refused. A new token mends the first two: `expired` when this tenant's key signed
 * it for this issuer and only its time is up; `unknown_key` when it names this issuer but a key the
 * tenant no longer publishes (withdrawn after a suspected leak). `invalid`: everything else.
 */
export type TokenRefusal = 'expired' | 'unknown_key' | 'invalid';

/** The issuer a token must carry, or any of a tenant's (its path form and its hosts'). */
export type Issuers = string | readonly string[];

const issuedBy = (issuer: Issuers, iss: unknown): boolean =>
  typeof issuer === 'string' ? iss === issuer : typeof iss === 'string' && issuer.includes(iss);

/** verifyAccessToken, saying why a token is refused. */
export async function checkAccessToken(
  keys: KeyService,
  tenant: Tenant,
  issuer: Issuers,
  token: string,
): Promise<{ claims: AccessTokenClaims } | { refused: TokenRefusal }> {
  let verified = verifiedBy.get(keys);
  if (!verified) verifiedBy.set(keys, (verified = new BoundedMap(MAX_VERIFIED, MAX_VERIFIED_BYTES)));
  const published = await keys.published(tenant);
  const hit = verified.get(token);
  if (hit) {
    const ours = hit.tenantId === tenant.id && issuedBy(issuer, hit.claims.iss);
    const keyPublished = published.maxTokenTtl.has(hit.kid);
    if (ours && keyPublished && hit.claims.exp + SKEW_SECONDS > Date.now() / 1000) return { claims: hit.claims };
    verified.delete(token);
    if (hit.tenantId === tenant.id) return { refused: !ours ? 'invalid' : keyPublished ? 'expired' : 'unknown_key' };
  }
  const result = await verifyUncached(keys, tenant, issuer, token, published);
  if ('claims' in result) verified.set(token, { tenantId: tenant.id, ...result });
  return result;
}

/** The lifetime a token signed by `kid` may have, in seconds; undefined when `kid` is not published. */
function maxLifetime(published: PublishedKeys, kid: string, tenant: Tenant): number | undefined {
  const signed = published.maxTokenTtl.get(kid);
  return signed === undefined ? undefined : Math.max(signed, tenant.accessTokenTtlSeconds);
}

function lifetimeOk(claims: AccessTokenClaims, max: number): boolean {
  const now = Date.now() / 1000;
  return (
    typeof claims.iat === 'number' && claims.iat <= now + SKEW_SECONDS && claims.exp - claims.iat <= max + SKEW_SECONDS
  );
}

/** The `iss` a token claims, unverified: only to word a refusal, never to trust it. */
function unverifiedIssuer(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

async function verifyUncached(
  keys: KeyService,
  tenant: Tenant,
  issuer: Issuers,
  token: string,
  published: PublishedKeys,
): Promise<{ kid: string; claims: AccessTokenClaims } | { refused: TokenRefusal }> {
  const attempt = async (p: PublishedKeys) => {
    const { payload, protectedHeader } = await jwtVerify(token, keySet(p.jwks), {
      issuer: issuer as string | string[],
      typ: 'at+jwt',
      algorithms: ['ES256'],
      clockTolerance: SKEW_SECONDS,
    });
    return { kid: protectedHeader.kid, claims: payload as AccessTokenClaims };
  };
  // jose checks exp last, after the signature, typ and issuer: only a genuine token is "expired".
  const refusal = (err: unknown): { refused: TokenRefusal } => {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') return { refused: 'expired' };
    if (code === 'ERR_JWKS_NO_MATCHING_KEY' && issuedBy(issuer, unverifiedIssuer(token)))
      return { refused: 'unknown_key' };
    return { refused: 'invalid' };
  };
  let v;
  try {
    v = await attempt(published);
  } catch (err) {
    // A key rotated by another process is unknown here until reloaded.
    if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') return refusal(err);
    try {
      v = await attempt((published = await keys.reload(tenant)));
    } catch (again) {
      return refusal(again);
    }
  }
  // Latchkey names the key in every token; without a kid nobody could tell which key vouched for it.
  if (typeof v.kid !== 'string') return { refused: 'invalid' };
  let max = maxLifetime(published, v.kid, tenant);
  if (max !== undefined && !lifetimeOk(v.claims, max)) {
    // Another process may have raised the lifetime since the keys were loaded here.
    published = await keys.reload(tenant);
    max = maxLifetime(published, v.kid, tenant);
  }
  return max !== undefined && lifetimeOk(v.claims, max) ? { kid: v.kid, claims: v.claims } : { refused: 'invalid' };
}
