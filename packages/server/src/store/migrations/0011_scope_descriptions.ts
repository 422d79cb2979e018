import type { Kysely } from 'kysely';

// What each scope of an API allows, in words, for the people who grant it (JSON object scope → text).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('resources')
    .addColumn('scope_descriptions', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('resources').dropColumn('scope_descriptions').execute();
}
