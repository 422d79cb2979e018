import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { Tenant } from '../tenants/model.js';
import type { SigningDeps } from '../tokens/deps.js';
import type { ReplayRecords } from '../tokens/ports.js';
import type { ClientCache } from '../clients/cache.js';
import type { UsageTracker, UseOrigin } from '../clients/usage.js';
import { clientUnusableReason } from '../clients/policy.js';
import { issueAccessToken, type TokenResponse } from '../tokens/issue.js';
import { grantScope } from '../tokens/scope.js';
import { DomainError, grantRefused, scopeRefused } from '../errors.js';
import { IssuerProblem } from '../sso/discovery.js';
import { failedCondition } from './conditions.js';
import { federationGrantId, type FederationPolicy } from './model.js';
import type { FederationPolicyCache } from './cache.js';
import type { IssuerKeys } from './issuer-keys.js';
import type { FederationUsage } from './usage.js';

/**
 * Asymmetric signatures only: never `none`, and never HMAC, which would let anyone who has the
 * issuer's public key (everyone) sign with it as a shared secret.
 */
export const FEDERATION_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
/** Seconds of clock difference with the external issuer allowed on exp, nbf and iat. */
export const FEDERATION_SKEW_SECONDS = 30;
const MAX_SUBJECT = 512;
/** How many policies a refusal describes at most. */
const MAX_DESCRIBED = 5;

/** The issuer's keys could not be fetched: not the caller's fault, worth a retry (503). */
export class IssuerUnavailable extends Error {}

/** What an exchange reads and touches: the tenant's policies, the issuers' keys, the application, signing, usage. */
export interface ExchangeDeps extends SigningDeps {
  federation: Pick<FederationPolicyCache, 'forIssuer'>;
  issuerKeys: Pick<IssuerKeys, 'resolver'>;
  clients: Pick<ClientCache, 'get'>;
  replay: Pick<ReplayRecords, 'useAssertion'>;
  usage: Pick<UsageTracker, 'touch'>;
  federationUsage: Pick<FederationUsage, 'touch'>;
}

export interface ExchangeRequest {
  /** The external issuer's signed JWT (RFC 8693 subject_token, or RFC 7523 assertion). */
  token: string;
  /** The scope asked for, parsed; undefined: all the policy allows. */
  scope?: string[];
  /** Only policies acting as this application (client_id), when the caller names one. */
  clientId?: string;
  /** The scopes of the resources the caller named (RFC 8693 audience/resource); undefined: no narrowing. */
  targetScopes?: string[];
}

// An `iss` is shown in a refusal only when it looks like an issuer: never raw token bytes.
const shownIssuer = (iss: string) => (/^https?:\/\/[\x21-\x7e]{1,200}$/.test(iss) ? ` ${iss}` : '');

/** A jose refusal in words that name the failed check, never the token's contents. */
function verificationRefusal(err: unknown): Error {
  if (err instanceof IssuerProblem) return new IssuerUnavailable(err.message);
  const e = err as { code?: string; claim?: string; reason?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return grantRefused('the token has expired (exp)');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (e.reason === 'missing') return grantRefused(`the token has no ${e.claim} claim`);
      if (e.claim === 'nbf') return grantRefused('the token is not valid yet (nbf)');
      return grantRefused(`the token's ${e.claim} claim is invalid`);
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return grantRefused("the token's key (kid) is not among the keys the issuer publishes");
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return grantRefused("the token's signature does not verify with the issuer's keys");
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return algRefused();
    default:
      return grantRefused('the token is not a valid signed JWT');
  }
}

const algRefused = () =>
  grantRefused(`the token's signature algorithm is not accepted (asymmetric ones only: ${FEDERATION_ALGS.join(', ')})`);

/** Why each policy refused a verified token: the claim, never the token's value nor the policy's. */
function describeRefusals(refusals: Array<{ policy: FederationPolicy; why: string }>): string {
  const shown = refusals.slice(0, MAX_DESCRIBED).map(({ policy, why }) => `policy "${policy.name}": ${why}`);
  const more = refusals.length > MAX_DESCRIBED ? `; and ${refusals.length - MAX_DESCRIBED} more` : '';
  return `no federation policy accepts this token: ${shown.join('; ')}${more}`;
}

/** The verified claims of an external token, checked against the one issuer's keys. */
async function verify(deps: ExchangeDeps, token: string, iss: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, deps.issuerKeys.resolver(iss), {
      issuer: iss,
      algorithms: FEDERATION_ALGS,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: FEDERATION_SKEW_SECONDS,
    });
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + FEDERATION_SKEW_SECONDS)
      throw grantRefused('the token was issued in the future (iat)');
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > MAX_SUBJECT)
      throw grantRefused(`the token's sub must be a string of 1-${MAX_SUBJECT} characters`);
    return payload;
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw verificationRefusal(err);
  }
}

