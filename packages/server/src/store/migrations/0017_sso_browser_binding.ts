import type { Kysely } from 'kysely';

// A pending SSO login is bound to the browser that started it: the SHA-256 of a random value kept in
// that browser's cookie, checked at the callback (login CSRF). Logins pending during the upgrade
// have none and are refused; they expire within 10 minutes anyway.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sso_login_states').addColumn('binding_hash', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sso_login_states').dropColumn('binding_hash').execute();
}
