import type { TestServer } from './harness.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basic, form } from './harness.js';
import { createApp, type NewApp } from '../../src/domain/clients/apps.js';
import type { Tenant, TenantSettings } from '../../src/domain/tenants/model.js';
import { updateSettings } from '../../src/domain/tenants/settings.js';
import { updateTenant, type TenantPatch } from '../../src/domain/tenants/update.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';

export async function demo(s: TestServer): Promise<Tenant> {
  return (await s.store.tenants.bySlug('demo'))!;
}

/**
 * Changes a tenant through its use-cases (the platform's fields and the manager's settings), so the
 * change is announced like any other and every cache learns of it.
 */
export async function changeTenant(
  s: TestServer,
  patch: TenantPatch & Partial<TenantSettings>,
  slug = 'demo',
): Promise<void> {
  const { name, enterpriseEnabled, ...settings } = patch;
  if (name !== undefined || enterpriseEnabled !== undefined)
    await updateTenant(s.store, slug, { name, enterpriseEnabled }, SYSTEM);
  if (settings.ssoEnforced) await ensureIdentityProvider(s, slug);
  if (Object.keys(settings).length > 0)
    await updateSettings(s.store, (await s.store.tenants.bySlug(slug))!, settings, SYSTEM);
}

export async function makeApp(s: TestServer, input: Partial<NewApp> = {}, slug = 'demo') {
  const tenant = (await s.store.tenants.bySlug(slug))!;
  const { client, clientSecret } = await createApp(
    s.store,
    s.services.hasher,
    tenant,
    {
      name: 'test app',
      grantTypes: ['client_credentials', 'refresh_token'],
      scopes: ['myservices', 'metering'],
      ...input,
    },
    { type: 'system', id: null },
  );
  return { client, clientId: client.clientId, clientSecret, id: client.id };
}

export async function token(
  s: TestServer,
  params: Record<string, string | undefined>,
  headers: Record<string, string> = {},
  slug = 'demo',
) {
  return s.app.inject({
    method: 'POST',
    url: `/t/${slug}/oauth2/v1/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(params),
  });
}

export async function clientCredentials(s: TestServer, clientId: string, secret: string, scope?: string) {
  return token(s, { grant_type: 'client_credentials', scope }, { authorization: basic(clientId, secret) });
}

export async function passwordGrant(
  s: TestServer,
  username = ADMIN_EMAIL,
  password = ADMIN_PASSWORD,
  extra: Record<string, string> = {},
) {
  return token(s, { grant_type: 'password', client_id: 'latchkey-sdk', username, password, ...extra });
}

export async function introspect(s: TestServer, clientId: string, secret: string, tok: string, slug = 'demo') {
  const r = await s.app.inject({
    method: 'POST',
    url: `/t/${slug}/oauth2/v1/introspect`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
    payload: form({ token: tok }),
  });
  return r.json() as Record<string, unknown> & { active: boolean };
}

/**
 * Enforcing SSO needs an enabled identity provider: tests that only need enforcement get a stored
 * one (never discovered; test/http/sso.test.ts signs in through a real provider).
 */
export async function ensureIdentityProvider(s: TestServer, slug = 'demo'): Promise<void> {
  const tenant = (await s.store.tenants.bySlug(slug))!;
  if ((await s.store.identityProviders.list(tenant.id)).some((p) => p.enabled)) return;
  const now = Date.now();
  await s.store.identityProviders.insert({
    id: `stored-idp-${slug}`,
    tenantId: tenant.id,
    name: 'Stored IdP',
    issuer: 'https://idp.invalid',
    clientId: 'latchkey',
    clientSecretSealed: s.services.sealer.seal('unused', `idp-secret:${tenant.id}:stored-idp-${slug}`),
    allowedEmailDomains: ['demo.test'],
    jitProvisioning: false,
    enabled: true,
    endSessionEndpoint: null,
    createdAt: now,
    updatedAt: now,
  });
}
