import { createHash } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import { overlapLive, type Client } from '../clients/model.js';
import { SETTINGS_LIMITS } from '../tenants/model.js';

// A grant id stays denied for longer than any access token of it can live, whatever lifetime the
// tenant had when the token was issued.
const DENY_MS = (SETTINGS_LIMITS.accessTokenTtlSeconds.max + 60) * 1000;

/**
 * Ends grants whose refresh tokens the caller has just revoked in `tx`: their access tokens (which
 * carry the grant id as `sid`) become inactive at introspection and at the management API, in every
 * process once the transaction commits (the `grant.ended` change).
 */
export async function endGrants(
  tx: UnitOfWork<'replay' | 'changes'>,
  tenantId: string,
  familyIds: string[],
  now = Date.now(),
): Promise<void> {
  const until = now + DENY_MS;
  for (const id of familyIds) await tx.replay.revokeAccessToken(tenantId, id, until, now);
  if (familyIds.length > 0) tx.changes.record({ type: 'grant.ended', ids: familyIds, until });
}

// Client objects are cached and replaced when they change, so one id per object is enough.
const secretGrantIds = new WeakMap<Client, string>();
const previousSecretGrantIds = new WeakMap<Client, string>();

const SECRET_GRANT = 'secret:';
const grantIdOf = (client: Client, version: number) =>
  SECRET_GRANT + createHash('sha256').update(`${client.id}:${version}`).digest('base64url').slice(0, 22);

/**
 * The grant of a client's client_credentials tokens: its current secret. Replacing the secret ends
 * it (at once, or when the rotation's overlap ends), so tokens obtained with a leaked secret die with it.
 */
export function secretGrantId(client: Client): string {
  let id = secretGrantIds.get(client);
  if (id === undefined) {
    id = grantIdOf(client, client.secretVersion);
    secretGrantIds.set(client, id);
  }
  return id;
}

/** The grant of the tokens the secret a rotation replaced obtained (version one below the current). */
export function previousSecretGrantId(client: Client): string {
  let id = previousSecretGrantIds.get(client);
  if (id === undefined) {
    id = grantIdOf(client, client.secretVersion - 1);
    previousSecretGrantIds.set(client, id);
  }
  return id;
}

/**
 * Whether a token's grant (`sid`) was a secret of this client that no longer works: neither the
 * current secret nor the replaced one in its overlap. Ends such tokens the moment an overlap ends,
 * before the maintenance sweep records it.
 */
export function secretGrantEnded(client: Client, sid: string | undefined, now = Date.now()): boolean {
  if (sid === undefined || !sid.startsWith(SECRET_GRANT) || sid === secretGrantId(client)) return false;
  return !(overlapLive(client, now) && sid === previousSecretGrantId(client));
}

/**
 * Whether a refresh token bound to secret `version` still works: the client's current secret, or
 * the one a rotation replaced while its overlap lasts.
 */
export function secretStillBinds(client: Client, version: number, now = Date.now()): boolean {
  return version === client.secretVersion || (version === client.secretVersion - 1 && overlapLive(client, now));
}
