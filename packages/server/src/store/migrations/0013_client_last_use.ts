import type { Kysely } from 'kysely';

// Where a client was last used from: the address (as request.ip sees it, TRUST_PROXY respected) and
// the user agent, both cut to a bounded length. Written with last_used_at by the batched UsageTracker.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('last_used_address', 'text').execute();
  await db.schema.alterTable('clients').addColumn('last_used_user_agent', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('last_used_user_agent').execute();
  await db.schema.alterTable('clients').dropColumn('last_used_address').execute();
}
