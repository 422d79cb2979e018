import type { Kysely } from 'kysely';

// The OAuth2 client whose token carried a management call, so the audit log tells a personal
// client or the SDK apart from the console.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('actor_client_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('actor_client_id').execute();
}
