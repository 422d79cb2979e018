import { createHash } from 'node:crypto';
import type { FederationPreset } from './presets.js';

/**
 * A trust policy of workload identity federation: tokens that an external OpenID Connect issuer
 * (a CI system, a cluster) signed for a workload, and whose claims meet the conditions, are
 * exchanged for an access token that acts as one application of the tenant, with the scopes the
 * policy names (never more than the application holds).
 */
export interface FederationPolicy {
  id: string;
  tenantId: string;
  name: string;
  /** The external issuer, exactly as its tokens' `iss` says it. */
  issuer: string;
  /** The `aud` an external token must carry to be exchanged under this policy. */
  audience: string;
  /** Claim name → exact value or glob (conditions.ts); every one must hold. */
  conditions: Record<string, string>;
  /** The application the tokens act as: its id, and its client_id (the cached lookup at the token endpoint). */
  appId: string;
  appClientId: string;
  /** A subset of the application's scopes. */
  scopes: string[];
  maxTokenLifetimeSeconds: number;
  /** The rules the conditions were checked against (presets.ts); null for any other issuer. */
  preset: FederationPreset | null;
  /** Each external token (its `jti`) may be exchanged once. */
  refuseReplay: boolean;
  /**
   * Bumped when who may exchange, or what they get, changes: the access tokens issued under the
   * older terms end with them (see federationGrantId).
   */
  revision: number;
  createdAt: number;
  updatedAt: number;
  firstUsedAt: number | null;
  lastUsedAt: number | null;
  /** The external `sub` of the latest exchange (recorded in batches, so a few seconds late). */
  lastSubject: string | null;
}

/** Access tokens obtained by an exchange live at most this long (seconds). */
export const TOKEN_LIFETIME = { default: 900, min: 60, max: 3600 } as const;

/** At most this many policies per tenant, and conditions per policy. */
export const MAX_POLICIES = 200;
export const MAX_CONDITIONS = 20;

/**
 * The grant of the access tokens issued under a policy's current terms, carried as their `sid`:
 * ending it (deleting the policy, changing its terms) ends them at introspection and at every
 * API that checks revocation, in every process.
 */
export function federationGrantId(p: Pick<FederationPolicy, 'id' | 'revision'>): string {
  return 'federation:' + createHash('sha256').update(`${p.id}:${p.revision}`).digest('base64url').slice(0, 22);
}
