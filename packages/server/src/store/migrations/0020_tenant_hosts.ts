import type { Kysely } from 'kysely';

// Host names a platform administrator assigns to a tenant (https://acme.id.example.com serves the
// tenant at the root). One row per host; the unique index makes a host belong to one tenant, even
// when two changes race past the use-case's own check.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenant_hosts')
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tenant_hosts_host').on('tenant_hosts').column('host').unique().execute();
  await db.schema.createIndex('tenant_hosts_tenant_id').on('tenant_hosts').column('tenant_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tenant_hosts').execute();
}
