import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem, type Caller } from '../helpers/api-client.js';
import { signAccessToken } from '../../src/domain/tokens/access-token.js';

const BOSS_PASSWORD = 'acme boss password';

for (const backend of await backends()) {
  describe(`platform API and tenant isolation (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminSession: Awaited<ReturnType<typeof login>>;

    before(async () => {
      s = await createTestServer(backend);
      adminSession = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, adminSession);
    });
    after(() => s.close());

    test('only platform administrators reach the platform API', async () => {
      problem(await s.app.inject({ method: 'GET', url: '/platform/api/v1/tenants' }), 401);
      const plainId = (
        await admin.request('POST', '/t/demo/api/v1/users', {
          email: 'plain@demo.test',
          password: 'plain password 123',
        })
      ).json().id;
      const manager = (await s.store.roles.list((await s.store.tenants.bySlug('demo'))!.id)).find(
        (r) => r.builtin === 'domain-manager',
      )!;
      // Even a domain manager is not a platform administrator.
      await admin.request('PATCH', `/t/demo/api/v1/users/${plainId}`, { roleIds: [manager.id] });
      const plain = as(s, await login(s, 'demo', 'plain@demo.test', 'plain password 123'));
      problem(await plain.request('GET', '/platform/api/v1/tenants'), 403, /only platform administrators/);
      problem(await plain.request('POST', '/platform/api/v1/tenants', { slug: 'evil', name: 'Evil' }), 403);
      problem(
        await as(s, { bearer: await bearer(s, 'demo', plainId) }).request('GET', '/platform/api/v1/tenants'),
        403,
      );
      assert.equal(await s.store.tenants.bySlug('evil'), undefined);

      const list = await admin.request('GET', '/platform/api/v1/tenants');
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(
        list.json().items.map((t: { slug: string; issuer: string }) => [t.slug, t.issuer]),
        [['demo', 'http://latchkey.test/t/demo']],
      );
      const viaToken = await as(s, { bearer: await bearer(s, 'demo', adminSession.userId) }).request(
        'GET',
        '/platform/api/v1/tenants/demo',
      );
      assert.equal(viaToken.statusCode, 200, viaToken.body);
      assert.equal(viaToken.json().enterpriseEnabled, true);
    });

    test('platform bearer tokens are verified with the keys of the tenant they name', async () => {
      problem(await as(s, { bearer: 'garbage' }).request('GET', '/platform/api/v1/tenants'), 401);
      const demo = (await s.store.tenants.bySlug('demo'))!;
      const key = await s.services.keys.active(demo);
      const forged = (iss: string) =>
        signAccessToken(key, {
          issuer: iss,
          subject: adminSession.userId,
          audience: iss,
          clientId: 'latchkey-sdk',
          scope: '',
          ttlSeconds: 300,
        }).token;
      problem(
        await as(s, { bearer: forged('http://elsewhere.example/t/demo') }).request('GET', '/platform/api/v1/tenants'),
        401,
      );
      problem(
        await as(s, { bearer: forged('http://latchkey.test/t/nope') }).request('GET', '/platform/api/v1/tenants'),
        401,
      );
      // A session cookie on the platform API still needs the CSRF token for writes.
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/platform/api/v1/tenants',
          cookies: { lk_session: adminSession.cookie },
          payload: { slug: 'csrf', name: 'CSRF' },
        }),
        403,
        /X-CSRF-Token/,
      );
      assert.equal(await s.store.tenants.bySlug('csrf'), undefined);
    });

    test('create a tenant with its first manager; bad input changes nothing', async () => {
      problem(
        await admin.request('POST', '/platform/api/v1/tenants', { slug: 'Bad Slug', name: 'Bad' }),
        400,
        /slug must be/,
      );
      problem(await admin.request('POST', '/platform/api/v1/tenants', { slug: 'acme' }), 400, /body\.name is required/);
      problem(
        await admin.request('POST', '/platform/api/v1/tenants', { slug: 'acme', name: 'Acme', plan: 'gold' }),
        400,
        /body\.plan is not allowed/,
      );
      // The manager is part of the same transaction: a bad manager leaves no tenant behind.
      problem(
        await admin.request('POST', '/platform/api/v1/tenants', {
          slug: 'acme',
          name: 'Acme',
          manager: { email: 'nope' },
        }),
        400,
        /email is not a valid address/,
      );
      assert.equal(await s.store.tenants.bySlug('acme'), undefined);

      const res = await admin.request('POST', '/platform/api/v1/tenants', {
        slug: 'acme',
        name: 'Acme Inc',
        manager: { email: 'boss@acme.test', displayName: 'Boss', password: BOSS_PASSWORD },
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(body.tenant.slug, 'acme');
      assert.equal(body.tenant.enterpriseEnabled, false);
      assert.deepEqual(body.manager.roles.map((r: { builtin: string }) => r.builtin).sort(), [
        'domain-manager',
        'oauth2-client-creator',
      ]);
      assert.equal(body.manager.platformAdmin, false);
      const acme = (await s.store.tenants.bySlug('acme'))!;
      assert.equal(acme.id, body.tenant.id);
      assert.equal((await s.store.users.byEmail(acme.id, 'boss@acme.test'))?.id, body.manager.id);
      const [created] = await s.store.audit.list(acme.id, { action: 'tenant.created' }, 1);
      assert.equal(created.actorType, 'platform');
      assert.equal(created.actorId, adminSession.userId);

      problem(
        await admin.request('POST', '/platform/api/v1/tenants', { slug: 'acme', name: 'Again' }),
        409,
        /"acme" already exists/,
      );
      assert.equal((await admin.request('GET', '/platform/api/v1/tenants')).json().items.length, 2);
    });

    test('get and patch a tenant: enterprise features on and off, audited, caches refreshed', async () => {
      problem(await admin.request('GET', '/platform/api/v1/tenants/nope'), 404);
      problem(await admin.request('PATCH', '/platform/api/v1/tenants/nope', { name: 'x' }), 404);
      problem(await admin.request('PATCH', '/platform/api/v1/tenants/acme', {}), 400, /fewer than 1 properties/);
      problem(
        await admin.request('PATCH', '/platform/api/v1/tenants/acme', { slug: 'acme2' }),
        400,
        /body\.slug is not allowed/,
      );
      const boss = as(s, {
        bearer: await bearer(
          s,
          'acme',
          (await s.store.users.byEmail((await s.store.tenants.bySlug('acme'))!.id, 'boss@acme.test'))!.id,
        ),
      });
      assert.equal((await boss.request('GET', '/t/acme/api/v1/me')).json().canCreateClients, false);

      const on = await admin.request('PATCH', '/platform/api/v1/tenants/acme', {
        enterpriseEnabled: true,
        name: 'ACME',
      });
      assert.equal(on.statusCode, 200, on.body);
      assert.equal(on.json().enterpriseEnabled, true);
      const me = (await boss.request('GET', '/t/acme/api/v1/me')).json();
      assert.deepEqual(me.tenant, { slug: 'acme', name: 'ACME', enterpriseEnabled: true, personalClientMaxDays: 365 });
      assert.equal(me.canCreateClients, true);
      assert.equal((await admin.request('GET', '/platform/api/v1/tenants/acme')).json().name, 'ACME');

      assert.equal(
        (await admin.request('PATCH', '/platform/api/v1/tenants/acme', { enterpriseEnabled: false })).statusCode,
        200,
      );
      const acme = (await s.store.tenants.bySlug('acme'))!;
      assert.equal(acme.enterpriseEnabled, false);
      const actions = (await s.store.audit.list(acme.id, { targetId: acme.id }, 10)).map((e) => e.action);
      assert.deepEqual(actions.slice(0, 3), [
        'tenant.enterprise_disabled',
        'tenant.enterprise_enabled',
        'tenant.renamed',
      ]);
    });

    test("tenant isolation: credentials of one tenant do not work on another's paths", async () => {
      const demo = (await s.store.tenants.bySlug('demo'))!;
      const acme = (await s.store.tenants.bySlug('acme'))!;
      const bossSession = await login(s, 'acme', 'boss@acme.test', BOSS_PASSWORD);
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/t/demo/api/v1/session',
          payload: { email: 'boss@acme.test', password: BOSS_PASSWORD },
        }),
        401,
      );
      const demoUser = (await s.store.users.byEmail(demo.id, ADMIN_EMAIL))!;
      const acmeUser = (await s.store.users.byEmail(acme.id, 'boss@acme.test'))!;
      const pathsOf = (slug: string, userId: string) =>
        ['me', 'users', `users/${userId}`, 'roles', 'settings', 'audit', 'session'].map(
          (p) => `/t/${slug}/api/v1/${p}`,
        );

      const demoCreds = [adminSession, { bearer: await bearer(s, 'demo', demoUser.id) }];
      for (const creds of demoCreds) {
        for (const url of pathsOf('acme', acmeUser.id)) problem(await as(s, creds).request('GET', url), 401);
        problem(
          await as(s, creds).request('PATCH', `/t/acme/api/v1/users/${acmeUser.id}`, { displayName: 'pwned' }),
          401,
        );
        problem(await as(s, creds).request('POST', '/t/acme/api/v1/users', { email: 'spy@acme.test' }), 401);
      }
      const acmeCreds = [bossSession, { bearer: await bearer(s, 'acme', acmeUser.id) }];
      for (const creds of acmeCreds) {
        for (const url of pathsOf('demo', demoUser.id)) problem(await as(s, creds).request('GET', url), 401);
      }
      assert.equal((await s.store.users.byId(acme.id, acmeUser.id))!.displayName, 'Boss');
      assert.equal(await s.store.users.byEmail(acme.id, 'spy@acme.test'), undefined);
    });

    test("tenant isolation: a manager of one tenant sees 404 for the other's users and roles", async () => {
      const demo = (await s.store.tenants.bySlug('demo'))!;
      const acme = (await s.store.tenants.bySlug('acme'))!;
      const demoUser = (await s.store.users.byEmail(demo.id, ADMIN_EMAIL))!;
      const demoRoles = await s.store.roles.list(demo.id);
      const custom = (
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'demo-only', scopes: ['metering'] })
      ).json();
      for (const boss of [
        as(s, await login(s, 'acme', 'boss@acme.test', BOSS_PASSWORD)),
        as(s, { bearer: await bearer(s, 'acme', (await s.store.users.byEmail(acme.id, 'boss@acme.test'))!.id) }),
      ]) {
        problem(await boss.request('GET', `/t/acme/api/v1/users/${demoUser.id}`), 404);
        problem(await boss.request('PATCH', `/t/acme/api/v1/users/${demoUser.id}`, { status: 'disabled' }), 404);
        problem(await boss.request('PATCH', `/t/acme/api/v1/roles/${custom.id}`, { name: 'taken over' }), 404);
        problem(await boss.request('DELETE', `/t/acme/api/v1/roles/${custom.id}`), 404);
        const bossId = (await boss.request('GET', '/t/acme/api/v1/me')).json().id;
        const acmeManager = (await s.store.roles.list(acme.id)).find((r) => r.builtin === 'domain-manager')!;
        problem(
          await boss.request('PATCH', `/t/acme/api/v1/users/${bossId}`, {
            roleIds: [acmeManager.id, ...demoRoles.map((r) => r.id)],
          }),
          400,
          /does not exist in this tenant/,
        );
        problem(
          await boss.request('POST', '/t/acme/api/v1/users', { email: 'x@acme.test', roleIds: [custom.id] }),
          400,
          /does not exist in this tenant/,
        );

        const users = (await boss.request('GET', '/t/acme/api/v1/users?limit=200')).json().items;
        assert.deepEqual(
          users.map((u: { email: string }) => u.email),
          ['boss@acme.test'],
        );
        const users2 = (
          await boss.request('GET', `/t/acme/api/v1/users?email=${encodeURIComponent(ADMIN_EMAIL)}`)
        ).json().items;
        assert.deepEqual(users2, []);
        const roles = (await boss.request('GET', '/t/acme/api/v1/roles')).json().items;
        assert.ok(roles.every((r: { id: string }) => !demoRoles.some((d) => d.id === r.id) && r.id !== custom.id));
        assert.equal(roles.length, 2);
        const audit = (await boss.request('GET', '/t/acme/api/v1/audit?limit=200')).json().items;
        assert.ok(audit.length > 0);
        assert.ok(
          audit.every(
            (e: { actorId: string | null; targetId: string | null }) =>
              e.targetId !== demoUser.id && e.targetId !== custom.id,
          ),
        );
        const settings = (await boss.request('GET', '/t/acme/api/v1/settings')).json();
        assert.equal(settings.accessTokenTtlSeconds, 3600);
      }
      assert.equal((await s.store.users.byId(demo.id, demoUser.id))!.status, 'active');
      assert.equal((await s.store.roles.byId(demo.id, custom.id))!.name, 'demo-only');
    });
  });
}
