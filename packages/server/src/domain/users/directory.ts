import type { UnitOfWork } from '../ports.js';
import type { UserFilter, UserSort } from './ports.js';
import type { Page, PageQuery } from '../paging.js';
import type { Tenant } from '../tenants/model.js';
import type { Role } from '../roles/model.js';
import type { User } from './model.js';
import { notFoundError } from '../errors.js';

export interface UserWithRoles {
  user: User;
  roles: Role[];
}

/** One page of a tenant's users with their roles (two queries, whatever the page size). */
export async function listUsers(
  store: UnitOfWork<'users' | 'roles'>,
  tenant: Tenant,
  filter: UserFilter,
  page: PageQuery<UserSort>,
): Promise<Page<UserWithRoles>> {
  const users = await store.users.list(tenant.id, filter, page);
  const roles = await store.roles.forUsers(
    tenant.id,
    users.items.map((u) => u.id),
  );
  return {
    items: users.items.map((user) => ({ user, roles: roles.get(user.id) ?? [] })),
    nextCursor: users.nextCursor,
  };
}

/** A user of this tenant; users of other tenants do not exist here. */
export async function getUser(
  store: UnitOfWork<'users' | 'roles'>,
  tenant: Tenant,
  userId: string,
): Promise<UserWithRoles> {
  const user = await store.users.byId(tenant.id, userId);
  if (!user) throw notFoundError(`user ${userId} not found`);
  return { user, roles: await store.roles.forUser(tenant.id, userId) };
}
