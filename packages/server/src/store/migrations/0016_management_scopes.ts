import type { Kysely } from 'kysely';

// The management API checks scopes: the built-in roles of existing tenants get the management
// scopes a new tenant's roles are created with (domain/roles/management-scopes.ts, copied here so
// the migration never changes).
const ADDED: Record<string, string[]> = {
  'domain-manager': ['latchkey:apps', 'latchkey:clients', 'latchkey:read', 'latchkey:settings', 'latchkey:users'],
  'oauth2-client-creator': ['latchkey:clients', 'latchkey:read'],
};

export async function up(db: Kysely<any>): Promise<void> {
  const roles = await db
    .selectFrom('roles')
    .select(['id', 'builtin', 'scopes'])
    .where('builtin', 'is not', null)
    .execute();
  for (const r of roles) {
    const added = ADDED[r.builtin as string];
    if (!added) continue;
    const scopes = [...new Set([...(JSON.parse(r.scopes) as string[]), ...added])].sort();
    await db
      .updateTable('roles')
      .set({ scopes: JSON.stringify(scopes) })
      .where('id', '=', r.id)
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const roles = await db.selectFrom('roles').select(['id', 'scopes']).execute();
  for (const r of roles) {
    const scopes = (JSON.parse(r.scopes) as string[]).filter((s) => !s.startsWith('latchkey:'));
    await db
      .updateTable('roles')
      .set({ scopes: JSON.stringify(scopes) })
      .where('id', '=', r.id)
      .execute();
  }
}
