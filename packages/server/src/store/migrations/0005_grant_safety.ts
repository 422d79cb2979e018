import { sql, type Kysely } from 'kysely';

// Idempotent refresh rotation: a rotated token keeps its successor's id and, sealed with the master
// key, the answer it got, until `answer_until` (the tenant's grace window); a retry or a concurrent
// request within the window gets that same answer. Ending a user's grants looks tokens up by user.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('successor_id', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('answer_sealed', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('answer_until', 'bigint').execute();
  await db.schema
    .createIndex('refresh_tokens_answer_until')
    .on('refresh_tokens')
    .column('answer_until')
    .where(sql.ref('answer_sealed'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('refresh_tokens_user')
    .on('refresh_tokens')
    .columns(['tenant_id', 'user_id'])
    .where(sql.ref('user_id'), 'is not', null)
    .execute();
  await db.schema
    .alterTable('tenants')
    .addColumn('refresh_token_grace_seconds', 'integer', (c) => c.notNull().defaultTo(60))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('refresh_token_grace_seconds').execute();
  await db.schema.dropIndex('refresh_tokens_user').execute();
  await db.schema.dropIndex('refresh_tokens_answer_until').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('answer_until').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('answer_sealed').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('successor_id').execute();
}
