import type { Tenant } from '../tenants/model.js';
import type { Principal } from '../users/principal-cache.js';
import { isExpired, type Client } from './model.js';

/**
 * Why a client may not get (or keep) tokens right now, or null when it may. Shared by the token
 * endpoint and introspection so both always agree.
 */
export function clientUnusableReason(
  tenant: Tenant,
  client: Client,
  owner: Principal | undefined,
  now = Date.now(),
): string | null {
  if (client.status === 'revoked') return 'client has been revoked';
  if (client.status === 'inactive') return 'client is deactivated';
  if (isExpired(client, now)) return 'client has expired';
  if (client.kind === 'personal') {
    if (!tenant.enterpriseEnabled) return 'personal OAuth2 clients are not enabled for this domain';
    if (!owner || owner.user.status !== 'active') return "the client's owner is disabled";
    if (!owner.isClientCreator && tenant.revokeClientsOnRoleLoss)
      return "the client's owner may no longer use personal clients";
  }
  return null;
}
