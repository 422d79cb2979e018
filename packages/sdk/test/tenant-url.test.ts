// The URL rule (src/tenant-url.ts) on the cases the Python client runs too
// (packages/python/tests/test_tenant_url.py), and how settings and the client use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Latchkey, locateTenant, resolveSettings, tenantEndpoints } from '../src/index.js';

interface Case {
  name: string;
  url: string;
  tenant: string | null;
  expect?: { baseUrl: string; tenant: string | null; issuer: string };
  error?: string;
}

const { cases } = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tenant-url-cases.json'), 'utf8'),
) as { cases: Case[] };

for (const c of cases) {
  test(`tenant URL: ${c.name}`, () => {
    const run = () => locateTenant(c.url, c.tenant ?? undefined);
    if (c.error !== undefined) {
      assert.throws(run, (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'ERR_LATCHKEY_CONFIG');
        assert.ok((e as Error).message.includes(c.error!), (e as Error).message);
        return true;
      });
      return;
    }
    const where = run();
    assert.deepEqual({ ...where, tenant: where.tenant ?? null }, c.expect);
  });
}

test('every endpoint is under the issuer, in both forms', () => {
  assert.deepEqual(tenantEndpoints('https://acme.id.example.com'), {
    token: 'https://acme.id.example.com/oauth2/v1/token',
    revocation: 'https://acme.id.example.com/oauth2/v1/revoke',
    introspection: 'https://acme.id.example.com/oauth2/v1/introspect',
    api: 'https://acme.id.example.com/api/v1',
  });
  assert.equal(tenantEndpoints('http://127.0.0.1:8080/t/demo').token, 'http://127.0.0.1:8080/t/demo/oauth2/v1/token');
});

test('a client on a tenant URL: endpoints at its root, no tenant, the sample API says why it needs one', async () => {
  const lk = new Latchkey({ baseUrl: 'https://acme.id.example.com/', env: {}, profile: false });
  assert.equal(lk.issuer, 'https://acme.id.example.com');
  assert.equal(lk.tokenEndpoint, 'https://acme.id.example.com/oauth2/v1/token');
  assert.equal(lk.tenant, undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(lk)), {
    baseUrl: 'https://acme.id.example.com',
    tenant: null,
    issuer: 'https://acme.id.example.com',
    apiUrl: 'http://127.0.0.1:8081',
    credentials: null,
    profile: null,
  });
  assert.throws(
    () => lk.sample.url('metering/api/v1/usage'),
    (e: unknown) =>
      (e as { code?: string }).code === 'ERR_LATCHKEY_CONFIG' &&
      /a tenant's own URL does not say its name/.test(String(e)),
  );
});

test('the default tenant goes with the default URL only; a tenant from any source makes the path form', () => {
  assert.equal(resolveSettings({ env: {}, profile: false }).issuer, 'http://127.0.0.1:8080/t/demo');
  assert.equal(
    resolveSettings({ env: { LATCHKEY_TENANT: 'acme' }, profile: false }).issuer,
    'http://127.0.0.1:8080/t/acme',
  );
  const host = resolveSettings({ env: { LATCHKEY_URL: 'https://acme.id.example.com' }, profile: false });
  assert.deepEqual(
    [host.baseUrl, host.tenant, host.issuer],
    ['https://acme.id.example.com', undefined, 'https://acme.id.example.com'],
  );
  const both = resolveSettings({
    baseUrl: 'https://login.example.com',
    env: { LATCHKEY_TENANT: 'acme' },
    profile: false,
  });
  assert.equal(both.issuer, 'https://login.example.com/t/acme');
  // An empty LATCHKEY_TENANT is no tenant, as every empty LATCHKEY_* variable is unset.
  const empty = resolveSettings({
    env: { LATCHKEY_URL: 'https://acme.id.example.com', LATCHKEY_TENANT: '' },
    profile: false,
  });
  assert.equal(empty.issuer, 'https://acme.id.example.com');
});
