import type { Kysely } from 'kysely';

// Signing keys are published before they sign (status 'next'); the rotation clock counts from
// activation, not creation. Keys activated before this column existed count from created_at.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').addColumn('activated_at', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('signing_keys').dropColumn('activated_at').execute();
}
