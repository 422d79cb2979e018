import type { Selectable, Updateable } from 'kysely';
import type { Db } from '../db.js';
import type { UsersTable } from '../schema.js';
import type { User, UserStatus } from '../../domain/users/model.js';
import type { UserFilter, UserRecords, UserSort } from '../../domain/users/ports.js';
import { type Page, type PageQuery, paginate } from '../paginate.js';

const toUser = (r: Selectable<UsersTable>): User => ({
  id: r.id,
  tenantId: r.tenant_id,
  email: r.email,
  displayName: r.display_name,
  status: r.status as UserStatus,
  passwordHash: r.password_hash,
  platformAdmin: !!r.platform_admin,
  breakGlass: !!r.break_glass,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const USER_SORTS: Record<UserSort, string> = { email: 'email', displayName: 'display_name', createdAt: 'created_at' };

export class UserRepo implements UserRecords {
  constructor(private readonly db: Db) {}

  /** Users who may still sign in with a password while the tenant enforces SSO. */
  async breakGlass(tenantId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('break_glass', '=', 1)
      .orderBy('email')
      .execute();
    return rows.map(toUser);
  }

  /** Names exactly these users (ids of the tenant) as its break-glass accounts. */
  /** The tenant's platform administrators (users of this tenant who administer the platform). */
  async platformAdmins(tenantId: string): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('platform_admin', '=', 1)
      .execute();
    return rows.map(toUser);
  }

  async setBreakGlass(tenantId: string, userIds: string[]): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ break_glass: 0 })
      .where('tenant_id', '=', tenantId)
      .where('break_glass', '=', 1)
      .execute();
    if (userIds.length > 0)
      await this.db
        .updateTable('users')
        .set({ break_glass: 1 })
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', userIds)
        .execute();
  }

  async insert(u: User): Promise<void> {
    await this.db
      .insertInto('users')
      .values({
        id: u.id,
        tenant_id: u.tenantId,
        email: u.email,
        display_name: u.displayName,
        status: u.status,
        password_hash: u.passwordHash,
        platform_admin: u.platformAdmin ? 1 : 0,
        break_glass: u.breakGlass ? 1 : 0,
        created_at: u.createdAt,
        updated_at: u.updatedAt,
      })
      .execute();
  }

  async byId(tenantId: string, id: string): Promise<User | undefined> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toUser(r);
  }

  async byEmail(tenantId: string, email: string): Promise<User | undefined> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('email', '=', email)
      .executeTakeFirst();
    return r && toUser(r);
  }

  async list(tenantId: string, filter: UserFilter, page: PageQuery<UserSort>): Promise<Page<User>> {
    let q = this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
    if (filter.email) q = q.where('email', '=', filter.email);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.roleId) {
      const roleId = filter.roleId;
      // A subquery, not a join: one row per user, so keyset pagination is unchanged.
      q = q.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('user_roles')
            .select('user_roles.user_id')
            .whereRef('user_roles.user_id', '=', 'users.id')
            .where('user_roles.tenant_id', '=', tenantId)
            .where('user_roles.role_id', '=', roleId),
        ),
      );
    }
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      q = q.where((eb) => eb.or([eb('email', 'like', like), eb(eb.fn('lower', ['display_name']), 'like', like)]));
    }
    return paginate(q, page, USER_SORTS, toUser);
  }

  async update(
    tenantId: string,
    id: string,
    patch: { displayName?: string; status?: UserStatus; passwordHash?: string },
  ): Promise<void> {
    const values: Updateable<UsersTable> = { updated_at: Date.now() };
    if (patch.displayName !== undefined) values.display_name = patch.displayName;
    if (patch.status !== undefined) values.status = patch.status;
    if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
    await this.db.updateTable('users').set(values).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }
}
