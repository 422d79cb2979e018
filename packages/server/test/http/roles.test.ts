import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem, type Caller } from '../helpers/api-client.js';

for (const backend of await backends()) {
  describe(`roles API (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let tenantId: string;
    let plainId: string;

    before(async () => {
      s = await createTestServer(backend);
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      plainId = (await admin.request('POST', '/t/demo/api/v1/users', { email: 'plain@demo.test' })).json().id;
    });
    after(() => s.close());

    test('any user lists the roles', async () => {
      const res = await as(s, { bearer: await bearer(s, 'demo', plainId) }).request('GET', '/t/demo/api/v1/roles');
      assert.equal(res.statusCode, 200, res.body);
      const items = res.json().items as Array<{ name: string; builtin: string | null; scopes: string[] }>;
      assert.deepEqual(
        items.map((r) => [r.name, r.builtin, [...r.scopes].sort()]),
        [
          [
            'domain-manager',
            'domain-manager',
            [
              'latchkey:apps',
              'latchkey:clients',
              'latchkey:read',
              'latchkey:settings',
              'latchkey:users',
              'metering',
              'myservices',
            ],
          ],
          ['oauth2-client-creator', 'oauth2-client-creator', ['latchkey:clients', 'latchkey:read']],
        ],
      );
    });

    test('create a role; the user holding it gets its scopes', async () => {
      const res = await admin.request('POST', '/t/demo/api/v1/roles', {
        name: 'Metering readers',
        description: 'read usage',
        scopes: ['metering', 'metering'],
      });
      assert.equal(res.statusCode, 201, res.body);
      const role = res.json();
      assert.equal(role.builtin, null);
      assert.deepEqual(role.scopes, ['metering']);
      assert.deepEqual((await s.store.roles.byId(tenantId, role.id))?.scopes, ['metering']);
      assert.equal(
        (await admin.request('PATCH', `/t/demo/api/v1/users/${plainId}`, { roleIds: [role.id] })).statusCode,
        200,
      );
      const me = (await as(s, { bearer: await bearer(s, 'demo', plainId) }).request('GET', '/t/demo/api/v1/me')).json();
      assert.deepEqual(me.scopes, ['metering']);
      assert.equal((await s.store.audit.list(tenantId, { action: 'role.created', targetId: role.id }, 1)).length, 1);
    });

    test('create: unknown scopes are 400, duplicate names 409, bad bodies 400', async () => {
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'bad', scopes: ['metering', 'admin:all'] }),
        400,
        /unknown scope: admin:all/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'Metering readers', scopes: [] }),
        409,
        /already exists/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'no scopes' }),
        400,
        /body\.scopes is required/,
      );
      problem(await admin.request('POST', '/t/demo/api/v1/roles', { name: '', scopes: [] }), 400, /body\.name/);
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: '   ', scopes: [] }),
        400,
        /name must be 1-64 characters/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'x', scopes: [], builtin: 'domain-manager' }),
        400,
        /body\.builtin is not allowed/,
      );
      assert.equal((await s.store.roles.list(tenantId)).length, 3);
    });

    test('update: scopes change at once for holders; built-in roles may be renamed', async () => {
      const roles = await s.store.roles.list(tenantId);
      const custom = roles.find((r) => r.name === 'Metering readers')!;
      const creator = roles.find((r) => r.builtin === 'oauth2-client-creator')!;
      const res = await admin.request('PATCH', `/t/demo/api/v1/roles/${custom.id}`, {
        scopes: ['metering', 'myservices'],
      });
      assert.equal(res.statusCode, 200, res.body);
      const me = (await as(s, { bearer: await bearer(s, 'demo', plainId) }).request('GET', '/t/demo/api/v1/me')).json();
      assert.deepEqual(me.scopes, ['metering', 'myservices']);

      const renamed = await admin.request('PATCH', `/t/demo/api/v1/roles/${creator.id}`, { name: 'API key makers' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal(renamed.json().name, 'API key makers');
      assert.equal(renamed.json().builtin, 'oauth2-client-creator', 'what the role does is unchanged');
      assert.equal((await s.store.roles.byId(tenantId, creator.id))?.name, 'API key makers');

      problem(
        await admin.request('PATCH', `/t/demo/api/v1/roles/${custom.id}`, { name: 'API key makers' }),
        409,
        /already exists/,
      );
      problem(
        await admin.request('PATCH', `/t/demo/api/v1/roles/${custom.id}`, { scopes: ['nope'] }),
        400,
        /unknown scope: nope/,
      );
      problem(await admin.request('PATCH', `/t/demo/api/v1/roles/${custom.id}`, {}), 400, /fewer than 1 properties/);
      problem(await admin.request('PATCH', '/t/demo/api/v1/roles/nope', { name: 'x' }), 404, /role nope not found/);
    });

    test('delete: custom roles go (and holders lose them); built-in roles stay', async () => {
      const roles = await s.store.roles.list(tenantId);
      const custom = roles.find((r) => r.name === 'Metering readers')!;
      for (const builtin of roles.filter((r) => r.builtin)) {
        problem(
          await admin.request('DELETE', `/t/demo/api/v1/roles/${builtin.id}`),
          409,
          /built-in role and cannot be deleted/,
        );
      }
      problem(
        await as(s, { bearer: await bearer(s, 'demo', plainId) }).request(
          'DELETE',
          `/t/demo/api/v1/roles/${custom.id}`,
        ),
        403,
      );
      const res = await admin.request('DELETE', `/t/demo/api/v1/roles/${custom.id}`);
      assert.equal(res.statusCode, 204, res.body);
      assert.equal(await s.store.roles.byId(tenantId, custom.id), undefined);
      assert.deepEqual(await s.store.roles.forUser(tenantId, plainId), []);
      const me = (await as(s, { bearer: await bearer(s, 'demo', plainId) }).request('GET', '/t/demo/api/v1/me')).json();
      assert.deepEqual(me.scopes, []);
      problem(await admin.request('DELETE', `/t/demo/api/v1/roles/${custom.id}`), 404);
    });
  });
}
