import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';

// Names end up in logs, CSV exports, headers (the .tok file name) and terminals: no control characters.
for (const backend of await backends()) {
  describe(`names (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let tenantId: string;
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

    before(async () => {
      s = await createTestServer(backend);
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    });
    after(() => s.close());

    test('NUL, CR/LF and other control characters are refused in every name, and nothing is created', async () => {
      const app = (
        await admin.request('POST', '/t/demo/api/v1/apps', {
          name: 'plain',
          grantTypes: ['client_credentials'],
          scopes: [],
        })
      ).json();
      for (const bad of [
        'evil\u0000name',
        'two\r\nlines',
        'bell\u0007',
        'tab\tname',
        'line\u2028sep',
        'rtl\u202Eoverride',
      ]) {
        for (const [method, url, body] of [
          ['POST', '/t/demo/api/v1/me/oauth2-clients', { name: bad, expiresAt: inDays(1) }],
          ['POST', '/t/demo/api/v1/apps', { name: bad, grantTypes: ['client_credentials'], scopes: [] }],
          ['PATCH', `/t/demo/api/v1/apps/${app.id}`, { name: bad }],
          ['POST', '/t/demo/api/v1/resources', { name: bad, audience: 'https://api.example', scopes: [] }],
          ['POST', '/t/demo/api/v1/roles', { name: bad, scopes: [] }],
          ['POST', '/t/demo/api/v1/users', { email: 'named@demo.test', displayName: bad }],
          ['POST', '/platform/api/v1/tenants', { slug: 'named', name: bad }],
          // Checked before the issuer is fetched: nothing goes out for a name that is refused.
          [
            'POST',
            '/t/demo/api/v1/identity-providers',
            {
              name: bad,
              issuer: 'http://127.0.0.1:1',
              clientId: 'c',
              clientSecret: 's',
              allowedEmailDomains: ['acme.test'],
            },
          ],
          ['PATCH', '/t/demo/api/v1/identity-providers/any', { name: bad }],
        ] as const) {
          problem(await admin.request(method, url, body), 400, /must not contain control characters/);
        }
      }
      assert.equal((await s.store.clients.byId(tenantId, app.id))!.name, 'plain');
      assert.equal(await s.store.users.byEmail(tenantId, 'named@demo.test'), undefined);
      assert.equal(await s.store.tenants.bySlug('named'), undefined);
      assert.deepEqual(await s.store.identityProviders.list(tenantId), []);
      assert.equal(
        (await s.store.clients.list(tenantId, { kind: 'app' }, { sort: 'name', dir: 'asc', limit: 50 })).items.length,
        1,
      );
      // Ordinary Unicode is fine.
      const ok = await admin.request('POST', '/t/demo/api/v1/apps', {
        name: 'Zürich – 東京 🚀',
        grantTypes: ['client_credentials'],
        scopes: [],
      });
      assert.equal(ok.statusCode, 201, ok.body);
    });
  });
}
