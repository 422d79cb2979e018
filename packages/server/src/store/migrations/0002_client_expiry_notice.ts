import type { Kysely } from 'kysely';

// When the expiry of a personal client was recorded in the audit log (once per client).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('expiry_noted_at', 'bigint').execute();
  await db.schema.createIndex('clients_expiry').on('clients').columns(['status', 'expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('clients_expiry').execute();
  await db.schema.alterTable('clients').dropColumn('expiry_noted_at').execute();
}
