import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Issuer } from '../domain/tokens/deps.js';
import type { ReplayRecords } from '../domain/tokens/ports.js';
import type { Tenant } from '../domain/tenants/model.js';
import type { Client } from '../domain/clients/model.js';

// Asymmetric algorithms only: no `none`, and no HMAC (which would turn a public key into a secret).
export const ASSERTION_ALGS = [
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
];
export const MAX_ASSERTION_LIFETIME_S = 300;

export class AssertionError extends Error {}

/** The tenant's issuer (the assertion's audience) and the jtis already used. */
export interface AssertionDeps extends Issuer {
  replay: Pick<ReplayRecords, 'useAssertion'>;
}

/**
 * Verifies a JWT a client signed with a key from its registered JWKS (private_key_jwt, RFC 7523):
 * issuer = the client, audience = this tenant's token endpoint or issuer, expiring at most five
 * minutes ahead, and a `jti` that has never been seen before (replays are refused).
 */
export async function verifyClientJwt(
  deps: AssertionDeps,
  tenant: Tenant,
  client: Client,
  jwt: string,
  expectSub: string | null,
): Promise<JWTPayload> {
  if (!client.jwks || !Array.isArray(client.jwks.keys) || client.jwks.keys.length === 0) {
    throw new AssertionError(
      'the client has no keys registered to verify assertions with: add its public keys (jwks) first',
    );
  }
  const issuer = deps.issuer(tenant);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, createLocalJWKSet(client.jwks as never), {
      algorithms: ASSERTION_ALGS,
      issuer: client.clientId,
      audience: [`${issuer}/oauth2/v1/token`, issuer],
      requiredClaims: ['exp', 'jti', 'sub'],
      clockTolerance: 5,
    }));
  } catch (err) {
    throw new AssertionError(`assertion rejected: ${(err as Error).message}`);
  }
  if (expectSub !== null && payload.sub !== expectSub) throw new AssertionError('assertion sub must be the client_id');
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! > now + MAX_ASSERTION_LIFETIME_S) {
    throw new AssertionError(`assertion exp must be at most ${MAX_ASSERTION_LIFETIME_S} seconds ahead`);
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) {
    throw new AssertionError('assertion jti must be a non-empty string');
  }
  const fresh = await deps.replay.useAssertion(client.id, payload.jti, (payload.exp! + 60) * 1000);
  if (!fresh) throw new AssertionError('assertion jti has already been used');
  return payload;
}
