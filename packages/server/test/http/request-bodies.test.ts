import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';

for (const backend of await backends()) {
  describe(`request bodies (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let tenantId: string;

    before(async () => {
      s = await createTestServer(backend);
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    });
    after(() => s.close());

    test('action endpoints accept an empty body sent as application/json', async () => {
      const app = (
        await admin.request('POST', '/t/demo/api/v1/apps', {
          name: 'actions',
          grantTypes: ['client_credentials'],
          scopes: [],
        })
      ).json();
      const json = { 'content-type': 'application/json' };
      const deactivated = await admin.request('POST', `/t/demo/api/v1/apps/${app.id}/deactivate`, '', json);
      assert.equal(deactivated.statusCode, 200, deactivated.body);
      assert.equal((await s.store.clients.byId(tenantId, app.id))!.status, 'inactive');
      const activated = await admin.request('POST', `/t/demo/api/v1/apps/${app.id}/activate`, '', json);
      assert.equal(activated.statusCode, 200, activated.body);
      assert.equal((await s.store.clients.byId(tenantId, app.id))!.status, 'active');
      const before = (await s.store.clients.byId(tenantId, app.id))!.secretHash;
      const secret = await admin.request('POST', `/t/demo/api/v1/apps/${app.id}/secret`, '', json);
      assert.equal(secret.statusCode, 200, secret.body);
      assert.notEqual((await s.store.clients.byId(tenantId, app.id))!.secretHash, before);
      // A route that needs a body still says so, and malformed JSON is still refused.
      problem(await admin.request('POST', '/t/demo/api/v1/apps', '', json), 400, /body must be object/);
      problem(await admin.request('POST', `/t/demo/api/v1/apps/${app.id}/activate`, '{', json), 400);
    });

    test('expiresAt may be a date: the end of that day, UTC', async () => {
      const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
      const r = await admin.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: 'dated', expiresAt: day });
      assert.equal(r.statusCode, 201, r.body);
      assert.equal(r.json().expiresAt, `${day}T23:59:59.999Z`);
      assert.equal((await s.store.clients.byId(tenantId, r.json().id))!.expiresAt, Date.parse(`${day}T23:59:59.999Z`));
      for (const bad of ['2027-02-30', 'tomorrow', 'December 17, 2027', '2027-01-15T10:00']) {
        problem(
          await admin.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: `bad ${bad}`, expiresAt: bad }),
          400,
          /expiresAt must be an ISO 8601 date-time or date/,
        );
      }
    });
  });
}
