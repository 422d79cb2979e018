import type { Kysely } from 'kysely';

// Workload identity federation: each tenant's trust policies (external issuer, audience, claim
// conditions, the application the exchanged tokens act as), and when each was last used.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('federation_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('app_client_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('max_token_lifetime_seconds', 'integer', (c) => c.notNull())
    .addColumn('preset', 'text')
    .addColumn('refuse_replay', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('first_used_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('last_subject', 'text')
    .execute();
  // Two concurrent creations under one name: the database decides (the domain checks case-insensitively first).
  await db.schema
    .createIndex('federation_policies_tenant_name')
    .on('federation_policies')
    .columns(['tenant_id', 'name'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('federation_policies').execute();
}
