import type { Role } from './model.js';

export interface RoleRecords {
  insert(r: Role): Promise<void>;
  list(tenantId: string): Promise<Role[]>;
  byId(tenantId: string, id: string): Promise<Role | undefined>;
  update(
    tenantId: string,
    id: string,
    patch: { name?: string; description?: string; scopes?: string[] },
  ): Promise<void>;
  delete(tenantId: string, id: string): Promise<void>;
  forUser(tenantId: string, userId: string): Promise<Role[]>;
  forUsers(tenantId: string, userIds: string[]): Promise<Map<string, Role[]>>;
  setUserRoles(tenantId: string, userId: string, roleIds: string[]): Promise<void>;
}
