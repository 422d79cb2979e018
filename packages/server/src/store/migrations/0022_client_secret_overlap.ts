import type { Kysely } from 'kysely';

// A rotated client secret may keep working for a while (the overlap): the secret it replaced, as a
// hash like the current one, and when it stops. Both null outside an overlap. Indexed for the
// leaked-secret lookup (a report may name the replaced secret) and for the sweep that ends overlaps.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('previous_secret_hash', 'text').execute();
  await db.schema.alterTable('clients').addColumn('previous_secret_expires_at', 'bigint').execute();
  await db.schema.createIndex('clients_previous_secret_hash').on('clients').column('previous_secret_hash').execute();
  await db.schema
    .createIndex('clients_previous_secret_expiry')
    .on('clients')
    .column('previous_secret_expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('clients_previous_secret_expiry').execute();
  await db.schema.dropIndex('clients_previous_secret_hash').execute();
  await db.schema.alterTable('clients').dropColumn('previous_secret_expires_at').execute();
  await db.schema.alterTable('clients').dropColumn('previous_secret_hash').execute();
}
