import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, basic, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';
import { clientCredentials, passwordGrant, token } from '../helpers/oauth.js';

const PASSWORD = 'a long enough password';

// Power never flows upwards: no account changes, disables or demotes an account with more power.
for (const backend of await backends()) {
  describe(`account escalation (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminId: string;
    let tenantId: string;
    let mallory: Caller;
    let malloryId: string;
    const roleId = async (builtin: string) =>
      (await s.store.roles.list(tenantId)).find((r) => r.builtin === builtin)!.id;

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      adminId = session.userId;
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      // A domain manager of demo who is not a platform administrator.
      const res = await admin.request('POST', '/t/demo/api/v1/users', {
        email: 'mallory@demo.test',
        password: PASSWORD,
        roleIds: [await roleId('domain-manager')],
      });
      assert.equal(res.statusCode, 201, res.body);
      const m = await login(s, 'demo', 'mallory@demo.test', PASSWORD);
      mallory = as(s, m);
      malloryId = m.userId;
    });
    after(() => s.close());

    test('a domain manager cannot change, disable or demote the platform administrator', async () => {
      const url = `/t/demo/api/v1/users/${adminId}`;
      const before = (await s.store.users.byId(tenantId, adminId))!;
      const rolesBefore = (await s.store.roles.forUser(tenantId, adminId)).map((r) => r.id).sort();
      for (const patch of [
        { password: 'mallory owns this account now' },
        { status: 'disabled' },
        { roleIds: [] },
        { roleIds: [await roleId('oauth2-client-creator')] },
        { displayName: 'Pwned' },
      ]) {
        problem(await mallory.request('PATCH', url, patch), 403, /platform administrator.*more power/);
      }
      const after = (await s.store.users.byId(tenantId, adminId))!;
      assert.equal(after.passwordHash, before.passwordHash);
      assert.equal(after.status, 'active');
      assert.equal(after.displayName, before.displayName);
      assert.deepEqual((await s.store.roles.forUser(tenantId, adminId)).map((r) => r.id).sort(), rolesBefore);
      // The administrator's password still works, and the attacker's does not.
      await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      const stolen = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: ADMIN_EMAIL, password: 'mallory owns this account now' },
      });
      assert.equal(stolen.statusCode, 401);
      assert.equal(
        (await s.store.audit.list(tenantId, { targetId: adminId, action: 'user.password_changed' }, 5)).length,
        0,
      );
    });

    test('a manager of another tenant is out of reach: no user of demo can even see them', async () => {
      const made = await admin.request('POST', '/platform/api/v1/tenants', {
        slug: 'acme',
        name: 'Acme',
        manager: { email: 'boss@acme.test', password: PASSWORD },
      });
      assert.equal(made.statusCode, 201, made.body);
      const acme = made.json().tenant.id as string;
      const bossId = made.json().manager.id as string;
      const before = (await s.store.users.byId(acme, bossId))!;
      problem(
        await mallory.request('PATCH', `/t/demo/api/v1/users/${bossId}`, { password: 'mallory owns this account now' }),
        404,
        /not found/,
      );
      problem(
        await mallory.request('PATCH', `/t/demo/api/v1/users/${bossId}`, { status: 'disabled' }),
        404,
        /not found/,
      );
      // demo's session does not open acme's API, and mallory is no platform administrator.
      problem(
        await mallory.request('PATCH', `/t/acme/api/v1/users/${bossId}`, { status: 'disabled' }),
        401,
        /another tenant/,
      );
      problem(
        await mallory.request('PATCH', '/platform/api/v1/tenants/acme', { enterpriseEnabled: false }),
        403,
        /platform administrators/,
      );
      problem(
        await mallory.request('POST', '/platform/api/v1/tenants', { slug: 'evil', name: 'Evil' }),
        403,
        /platform administrators/,
      );
      const after = (await s.store.users.byId(acme, bossId))!;
      assert.deepEqual(after, before);
      assert.equal(await s.store.tenants.bySlug('evil'), undefined);
    });

    test('managers of equal power still manage each other; the platform administrator manages managers', async () => {
      const res = await admin.request('POST', '/t/demo/api/v1/users', {
        email: 'peer@demo.test',
        password: PASSWORD,
        roleIds: [await roleId('domain-manager')],
      });
      const peerId = res.json().id as string;
      assert.equal(
        (await mallory.request('PATCH', `/t/demo/api/v1/users/${peerId}`, { displayName: 'Peer' })).statusCode,
        200,
      );
      assert.equal(
        (await admin.request('PATCH', `/t/demo/api/v1/users/${peerId}`, { status: 'disabled' })).statusCode,
        200,
      );
      assert.equal((await s.store.users.byId(tenantId, peerId))!.status, 'disabled');
    });

    test("changing one's own password needs the current password", async () => {
      const url = `/t/demo/api/v1/users/${malloryId}`;
      const before = (await s.store.users.byId(tenantId, malloryId))!.passwordHash;
      problem(
        await mallory.request('PATCH', url, { password: 'a stolen session sets this' }),
        400,
        /currentPassword is required/,
      );
      problem(
        await mallory.request('PATCH', url, {
          password: 'a stolen session sets this',
          currentPassword: 'a wrong guess here',
        }),
        403,
        /current password is wrong/,
      );
      assert.equal((await s.store.users.byId(tenantId, malloryId))!.passwordHash, before);
      const ok = await mallory.request('PATCH', url, { password: "mallory's new password", currentPassword: PASSWORD });
      assert.equal(ok.statusCode, 200, ok.body);
      await login(s, 'demo', 'mallory@demo.test', "mallory's new password");
      // currentPassword belongs to one's own password change only.
      const peer = (await s.store.users.byEmail(tenantId, 'peer@demo.test'))!;
      problem(
        await admin.request('PATCH', `/t/demo/api/v1/users/${peer.id}`, {
          displayName: 'P',
          currentPassword: ADMIN_PASSWORD,
        }),
        400,
        /currentPassword/,
      );
    });

    test('guesses at the current password are throttled like sign-ins', async () => {
      const res = await admin.request('POST', '/t/demo/api/v1/users', {
        email: 'borrowed@demo.test',
        password: PASSWORD,
        roleIds: [await roleId('domain-manager')],
      });
      assert.equal(res.statusCode, 201, res.body);
      const victim = as(s, await login(s, 'demo', 'borrowed@demo.test', PASSWORD));
      const url = `/t/demo/api/v1/users/${res.json().id}`;
      const before = (await s.store.users.byId(tenantId, res.json().id))!.passwordHash;
      for (let i = 0; i < 5; i++)
        problem(
          await victim.request('PATCH', url, { password: 'taken over now', currentPassword: `guess number ${i}` }),
          403,
          /current password is wrong/,
        );
      const locked = await victim.request('PATCH', url, { password: 'taken over now', currentPassword: PASSWORD });
      problem(locked, 429, /too many failed/);
      assert.ok(Number(locked.headers['retry-after']) > 0);
      assert.equal((await s.store.users.byId(tenantId, res.json().id))!.passwordHash, before, 'nothing changed');
    });
  });
}

// A credential never mints a credential: only the account's own sign-in (console session, or the
// password grant through latchkey-sdk) may create personal clients, application secrets, .tok files or passwords.
for (const backend of await backends()) {
  describe(`credential escalation (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminId: string;
    let tenantId: string;
    const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
    const roleId = async (builtin: string) =>
      (await s.store.roles.list(tenantId)).find((r) => r.builtin === builtin)!.id;
    const tokenOf = async (clientId: string, clientSecret: string) => {
      const r = await clientCredentials(s, clientId, clientSecret);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().access_token as string;
    };
    const signedIn = async (email: string, password: string) => {
      const r = await passwordGrant(s, email, password);
      assert.equal(r.statusCode, 200, r.body);
      return as(s, { bearer: r.json().access_token });
    };

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      adminId = session.userId;
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
    });
    after(() => s.close());

    test("a personal client's token cannot create personal clients; the chain P → C → G is cut at C", async () => {
      const made = await admin.request('POST', '/t/demo/api/v1/users', {
        email: 'alice@demo.test',
        password: PASSWORD,
        roleIds: [await roleId('oauth2-client-creator')],
      });
      assert.equal(made.statusCode, 201, made.body);
      const alice = await signedIn('alice@demo.test', PASSWORD);
      const p = await alice.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: 'P', expiresAt: inDays(1) });
      assert.equal(p.statusCode, 201, p.body);
      const viaP = as(s, { bearer: await tokenOf(p.json().clientId, p.json().clientSecret) });
      problem(
        await viaP.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: 'C', expiresAt: inDays(365) }),
        403,
        /cannot create credentials/,
      );
      const aliceId = made.json().id as string;
      const owned = await s.store.clients.list(
        tenantId,
        { kind: 'personal', ownerUserId: aliceId },
        { sort: 'createdAt', dir: 'asc', limit: 10 },
      );
      assert.deepEqual(
        owned.items.map((c) => c.name),
        ['P'],
      );
      // The token still works for what is not a credential.
      assert.equal((await viaP.request('GET', '/t/demo/api/v1/me/oauth2-clients')).statusCode, 200);
    });

    test("a manager's personal-client token cannot create apps, secrets, .tok files, keys or passwords", async () => {
      const m = await admin.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: 'M', expiresAt: inDays(1) });
      assert.equal(m.statusCode, 201, m.body);
      const viaM = as(s, { bearer: await tokenOf(m.json().clientId, m.json().clientSecret) });
      const app = await admin.request('POST', '/t/demo/api/v1/apps', {
        name: 'ci',
        grantTypes: ['client_credentials', 'refresh_token'],
        scopes: [],
      });
      assert.equal(app.statusCode, 201, app.body);
      const appId = app.json().id as string;
      const appsBefore = (await admin.request('GET', '/t/demo/api/v1/apps')).json().items.length;
      const record = (await s.store.clients.byId(tenantId, appId))!;
      const alice = (await s.store.users.byEmail(tenantId, 'alice@demo.test'))!;
      const jwks = {
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          },
        ],
      };
      for (const [method, url, body] of [
        ['POST', '/t/demo/api/v1/apps', { name: 'evil', grantTypes: ['client_credentials'], scopes: [] }],
        ['POST', `/t/demo/api/v1/apps/${appId}/secret`, undefined],
        ['POST', `/t/demo/api/v1/apps/${appId}/tokens`, { scopes: [], includeRefreshToken: true }],
        ['PATCH', `/t/demo/api/v1/apps/${appId}`, { jwks }],
        ['POST', '/t/demo/api/v1/users', { email: 'sock@demo.test', password: PASSWORD }],
        ['PATCH', `/t/demo/api/v1/users/${alice.id}`, { password: 'the attacker knows this one' }],
        [
          'POST',
          '/platform/api/v1/tenants',
          { slug: 'evil', name: 'Evil', manager: { email: 'x@evil.test', password: PASSWORD } },
        ],
      ] as const) {
        // A tenant is a trust anchor too, refused for the same reason under its own name.
        problem(
          await viaM.request(method, url, body),
          403,
          /cannot create credentials|tenant needs an interactive sign-in/,
        );
      }
      assert.equal((await admin.request('GET', '/t/demo/api/v1/apps')).json().items.length, appsBefore);
      const after = (await s.store.clients.byId(tenantId, appId))!;
      assert.equal(after.secretHash, record.secretHash);
      assert.equal(after.jwks, null);
      assert.equal(await s.store.users.byEmail(tenantId, 'sock@demo.test'), undefined);
      assert.equal((await s.store.users.byId(tenantId, alice.id))!.passwordHash, alice.passwordHash);
      assert.equal(await s.store.tenants.bySlug('evil'), undefined);
      assert.equal((await s.store.audit.list(tenantId, { action: 'app.tokens_generated' }, 5)).length, 0);
      // An application's own token acts for no user and is refused before any of this.
      const appToken = as(s, {
        bearer: (
          await token(
            s,
            { grant_type: 'client_credentials' },
            { authorization: basic(app.json().clientId, app.json().clientSecret) },
          )
        ).json().access_token,
      });
      problem(
        await appToken.request('POST', '/t/demo/api/v1/me/oauth2-clients', { name: 'A', expiresAt: inDays(1) }),
        403,
        /needs a user's token/,
      );
      problem(
        await appToken.request('POST', `/t/demo/api/v1/apps/${appId}/tokens`, {
          scopes: [],
          includeRefreshToken: true,
        }),
        403,
        /needs a user's token/,
      );
      // Non-credential management still works with it, and the console session and the password grant may mint.
      assert.equal(
        (await viaM.request('PATCH', `/t/demo/api/v1/apps/${appId}`, { description: 'nightly' })).statusCode,
        200,
      );
      const own = await signedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      const tok = await own.request('POST', `/t/demo/api/v1/apps/${appId}/tokens`, {
        scopes: [],
        includeRefreshToken: true,
      });
      assert.equal(tok.statusCode, 200, tok.body);
      assert.equal((await admin.request('POST', `/t/demo/api/v1/apps/${appId}/secret`)).statusCode, 200);
    });

    test('the audit log names the client a call came through', async () => {
      const m = await admin.request('POST', '/t/demo/api/v1/me/oauth2-clients', {
        name: 'auditor',
        expiresAt: inDays(1),
      });
      const clientId = m.json().clientId as string;
      const viaM = as(s, { bearer: await tokenOf(clientId, m.json().clientSecret) });
      const own = await signedIn(ADMIN_EMAIL, ADMIN_PASSWORD);
      for (const [who, name] of [
        [viaM, 'by-client'],
        [own, 'by-sdk'],
        [admin, 'by-console'],
      ] as const) {
        const r = await who.request('POST', '/t/demo/api/v1/roles', { name, scopes: [] });
        assert.equal(r.statusCode, 201, r.body);
      }
      const events = (await admin.request('GET', '/t/demo/api/v1/audit?action=role.created')).json().items as Array<{
        actorId: string;
        actorClientId: string | null;
        details: { name: string };
      }>;
      const by = Object.fromEntries(events.map((e) => [e.details.name, e]));
      assert.equal(by['by-client'].actorId, adminId);
      assert.equal(by['by-client'].actorClientId, clientId);
      assert.equal(by['by-sdk'].actorClientId, 'latchkey-sdk');
      assert.equal(by['by-console'].actorClientId, null);
      // Stored, not only shown: the same from the store.
      const stored = await s.store.audit.list(tenantId, { action: 'role.created' }, 10);
      assert.ok(stored.some((e) => e.actorClientId === clientId));
    });
  });
}
