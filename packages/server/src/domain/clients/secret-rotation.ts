import type { UnitOfWork } from '../ports.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import { CLIENT_SECRET_PREFIX, randomSecret } from '../../crypto/secrets.js';
import { overlapLive, type Client } from './model.js';
import { invalid } from '../errors.js';
import { endGrants, previousSecretGrantId, secretGrantId } from '../tokens/grants.js';

/** The longest a replaced secret may keep working: 24 hours. */
export const MAX_OVERLAP_SECONDS = 86_400;

/** The overlap asked for, in whole seconds (0, the default, when left out). */
export function checkOverlap(seconds: number | undefined): number {
  if (seconds === undefined) return 0;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_OVERLAP_SECONDS)
    throw invalid(
      `overlapSeconds must be a whole number of seconds from 0 (the old secret stops at once) to ${MAX_OVERLAP_SECONDS} (24 hours)`,
    );
  return seconds;
}

type RotationKinds = 'clients' | 'changes' | 'refreshTokens' | 'replay';

export interface NewSecret {
  clientSecret: string;
  /** When the replaced secret stops working; null when it stopped at once. */
  previousSecretExpiresAt: number | null;
  /** Refresh-token families (grants) ended now. */
  grantsEnded: number;
}

/**
 * Gives `before` a new secret, keeping its client id; the new secret is returned once and stored
 * only as a hash. What a secret obtained ends with it: with no overlap the replaced secret, its
 * client_credentials tokens, and every refresh token of the client (with the access tokens they gave)
 * end now; with an overlap all of that keeps working until the overlap ends (endSecretOverlaps), and
 * a refresh token refreshed with the new secret meanwhile moves onto it. A secret replaced earlier
 * whose overlap is still running ends now: only the secret just replaced overlaps.
 * Runs in the caller's transaction.
 */
export async function replaceSecret(
  tx: UnitOfWork<RotationKinds>,
  hasher: Pick<SecretHasher, 'hash'>,
  before: Client,
  overlapSeconds: number,
  now = Date.now(),
): Promise<NewSecret> {
  const clientSecret = randomSecret(CLIENT_SECRET_PREFIX);
  const until = overlapSeconds > 0 && before.secretHash !== null ? now + overlapSeconds * 1000 : null;
  await tx.clients.setSecret(
    before.tenantId,
    before.id,
    hasher.hash(clientSecret),
    until === null ? null : { hash: before.secretHash!, expiresAt: until },
  );
  tx.changes.record({ type: 'client.changed', tenantId: before.tenantId, clientId: before.clientId });
  // With an overlap, only the refresh tokens bound to a secret older than the one replaced now end.
  const families = await tx.refreshTokens.revokeForClient(
    before.tenantId,
    before.id,
    now,
    until === null ? undefined : before.secretVersion,
  );
  const secrets = until === null ? [secretGrantId(before)] : [];
  if (before.previousSecretExpiresAt !== null) secrets.push(previousSecretGrantId(before));
  await endGrants(tx, before.tenantId, [...families, ...secrets], now);
  return { clientSecret, previousSecretExpiresAt: until, grantsEnded: families.length };
}

/**
 * Ends a replaced secret now (a leaked-secret report names it, or its overlap is over): it stops
 * working, and so do its client_credentials tokens and the refresh tokens still bound to it, with
 * their access tokens. With `expiresAt`, only if the overlap is still that one. Whether this call ended it.
 */
export async function endOverlap(
  tx: UnitOfWork<RotationKinds>,
  client: Client,
  now = Date.now(),
  expiresAt?: number,
): Promise<boolean> {
  if (!(await tx.clients.clearPreviousSecret(client.tenantId, client.id, expiresAt))) return false;
  tx.changes.record({ type: 'client.changed', tenantId: client.tenantId, clientId: client.clientId });
  const families = await tx.refreshTokens.revokeForClient(client.tenantId, client.id, now, client.secretVersion);
  await endGrants(tx, client.tenantId, [...families, previousSecretGrantId(client)], now);
  return true;
}

/**
 * Maintenance: ends the overlaps that are over, each once across processes (compare-and-set on its
 * end). The token endpoint and introspection already refuse the replaced secret and what it obtained
 * from the overlap's end on; this forgets the hash and ends the refresh tokens bound to it for good.
 */
export async function endSecretOverlaps(store: UnitOfWork<RotationKinds>, now = Date.now()): Promise<number> {
  let n = 0;
  for (const c of await store.clients.withEndedOverlap(now)) {
    if (overlapLive(c, now)) continue;
    if (await store.transaction((tx) => endOverlap(tx, c, now, c.previousSecretExpiresAt!))) n++;
  }
  return n;
}
