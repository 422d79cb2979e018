import type { Store } from '../../store/index.js';
import type { Tenant } from '../tenants/model.js';
import { DOMAIN_MANAGER } from '../roles/model.js';
import { conflictError } from '../errors.js';
import { updateUser, type UserChange, type UserPatch } from './service.js';

/**
 * A domain manager editing a user. Managers cannot disable themselves or give up their own
 * domain-manager role: a domain must not lose its last manager by a slip of the hand.
 */
export async function manageUser(store: Store, tenant: Tenant, actorId: string, userId: string, patch: UserPatch): Promise<UserChange> {
  if (actorId === userId) {
    if (patch.status === 'disabled') throw conflictError('you cannot disable your own account');
    if (patch.roleIds !== undefined) {
      const manager = (await store.roles.list(tenant.id)).find((r) => r.builtin === DOMAIN_MANAGER);
      if (manager && !patch.roleIds.includes(manager.id)) {
        throw conflictError(`you cannot remove your own ${manager.name} role`);
      }
    }
  }
  return updateUser(store, tenant, userId, patch, { type: 'user', id: actorId });
}
