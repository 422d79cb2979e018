import type { Kysely } from 'kysely';

// Leaked-secret reports (GitHub's partner program, GitLab's revocation API): a digest of each
// accepted signed report, so the same report sent again is refused as a replay (kept for a window,
// swept by maintenance); and an index to find a reported client secret by its hash alone (the
// report names no tenant). Refresh-token hashes are already unique (indexed).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secret_scanning_reports')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('reporter', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('secret_scanning_reports_expires_at')
    .on('secret_scanning_reports')
    .column('expires_at')
    .execute();
  await db.schema.createIndex('clients_secret_hash').on('clients').column('secret_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('clients_secret_hash').execute();
  await db.schema.dropTable('secret_scanning_reports').execute();
}
