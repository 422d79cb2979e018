import { randomUUID, sign } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { KeyService, ActiveKey } from '../keys/service.js';
import type { Tenant } from '../tenants/model.js';

export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
  /** The grant (refresh-token family) the token belongs to, so that ending the grant ends it. */
  sid?: string;
}

export interface IssueInput {
  issuer: string;
  subject: string;
  audience: string | string[];
  clientId: string;
  scope: string;
  ttlSeconds: number;
  grantId?: string;
}

/**
 * RFC 9068 access tokens. Issuing uses synchronous node:crypto ES256 with a cached KeyObject (the
 * token endpoint's ceiling is this one signature); verifying uses jose.
 */
export function signAccessToken(key: ActiveKey, input: IssueInput): { token: string; claims: AccessTokenClaims } {
  const iat = Math.floor(Date.now() / 1000);
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    exp: iat + input.ttlSeconds,
    iat,
    jti: randomUUID(),
    client_id: input.clientId,
    scope: input.scope,
  };
  if (input.grantId !== undefined) claims.sid = input.grantId;
  const signingInput = key.header + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('sha256', Buffer.from(signingInput), { key: key.key, dsaEncoding: 'ieee-p1363' });
  return { token: signingInput + '.' + signature.toString('base64url'), claims };
}

// One jose key set per published JWKS object (KeyService hands out the same object until it
// reloads), so imported keys are reused instead of re-imported on every verification.
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
function keySet(jwks: { keys: Record<string, unknown>[] }) {
  let set = keySets.get(jwks);
  if (!set) keySets.set(jwks, (set = createLocalJWKSet(jwks as never)));
  return set;
}

// Signature checks of tokens seen before are skipped: a token string that verified once always
// verifies (its key stays published until the token has expired), so only its lifetime is checked
// again. Revocation and client state are never cached here. One bounded cache per key service and
// tenant (oldest entries leave first), so no other key set can vouch for a token.
const verifiedBy = new WeakMap<KeyService, Map<string, { tenantId: string; claims: AccessTokenClaims }>>();
const MAX_VERIFIED = 10_000;

/** Verifies signature, typ, issuer and lifetime against the tenant's own keys; null when invalid. */
export async function verifyAccessToken(keys: KeyService, tenant: Tenant, issuer: string, token: string): Promise<AccessTokenClaims | null> {
  let verified = verifiedBy.get(keys);
  if (!verified) verifiedBy.set(keys, (verified = new Map()));
  const hit = verified.get(token);
  if (hit) {
    if (hit.tenantId === tenant.id && hit.claims.iss === issuer && hit.claims.exp + 5 > Date.now() / 1000) return hit.claims;
    verified.delete(token);
    if (hit.tenantId === tenant.id) return null;
  }
  const claims = await verifyUncached(keys, tenant, issuer, token);
  if (claims) {
    if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
    verified.set(token, { tenantId: tenant.id, claims });
  }
  return claims;
}

async function verifyUncached(keys: KeyService, tenant: Tenant, issuer: string, token: string): Promise<AccessTokenClaims | null> {
  const attempt = async (jwks: { keys: Record<string, unknown>[] }) => {
    const { payload } = await jwtVerify(token, keySet(jwks), {
      issuer, typ: 'at+jwt', algorithms: ['ES256'], clockTolerance: 5,
    });
    return payload as AccessTokenClaims;
  };
  try {
    return await attempt(await keys.jwks(tenant));
  } catch (err) {
    // A key rotated by another process is unknown here until reloaded.
    if ((err as { code?: string }).code === 'ERR_JWKS_NO_MATCHING_KEY') {
      try {
        return await attempt(await keys.reload(tenant));
      } catch {
        return null;
      }
    }
    return null;
  }
}
