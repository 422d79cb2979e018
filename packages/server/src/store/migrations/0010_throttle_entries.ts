import type { Kysely } from 'kysely';

// Throttle counters shared by every process of a PostgreSQL database (see store/throttle-store.ts):
// one row per key, failures and known (subject, address) pairs alike. SQLite gets the table too
// (one schema), though its single process keeps throttles in memory.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('throttle_entries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('throttle_entries_expires_at').on('throttle_entries').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('throttle_entries').execute();
}
