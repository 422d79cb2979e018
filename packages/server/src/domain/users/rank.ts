import type { User } from './model.js';
import { DOMAIN_MANAGER, type Role } from '../roles/model.js';

/**
 * How much an account may do. Users belong to one tenant, so within a tenant the ranks are:
 * platform administrator (may create tenants and reach every domain), domain manager, everyone else.
 * A manager of another tenant is never a user of this one and so is out of reach by construction.
 */
export function rank(user: User, roles: Role[]): number {
  if (user.platformAdmin) return 2;
  return roles.some((r) => r.builtin === DOMAIN_MANAGER) ? 1 : 0;
}

/** Power never flows upwards: whether `target` holds more power than `actor`. */
export function outranks(target: { user: User; roles: Role[] }, actor: { user: User; roles: Role[] }): boolean {
  return rank(target.user, target.roles) > rank(actor.user, actor.roles);
}
