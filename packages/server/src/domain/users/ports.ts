import type { Page, PageQuery } from '../paging.js';
import type { User, UserStatus } from './model.js';

export interface UserFilter {
  email?: string;
  status?: UserStatus;
  q?: string;
  /** Users holding this role. */
  roleId?: string;
}

export type UserSort = 'email' | 'displayName' | 'createdAt';

export interface UserRecords {
  /** Users who may still sign in with a password while the tenant enforces SSO. */
  breakGlass(tenantId: string): Promise<User[]>;
  /** The tenant's platform administrators (users of this tenant who administer the platform). */
  platformAdmins(tenantId: string): Promise<User[]>;
  /** Names exactly these users (ids of the tenant) as its break-glass accounts. */
  setBreakGlass(tenantId: string, userIds: string[]): Promise<void>;
  insert(u: User): Promise<void>;
  byId(tenantId: string, id: string): Promise<User | undefined>;
  byEmail(tenantId: string, email: string): Promise<User | undefined>;
  list(tenantId: string, filter: UserFilter, page: PageQuery<UserSort>): Promise<Page<User>>;
  update(
    tenantId: string,
    id: string,
    patch: { displayName?: string; status?: UserStatus; passwordHash?: string },
  ): Promise<void>;
}
