import type { Kysely } from 'kysely';

// Single sign-on: each tenant's OpenID Connect providers, the pending logins (state kept in the
// database so the callback may land on any process), how a session was started, break-glass users.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('allowed_email_domains', 'text', (c) => c.notNull())
    .addColumn('jit_provisioning', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('end_session_endpoint', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identity_providers_tenant').on('identity_providers').columns(['tenant_id']).execute();
  await db.schema
    .createTable('sso_login_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('idp_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier_sealed', 'text', (c) => c.notNull())
    .addColumn('next', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('method', 'text', (c) => c.notNull().defaultTo('password'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('idp_id', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('id_token_sealed', 'text').execute();
  await db.schema
    .alterTable('users')
    .addColumn('break_glass', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('break_glass').execute();
  await db.schema.alterTable('sessions').dropColumn('id_token_sealed').execute();
  await db.schema.alterTable('sessions').dropColumn('idp_id').execute();
  await db.schema.alterTable('sessions').dropColumn('method').execute();
  await db.schema.dropTable('sso_login_states').execute();
  await db.schema.dropTable('identity_providers').execute();
}