/**
 * Workload identity federation's exchange (RFC 8693 token exchange, RFC 7523 with an external
 * issuer's assertion): an external issuer's signed token, verified with the issuer's published
 * keys, is matched against the tenant's policies for that issuer (audience, then every
 * condition); the one policy that accepts it gives an access token acting as its application
 * (`sub` = the application's client_id, as client_credentials) with the scopes the policy and the
 * application both hold (narrowed by the request), for at most the policy's lifetime, with no
 * refresh token. The token says where it came from: `federated: {iss, sub, policy_id}`, and ends
 * when the policy is deleted or its terms change (its `sid`). Refusals name the failed check.
 */
export async function exchangeExternalToken(
  deps: ExchangeDeps,
  tenant: Tenant,
  req: ExchangeRequest,
  origin: UseOrigin,
): Promise<TokenResponse> {
  let alg: unknown;
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(req.token).alg;
    iss = decodeJwt(req.token).iss;
  } catch {
    throw grantRefused('the token is not a signed JWT');
  }
  if (typeof iss !== 'string' || iss.length === 0) throw grantRefused('the token has no iss claim');
  let policies = await deps.federation.forIssuer(tenant.id, iss);
  if (policies.length === 0)
    throw grantRefused(`no federation policy of this domain trusts the issuer${shownIssuer(iss)}`);
  if (req.clientId !== undefined) {
    policies = policies.filter((p) => p.appClientId === req.clientId);
    if (policies.length === 0)
      throw grantRefused(`no federation policy for the issuer${shownIssuer(iss)} acts as the client_id given`);
  }
  // Refused before any key is fetched: an unsigned or HMAC token never reaches the issuer's keys.
  if (typeof alg !== 'string' || !FEDERATION_ALGS.includes(alg)) throw algRefused();

  const claims = await verify(deps, req.token, iss);
  const audiences = [claims.aud ?? []].flat();
  const forUs = policies.filter((p) => audiences.includes(p.audience));
  if (forUs.length === 0)
    throw grantRefused(
      "the token's audience (aud) is not the one any federation policy for this issuer expects: request the token for the policy's audience",
    );
  const refusals: Array<{ policy: FederationPolicy; why: string }> = [];
  const accepting: FederationPolicy[] = [];
  for (const policy of forUs) {
    const failed = failedCondition(policy.conditions, claims);
    if (failed === null) accepting.push(policy);
    else
      refusals.push({
        policy,
        why:
          failed.reason === 'missing'
            ? `the token has no ${failed.claim} claim (or not a single value)`
            : `${failed.claim} does not match the condition`,
      });
  }
  if (accepting.length === 0) throw grantRefused(describeRefusals(refusals));
  if (accepting.length > 1)
    throw grantRefused(
      `the token is accepted by several federation policies (${accepting.map((p) => `"${p.name}"`).join(', ')}): send client_id to choose the application, or make their conditions exclusive`,
    );
  const [policy] = accepting;

  const app = await deps.clients.get(tenant.id, policy.appClientId);
  if (!app || app.kind !== 'app' || app.status === 'revoked')
    throw grantRefused(`the application of federation policy "${policy.name}" no longer exists`);
  const unusable = clientUnusableReason(tenant, app, undefined);
  if (unusable) throw grantRefused(`the application of federation policy "${policy.name}" cannot be used: ${unusable}`);

  // The application may have lost scopes since the policy was saved: never more than it holds now.
  const held = new Set(app.scopes);
  let allowed = policy.scopes.filter((s) => held.has(s));
  if (req.targetScopes !== undefined) {
    const target = new Set(req.targetScopes);
    allowed = allowed.filter((s) => target.has(s));
    if (allowed.length === 0)
      throw scopeRefused(`federation policy "${policy.name}" grants no scope of the audience or resource requested`);
  }
  if (allowed.length === 0)
    throw scopeRefused(`federation policy "${policy.name}" grants no scope that its application still holds`);
  const scopes = grantScope(req.scope, allowed);

  // Checked last, so that a refused request does not use up the token.
  if (policy.refuseReplay) {
    const jti = claims.jti;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)
      throw grantRefused(`federation policy "${policy.name}" refuses replays, and the token has no jti`);
    const until = (claims.exp! + FEDERATION_SKEW_SECONDS) * 1000;
    if (!(await deps.replay.useAssertion(`federation:${tenant.id}:${iss}`, jti, until)))
      throw grantRefused(`this token was already exchanged, and federation policy "${policy.name}" refuses replays`);
  }

  deps.usage.touch(app, origin);
  deps.federationUsage.touch(policy, claims.sub!);
  const at = await issueAccessToken(deps, tenant, {
    client: app,
    userId: null,
    scopes,
    grantId: federationGrantId(policy),
    maxTtlSeconds: policy.maxTokenLifetimeSeconds,
    federated: { iss, sub: claims.sub!, policy_id: policy.id },
  });
  return { access_token: at.token, token_type: 'Bearer', expires_in: at.expiresIn, scope: at.scope };
}
