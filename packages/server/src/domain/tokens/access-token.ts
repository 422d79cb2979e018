import { randomUUID, sign } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { ActiveKey } from '../keys/service.js';

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
  /** Obtained by workload identity federation: the external token's issuer and subject, and the policy. */
  federated?: FederatedClaim;
}

export interface FederatedClaim {
  iss: string;
  sub: string;
  policy_id: string;
}

/** The user a token acts for: `sub` is the user's id, or the client's own id when it acts for itself (issue.ts). */
export const tokenUserId = (claims: Pick<AccessTokenClaims, 'sub' | 'client_id'>): string | null =>
  claims.sub !== claims.client_id ? claims.sub : null;

export interface IssueInput {
  issuer: string;
  subject: string;
  audience: string | string[];
  clientId: string;
  scope: string;
  ttlSeconds: number;
  grantId?: string;
  federated?: FederatedClaim;
}

/**
 * RFC 9068 access tokens. Issuing uses synchronous node:crypto ES256 with a cached KeyObject (the
 * token endpoint's ceiling is this one signature); verifying (verify-access-token.ts) uses jose.
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
  if (input.federated !== undefined) claims.federated = input.federated;
  const signingInput = key.header + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('sha256', Buffer.from(signingInput), { key: key.key, dsaEncoding: 'ieee-p1363' });
  return { token: signingInput + '.' + signature.toString('base64url'), claims };
}
