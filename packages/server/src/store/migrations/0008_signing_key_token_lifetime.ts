import { sql, type Kysely } from 'kysely';

// The longest access-token lifetime in force while a key signed: a retired key stays published, and
// its tokens are accepted, for that long, even after the tenant shortened the lifetime. Existing keys
// start from their tenant's current setting.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('signing_keys')
    .addColumn('max_token_ttl_seconds', 'integer', (c) => c.notNull().defaultTo(3600))
    .execute();
  await sql`update signing_keys set max_token_ttl_seconds = coalesce(
    (select access_token_ttl_seconds from tenants where tenants.id = signing_keys.tenant_id), 3600)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').dropColumn('max_token_ttl_seconds').execute();
}
