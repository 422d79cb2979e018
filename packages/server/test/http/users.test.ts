import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem, type Caller } from '../helpers/api-client.js';

const PASSWORD = 'a long enough password';

for (const backend of await backends()) {
  describe(`users API (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminId: string;
    let tenantId: string;
    const roleId = async (builtin: string) =>
      (await s.store.roles.list(tenantId)).find((r) => r.builtin === builtin)!.id;

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      adminId = session.userId;
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    });
    after(() => s.close());

    test('invite creates the user with roles and never returns the password hash', async () => {
      const creator = await roleId('oauth2-client-creator');
      const res = await admin.request('POST', '/t/demo/api/v1/users', {
        email: ' Alice@Demo.Test ',
        displayName: 'Alice',
        password: PASSWORD,
        roleIds: [creator],
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), [
        'createdAt',
        'displayName',
        'email',
        'hasPassword',
        'id',
        'platformAdmin',
        'roles',
        'status',
        'updatedAt',
      ]);
      assert.equal(body.email, 'alice@demo.test');
      assert.equal(body.hasPassword, true);
      assert.deepEqual(body.roles, [{ id: creator, name: 'oauth2-client-creator', builtin: 'oauth2-client-creator' }]);
      assert.doesNotMatch(res.body, /argon2/);
      const stored = await s.store.users.byEmail(tenantId, 'alice@demo.test');
      assert.equal(stored?.id, body.id);
      assert.match(stored!.passwordHash!, /^\$argon2id\$/);
      const audit = await s.store.audit.list(tenantId, { action: 'user.invited', targetId: body.id }, 5);
      assert.equal(audit[0].actorId, adminId);
      // Without a password (SSO users), the display name defaults to the email.
      const sso = await admin.request('POST', '/t/demo/api/v1/users', { email: 'sso@demo.test' });
      assert.equal(sso.statusCode, 201, sso.body);
      assert.equal(sso.json().displayName, 'sso@demo.test');
      assert.equal(sso.json().hasPassword, false);
    });

    test('invite: duplicate email is 409, bad input is 400 with a specific detail', async () => {
      problem(
        await admin.request('POST', '/t/demo/api/v1/users', { email: 'ALICE@demo.test' }),
        409,
        /alice@demo.test already exists/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/users', { email: 'not-an-email' }),
        400,
        /email is not a valid address/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/users', { email: 'short@demo.test', password: 'short' }),
        400,
        /at least 12 characters/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/users', { email: 'role@demo.test', roleIds: ['no-such-role'] }),
        400,
        /role no-such-role does not exist/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/users', { email: 'x@demo.test', platformAdmin: true }),
        400,
        /body\.platformAdmin is not allowed/,
      );
      problem(await admin.request('POST', '/t/demo/api/v1/users', {}), 400, /body\.email is required/);
      for (const email of ['short@demo.test', 'role@demo.test', 'x@demo.test']) {
        assert.equal(await s.store.users.byEmail(tenantId, email), undefined, `${email} not created`);
      }
    });

    test('get one user; unknown ids are 404', async () => {
      const alice = (await s.store.users.byEmail(tenantId, 'alice@demo.test'))!;
      const res = await admin.request('GET', `/t/demo/api/v1/users/${alice.id}`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().email, 'alice@demo.test');
      assert.equal(res.json().roles.length, 1);
      problem(
        await admin.request('GET', '/t/demo/api/v1/users/00000000-0000-0000-0000-000000000000'),
        404,
        /not found/,
      );
    });

    test('patch changes name, roles and password; the user sees new roles at once', async () => {
      const alice = (await s.store.users.byEmail(tenantId, 'alice@demo.test'))!;
      const aliceToken = as(s, { bearer: await bearer(s, 'demo', alice.id) });
      assert.equal((await aliceToken.request('GET', '/t/demo/api/v1/me')).json().isDomainManager, false);
      const manager = await roleId('domain-manager');
      const res = await admin.request('PATCH', `/t/demo/api/v1/users/${alice.id}`, {
        displayName: 'Alice A.',
        roleIds: [manager],
        password: 'a brand new password',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().displayName, 'Alice A.');
      assert.deepEqual(
        res.json().roles.map((r: { id: string }) => r.id),
        [manager],
      );
      const me = (await aliceToken.request('GET', '/t/demo/api/v1/me')).json();
      assert.equal(me.isDomainManager, true);
      assert.equal(me.canCreateClients, false);
      assert.deepEqual(me.scopes, [
        'latchkey:apps',
        'latchkey:clients',
        'latchkey:read',
        'latchkey:settings',
        'latchkey:users',
        'metering',
        'myservices',
      ]);
      const actions = (await s.store.audit.list(tenantId, { targetId: alice.id }, 20)).map((e) => e.action);
      for (const a of ['user.role_granted', 'user.role_revoked', 'user.password_changed'])
        assert.ok(actions.includes(a), a);
      await login(s, 'demo', 'alice@demo.test', 'a brand new password');
    });

    test('patch: bad input is 400, unknown user 404', async () => {
      const alice = (await s.store.users.byEmail(tenantId, 'alice@demo.test'))!;
      const url = `/t/demo/api/v1/users/${alice.id}`;
      problem(await admin.request('PATCH', url, {}), 400, /fewer than 1 properties/);
      problem(await admin.request('PATCH', url, { status: 'deleted' }), 400, /body\.status/);
      problem(await admin.request('PATCH', url, { email: 'new@demo.test' }), 400, /body\.email is not allowed/);
      problem(await admin.request('PATCH', url, { password: 'short' }), 400, /at least 12 characters/);
      problem(await admin.request('PATCH', url, { roleIds: ['nope'] }), 400, /role nope does not exist/);
      problem(
        await admin.request('PATCH', '/t/demo/api/v1/users/nope', { displayName: 'x' }),
        404,
        /user nope not found/,
      );
      assert.equal((await s.store.users.byId(tenantId, alice.id))!.displayName, 'Alice A.');
    });

    test('a manager cannot disable themself or drop their own manager role', async () => {
      const url = `/t/demo/api/v1/users/${adminId}`;
      problem(await admin.request('PATCH', url, { status: 'disabled' }), 409, /cannot disable your own account/);
      problem(
        await admin.request('PATCH', url, { roleIds: [await roleId('oauth2-client-creator')] }),
        409,
        /cannot remove your own domain-manager role/,
      );
      const me = await s.store.users.byId(tenantId, adminId);
      assert.equal(me!.status, 'active');
      assert.equal((await s.store.roles.forUser(tenantId, adminId)).length, 2);
      // Renaming oneself is fine.
      assert.equal((await admin.request('PATCH', url, { displayName: 'Admin' })).statusCode, 200);
    });

    test('users who are not managers get 403 on manager routes', async () => {
      await admin.request('POST', '/t/demo/api/v1/users', { email: 'plain@demo.test', password: PASSWORD });
      const plain = as(s, await login(s, 'demo', 'plain@demo.test', PASSWORD));
      const alice = (await s.store.users.byEmail(tenantId, 'alice@demo.test'))!;
      for (const [method, url, body] of [
        ['GET', '/t/demo/api/v1/users'],
        ['POST', '/t/demo/api/v1/users', { email: 'p2@demo.test' }],
        ['GET', `/t/demo/api/v1/users/${alice.id}`],
        ['PATCH', `/t/demo/api/v1/users/${alice.id}`, { displayName: 'x' }],
        ['GET', '/t/demo/api/v1/settings'],
        ['PATCH', '/t/demo/api/v1/settings', { ssoEnforced: true }],
        ['GET', '/t/demo/api/v1/audit'],
        ['POST', '/t/demo/api/v1/roles', { name: 'r', scopes: [] }],
      ] as const) {
        problem(await plain.request(method, url, body), 403, /only domain managers/);
      }
      assert.equal(await s.store.users.byEmail(tenantId, 'p2@demo.test'), undefined);
      const me = await plain.request('GET', '/t/demo/api/v1/me');
      assert.equal(me.statusCode, 200);
      assert.deepEqual(
        { ...(me.json() as object), id: undefined },
        {
          id: undefined,
          email: 'plain@demo.test',
          displayName: 'plain@demo.test',
          status: 'active',
          roles: [],
          scopes: [],
          isDomainManager: false,
          canCreateClients: false,
          platformAdmin: false,
          tenant: { slug: 'demo', name: 'Demo', enterpriseEnabled: true, personalClientMaxDays: 365 },
        },
      );
      assert.equal((await plain.request('GET', '/t/demo/api/v1/roles')).statusCode, 200);
    });

    test('list: filters, sorting and keyset pagination without duplicates or gaps', async () => {
      for (let i = 0; i < 7; i++) {
        const res = await admin.request('POST', '/t/demo/api/v1/users', {
          email: `page${i}@demo.test`,
          displayName: `Zed ${6 - i}`,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const all = (await admin.request('GET', '/t/demo/api/v1/users?limit=200')).json().items as Array<{
        id: string;
        email: string;
        displayName: string;
      }>;
      assert.equal(all.length, 11);
      assert.deepEqual(
        all.map((u) => u.email),
        [...all.map((u) => u.email)].sort(),
      );
      assert.doesNotMatch(JSON.stringify(all), /argon2|passwordHash/);

      for (const sort of ['email', 'displayName', 'createdAt'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const res = await admin.request(
              'GET',
              `/t/demo/api/v1/users?sort=${sort}&order=${order}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
            );
            assert.equal(res.statusCode, 200, res.body);
            const page = res.json();
            assert.ok(page.items.length <= 5);
            seen.push(...page.items.map((u: { id: string }) => u.id));
            cursor = page.nextCursor;
            pages++;
          } while (cursor && pages < 20);
          assert.equal(seen.length, all.length, `${sort} ${order}: every user once`);
          assert.equal(new Set(seen).size, all.length, `${sort} ${order}: no duplicates`);
          if (sort === 'displayName') {
            const names = seen.map((id) => all.find((u) => u.id === id)!.displayName);
            const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            if (order === 'desc') sorted.reverse();
            assert.deepEqual(
              names.filter((n) => n.startsWith('Zed')),
              sorted.filter((n) => n.startsWith('Zed')),
            );
          }
        }
      }

      const q = (await admin.request('GET', '/t/demo/api/v1/users?q=zed%204')).json();
      assert.deepEqual(
        q.items.map((u: { email: string }) => u.email),
        ['page2@demo.test'],
      );
      const byEmail = (await admin.request('GET', '/t/demo/api/v1/users?email=PAGE3@demo.test')).json();
      assert.deepEqual(
        byEmail.items.map((u: { email: string }) => u.email),
        ['page3@demo.test'],
      );
      const page0 = (await s.store.users.byEmail(tenantId, 'page0@demo.test'))!;
      await admin.request('PATCH', `/t/demo/api/v1/users/${page0.id}`, { status: 'disabled' });
      const disabled = (await admin.request('GET', '/t/demo/api/v1/users?status=disabled')).json();
      assert.deepEqual(
        disabled.items.map((u: { email: string }) => u.email),
        ['page0@demo.test'],
      );
      assert.equal(disabled.nextCursor, null);
    });

    test("list: filter by role (the console's role filter), across pages", async () => {
      const creator = await roleId('oauth2-client-creator');
      for (const [email, roleIds] of [
        ['role-a@demo.test', [creator]],
        ['role-b@demo.test', []],
        ['role-c@demo.test', [creator]],
      ] as const) {
        assert.equal(
          (await admin.request('POST', '/t/demo/api/v1/users', { email, roleIds: [...roleIds] })).statusCode,
          201,
        );
      }
      const holders = (await s.store.users.list(tenantId, {}, { sort: 'email', dir: 'asc', limit: 200 })).items;
      const expected: string[] = [];
      for (const u of holders)
        if ((await s.store.roles.forUser(tenantId, u.id)).some((r) => r.id === creator)) expected.push(u.email);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await admin.request(
          'GET',
          `/t/demo/api/v1/users?roleId=${creator}&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        );
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json();
        assert.ok(page.items.every((u: { roles: Array<{ id: string }> }) => u.roles.some((r) => r.id === creator)));
        seen.push(...page.items.map((u: { email: string }) => u.email));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, expected);
      assert.ok(
        seen.includes('role-a@demo.test') && seen.includes('role-c@demo.test') && !seen.includes('role-b@demo.test'),
      );
      const none = (await admin.request('GET', '/t/demo/api/v1/users?roleId=no-such-role')).json();
      assert.deepEqual(none.items, []);
    });

    test('list: bad query parameters are 400 with a specific detail', async () => {
      problem(await admin.request('GET', '/t/demo/api/v1/users?sort=password'), 400, /querystring\.sort/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?order=up'), 400, /querystring\.order/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?limit=0'), 400, /querystring\.limit must be >= 1/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?limit=201'), 400, /querystring\.limit must be <= 200/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?status=gone'), 400, /querystring\.status/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?role=x'), 400, /querystring\.role is not allowed/);
      problem(await admin.request('GET', '/t/demo/api/v1/users?cursor=garbage'), 400, /cursor is not valid/);
      const first = (await admin.request('GET', '/t/demo/api/v1/users?limit=1')).json();
      problem(
        await admin.request('GET', `/t/demo/api/v1/users?limit=1&sort=createdAt&cursor=${first.nextCursor}`),
        400,
        /cursor does not belong to this sort order/,
      );
    });
  });
}
