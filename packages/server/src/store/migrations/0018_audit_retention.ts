import type { Kysely } from 'kysely';

// How many days each tenant keeps its audit log (a setting, 400 by default); maintenance deletes
// older events.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('audit_retention_days', 'integer', (c) => c.notNull().defaultTo(400))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('audit_retention_days').execute();
}
