// Tokens and tenants from a real Latchkey server (packages/server/test/interop/setup.ts starts it).
import assert from 'node:assert/strict';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basic, form } from '../../../server/test/helpers/harness.js';
import { SAMPLE_AUDIENCE, type InteropEnv } from '../../../server/test/interop/setup.js';
import { createTenant } from '../../../server/src/domain/tenants/service.js';
import { createApp } from '../../../server/src/domain/clients/apps.js';
import { signAccessToken } from '../../../server/src/domain/tokens/access-token.js';
import type { Tenant } from '../../../server/src/domain/tenants/model.js';

export { SAMPLE_AUDIENCE };

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

/** client_credentials at the real token endpoint. */
export async function clientCredentials(
  asUrl: string,
  app: AppCredentials,
  scope?: string,
  tenant = 'demo',
): Promise<string> {
  const r = await fetch(`${asUrl}/t/${tenant}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      authorization: basic(app.clientId, app.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form({ grant_type: 'client_credentials', scope }),
  });
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.access_token as string;
}

/**
 * client_credentials at a tenant host's root (`{hostUrl}/oauth2/v1/token`), in the documented curl
 * shape; `fetchImpl` reaches the host's name (the SDK tests' loopbackFetch).
 */
export async function clientCredentialsAtHost(
  hostUrl: string,
  app: AppCredentials,
  fetchImpl: (url: string, init: RequestInit) => Promise<Response>,
): Promise<string> {
  const r = await fetchImpl(`${hostUrl}/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      authorization: basic(app.clientId, app.clientSecret),
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
    },
    body: form({ grant_type: 'client_credentials' }),
  });
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.access_token as string;
}

/** Gives a tenant its host names through the platform API, as its administrator does. */
export async function setHosts(asUrl: string, slug: string, hosts: string[]): Promise<void> {
  const admin = await passwordGrant(asUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
  const r = await fetch(`${asUrl}/platform/api/v1/tenants/${slug}`, {
    method: 'PATCH',
    headers: { ...bearer(admin), 'content-type': 'application/json' },
    body: JSON.stringify({ hosts }),
  });
  const body = (await r.json()) as { hosts?: string[] };
  assert.equal(r.status, 200, JSON.stringify(body));
  assert.deepEqual(body.hosts, [...hosts].sort());
}

/** The password grant with the built-in public client (a user-bound token). */
export async function passwordGrant(
  asUrl: string,
  username: string,
  password: string,
  tenant = 'demo',
): Promise<string> {
  const r = await fetch(`${asUrl}/t/${tenant}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'password', client_id: 'latchkey-sdk', username, password }),
  });
  const body = (await r.json()) as Record<string, unknown>;
  assert.equal(r.status, 200, JSON.stringify(body));
  return body.access_token as string;
}

/** RFC 7009 revocation by the token's own client. */
export async function revoke(asUrl: string, app: AppCredentials, token: string, tenant = 'demo'): Promise<void> {
  const r = await fetch(`${asUrl}/t/${tenant}/oauth2/v1/revoke`, {
    method: 'POST',
    headers: {
      authorization: basic(app.clientId, app.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form({ token }),
  });
  assert.equal(r.status, 200);
}

/** A second tenant on the same store (signing key made store-side first) with a confidential app. */
export async function addTenant(env: InteropEnv, slug: string): Promise<{ tenant: Tenant } & AppCredentials> {
  const tenant = await createTenant(env.store, { slug, name: slug.toUpperCase() }, { type: 'system', id: null });
  await env.services.keys.active(tenant);
  const { client, clientSecret } = await createApp(
    env.store,
    env.services.hasher,
    tenant,
    {
      name: `${slug} app`,
      grantTypes: ['client_credentials'],
      scopes: ['myservices', 'metering'],
    },
    { type: 'system', id: null },
  );
  return { tenant, clientId: client.clientId, clientSecret };
}

/**
 * A token signed with the tenant's real key but a lifetime of our choosing (negative: already
 * expired); the server's own signer, fed by the shared store and master key.
 */
export async function signedWithRealKey(
  env: InteropEnv,
  ttlSeconds: number,
  scope = 'myservices metering',
  /** Another tenant's key and an issuer of our choosing (one the server would not put in its tokens). */
  as: { tenant: Tenant; issuer: string } = { tenant: env.tenant, issuer: env.issuer },
): Promise<string> {
  const key = await env.services.keys.active(as.tenant);
  return signAccessToken(key, {
    issuer: as.issuer,
    subject: env.clientId,
    audience: SAMPLE_AUDIENCE,
    clientId: env.clientId,
    scope,
    ttlSeconds,
  }).token;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
