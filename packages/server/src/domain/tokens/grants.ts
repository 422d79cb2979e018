import { createHash } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Client } from '../clients/model.js';
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

/**
 * The grant of an application's client_credentials tokens: its current secret. Regenerating the
 * secret ends it, so tokens obtained with a leaked secret die with it.
 */
export function secretGrantId(client: Client): string {
  let id = secretGrantIds.get(client);
  if (id === undefined) {
    id =
      'secret:' + createHash('sha256').update(`${client.id}:${client.secretVersion}`).digest('base64url').slice(0, 22);
    secretGrantIds.set(client, id);
  }
  return id;
}
