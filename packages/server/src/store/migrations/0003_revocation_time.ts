import type { Kysely } from 'kysely';

// When an access token was revoked: each process keeps the revoked ids in memory and reads back
// only the rows added since its last look.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('revoked_access_tokens')
    .addColumn('revoked_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('revoked_access_tokens_revoked_at')
    .on('revoked_access_tokens')
    .column('revoked_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('revoked_access_tokens_revoked_at').execute();
  await db.schema.alterTable('revoked_access_tokens').dropColumn('revoked_at').execute();
}
