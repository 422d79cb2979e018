import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import { passwordGrant, clientCredentials } from '../helpers/oauth.js';

for (const backend of await backends()) {
  test(`resources API (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const headers = { authorization: `Bearer ${(await passwordGrant(s)).json().access_token}` };
    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      s.app.inject({ method, url: `/t/demo/api/v1${url}`, headers, ...(payload ? { payload } : {}) });

    await t.test('every tenant starts with the sample API', async () => {
      const r = await api('GET', '/resources');
      assert.equal(r.statusCode, 200);
      assert.deepEqual(
        r.json().items.map((x: { audience: string; scopes: string[] }) => [x.audience, x.scopes]),
        [['urn:latchkey:sample-api', ['metering', 'myservices']]],
      );
    });

    await t.test('scopes are described in words; bad descriptions are refused and change nothing', async () => {
      const sample = (await api('GET', '/resources')).json().items[0];
      assert.match(sample.scopeDescriptions.metering, /usage/);
      const r = await api('POST', '/resources', {
        name: 'Invoices',
        audience: 'https://invoices.example',
        scopes: ['inv:read', 'inv:write'],
        scopeDescriptions: { 'inv:read': 'Read invoices' },
      });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(r.json().scopeDescriptions, { 'inv:read': 'Read invoices' });
      const url = `/resources/${r.json().id}`;
      const described = await api('PATCH', url, {
        scopeDescriptions: { 'inv:read': '  Read invoices and credit notes ', 'inv:write': 'Create and send invoices' },
      });
      assert.equal(described.statusCode, 200, described.body);
      assert.deepEqual(described.json().scopeDescriptions, {
        'inv:read': 'Read invoices and credit notes',
        'inv:write': 'Create and send invoices',
      });
      for (const [body, detail] of [
        [{ scopeDescriptions: { 'inv:delete': 'Delete invoices' } }, /does not have: inv:delete/],
        [{ scopeDescriptions: { 'inv:read': 'line one\nline two' } }, /control characters/],
        [{ scopeDescriptions: { 'inv:read': 'x'.repeat(201) } }, /200/],
      ] as const) {
        const bad = await api('PATCH', url, body);
        assert.equal(bad.statusCode, 400, bad.body);
        assert.match(bad.json().detail, detail);
      }
      assert.deepEqual(
        (await api('GET', url)).json().scopeDescriptions,
        described.json().scopeDescriptions,
        'unchanged',
      );
      // An empty text removes a description; a removed scope takes its description with it.
      assert.deepEqual(
        (
          await api('PATCH', url, { scopeDescriptions: { 'inv:read': '', 'inv:write': 'Create and send invoices' } })
        ).json().scopeDescriptions,
        { 'inv:write': 'Create and send invoices' },
      );
      assert.deepEqual((await api('PATCH', url, { scopes: ['inv:read'] })).json().scopeDescriptions, {});
      assert.equal((await api('DELETE', url)).statusCode, 204);
    });

    await t.test('a new resource: its scopes can be granted and its audience lands in tokens', async () => {
      const r = await api('POST', '/resources', {
        name: 'Reports',
        audience: 'https://reports.example',
        scopes: ['reports:read', 'reports:write'],
      });
      assert.equal(r.statusCode, 201, r.body);
      const app = (
        await api('POST', '/apps', { name: 'reporter', grantTypes: ['client_credentials'], scopes: ['reports:read'] })
      ).json();
      const tok = await clientCredentials(s, app.clientId, app.clientSecret);
      assert.equal(tok.statusCode, 200, tok.body);
      const claims = JSON.parse(Buffer.from(tok.json().access_token.split('.')[1], 'base64url').toString());
      assert.equal(claims.aud, 'https://reports.example');
      const meta = (await s.app.inject({ url: '/t/demo/.well-known/openid-configuration' })).json();
      assert.ok(meta.scopes_supported.includes('reports:write'));
      // A scope in use cannot be removed; an unused one can.
      const inUse = await api('PATCH', `/resources/${r.json().id}`, { scopes: ['reports:write'] });
      assert.equal(inUse.statusCode, 409);
      assert.match(inUse.json().detail, /reporter/);
      const ok = await api('PATCH', `/resources/${r.json().id}`, { scopes: ['reports:read'] });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await api('DELETE', `/resources/${r.json().id}`)).statusCode, 409);
      await api('DELETE', `/apps/${app.id}`);
      assert.equal((await api('DELETE', `/resources/${r.json().id}`)).statusCode, 204);
      assert.equal((await api('GET', `/resources/${r.json().id}`)).statusCode, 404);
    });

    await t.test('bad input and conflicts', async () => {
      const dupAud = await api('POST', '/resources', { name: 'x', audience: 'urn:latchkey:sample-api', scopes: [] });
      assert.equal(dupAud.statusCode, 409);
      const dupScope = await api('POST', '/resources', { name: 'x', audience: 'urn:x', scopes: ['metering'] });
      assert.equal(dupScope.statusCode, 409);
      assert.match(dupScope.json().detail, /Sample API/);
      const badScope = await api('POST', '/resources', { name: 'x', audience: 'urn:x', scopes: ['has space'] });
      assert.equal(badScope.statusCode, 400);
      const missing = await api('POST', '/resources', { name: 'x', scopes: [] });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.json().detail, /audience is required/);
      assert.equal((await api('GET', '/resources')).json().items.length, 1);
    });
  });
}
