import type { Selectable, Updateable } from 'kysely';
import type { RoleRecords } from '../../domain/roles/ports.js';
import type { Db } from '../db.js';
import type { RolesTable } from '../schema.js';
import type { BuiltinRole, Role } from '../../domain/roles/model.js';

const toRole = (r: Selectable<RolesTable>): Role => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  builtin: r.builtin as BuiltinRole | null,
  description: r.description,
  scopes: JSON.parse(r.scopes),
  createdAt: r.created_at,
});

export class RoleRepo implements RoleRecords {
  constructor(private readonly db: Db) {}

  async insert(r: Role): Promise<void> {
    await this.db
      .insertInto('roles')
      .values({
        id: r.id,
        tenant_id: r.tenantId,
        name: r.name,
        builtin: r.builtin,
        description: r.description,
        scopes: JSON.stringify(r.scopes),
        created_at: r.createdAt,
      })
      .execute();
  }

  async list(tenantId: string): Promise<Role[]> {
    const rows = await this.db
      .selectFrom('roles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map(toRole);
  }

  async byId(tenantId: string, id: string): Promise<Role | undefined> {
    const r = await this.db
      .selectFrom('roles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toRole(r);
  }

  async update(
    tenantId: string,
    id: string,
    patch: { name?: string; description?: string; scopes?: string[] },
  ): Promise<void> {
    const values: Updateable<RolesTable> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.scopes !== undefined) values.scopes = JSON.stringify(patch.scopes);
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('roles').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.db.deleteFrom('roles').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  async forUser(tenantId: string, userId: string): Promise<Role[]> {
    const rows = await this.db
      .selectFrom('user_roles')
      .innerJoin('roles', 'roles.id', 'user_roles.role_id')
      .selectAll('roles')
      .where('user_roles.tenant_id', '=', tenantId)
      .where('user_roles.user_id', '=', userId)
      .orderBy('roles.name')
      .execute();
    return rows.map(toRole);
  }

  async forUsers(tenantId: string, userIds: string[]): Promise<Map<string, Role[]>> {
    const out = new Map<string, Role[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('user_roles')
      .innerJoin('roles', 'roles.id', 'user_roles.role_id')
      .selectAll('roles')
      .select('user_roles.user_id as user_id')
      .where('user_roles.tenant_id', '=', tenantId)
      .where('user_roles.user_id', 'in', userIds)
      .orderBy('roles.name')
      .execute();
    for (const r of rows) out.get(r.user_id)?.push(toRole(r));
    return out;
  }

  async setUserRoles(tenantId: string, userId: string, roleIds: string[]): Promise<void> {
    await this.db.deleteFrom('user_roles').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
    if (roleIds.length === 0) return;
    await this.db
      .insertInto('user_roles')
      .values(roleIds.map((role_id) => ({ user_id: userId, role_id, tenant_id: tenantId })))
      .execute();
  }
}
