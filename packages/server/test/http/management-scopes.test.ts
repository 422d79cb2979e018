import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';
import { clientCredentials, ensureIdentityProvider, passwordGrant } from '../helpers/oauth.js';
import { createSession } from '../../src/domain/sessions/service.js';

const PASSWORD = 'a long enough password';
const DAY = 86_400_000;
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const scopeOf = (accessToken: string): string[] =>
  (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).scope ?? '').split(' ').filter(Boolean);

/** A 403 for a missing management scope: RFC 6750's insufficient_scope, naming the scope. */
function insufficientScope(res: Awaited<ReturnType<Caller['request']>>, scope: string): void {
  problem(res, 403, new RegExp(scope));
  assert.match(res.json().type, /insufficient-scope$/);
  assert.equal(res.json().requiredScope, scope);
  assert.match(String(res.headers['www-authenticate']), new RegExp(`error="insufficient_scope".*scope="${scope}"`));
}

/** A 403 for a trust anchor changed with a client credential. */
function needsSignIn(res: Awaited<ReturnType<Caller['request']>>): void {
  problem(res, 403, /sign[- ]in/i);
  assert.match(res.json().type, /interactive-sign-in$/);
}

// The management API checks a token's scopes like any resource API, and trust anchors change only
// through a person's interactive sign-in (docs/security.md, "Power never flows upwards").
for (const backend of await backends()) {
  describe(`management scopes and trust anchors (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let tenantId: string;
    let mallory: Caller;
    let malloryId: string;
    let appId: string;
    let webhookId: string;
    const roleId = async (builtin: string) =>
      (await s.store.roles.list(tenantId)).find((r) => r.builtin === builtin)!.id;
    const tokenOf = async (clientId: string, secret: string) => {
      const r = await clientCredentials(s, clientId, secret);
      assert.equal(r.statusCode, 200, r.body);
      return r.json().access_token as string;
    };
    /** A personal client of Mallory's, and a caller using its token. */
    const malloryClient = async (name: string, scopes?: string[]) => {
      const r = await mallory.request('POST', '/t/demo/api/v1/me/oauth2-clients', {
        name,
        expiresAt: inDays(1),
        ...(scopes ? { scopes } : {}),
      });
      assert.equal(r.statusCode, 201, r.body);
      const tok = await tokenOf(r.json().clientId, r.json().clientSecret);
      return { caller: as(s, { bearer: tok }), token: tok, id: r.json().id as string };
    };

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      const res = await admin.request('POST', '/t/demo/api/v1/users', {
        email: 'mallory@demo.test',
        password: PASSWORD,
        roleIds: [await roleId('domain-manager'), await roleId('oauth2-client-creator')],
      });
      assert.equal(res.statusCode, 201, res.body);
      const m = await login(s, 'demo', 'mallory@demo.test', PASSWORD);
      mallory = as(s, m);
      malloryId = m.userId;
      const app = await admin.request('POST', '/t/demo/api/v1/apps', {
        name: 'nightly',
        grantTypes: ['client_credentials'],
        scopes: ['metering'],
      });
      assert.equal(app.statusCode, 201, app.body);
      appId = app.json().id;
      const hook = await admin.request('POST', '/t/demo/api/v1/webhooks', {
        url: 'http://127.0.0.1:9/hooks',
        events: ['personal_client.revoked'],
      });
      assert.equal(hook.statusCode, 201, hook.body);
      webhookId = hook.json().id;
    });
    after(() => s.close());

    test("the domain manager's role holds the management scopes; an all-permissions client carries them", async () => {
      const manager = (await s.store.roles.list(tenantId)).find((r) => r.builtin === 'domain-manager')!;
      for (const scope of [
        'latchkey:read',
        'latchkey:users',
        'latchkey:clients',
        'latchkey:apps',
        'latchkey:settings',
      ]) {
        assert.ok(manager.scopes.includes(scope), `${scope} in ${manager.scopes.join(' ')}`);
      }
      const { token, caller } = await malloryClient('everything');
      assert.ok(scopeOf(token).includes('latchkey:users'), scopeOf(token).join(' '));
      assert.equal((await caller.request('GET', '/t/demo/api/v1/users')).statusCode, 200);
      const r = await caller.request('PATCH', `/t/demo/api/v1/apps/${appId}`, {
        description: 'ran by the all-permissions client',
      });
      assert.equal(r.statusCode, 200, r.body);
    });

    test('a client limited to metering has no management power beyond who it is', async () => {
      const { caller, token } = await malloryClient('metering only', ['metering']);
      assert.deepEqual(scopeOf(token), ['metering']);
      const settingsBefore = (await s.store.tenants.bySlug('demo'))!;
      const appBefore = (await s.store.clients.byId(tenantId, appId))!;
      insufficientScope(await caller.request('GET', '/t/demo/api/v1/users'), 'latchkey:read');
      insufficientScope(await caller.request('GET', '/t/demo/api/v1/audit'), 'latchkey:read');
      insufficientScope(
        await caller.request('PATCH', '/t/demo/api/v1/settings', { accessTokenTtlSeconds: 600 }),
        'latchkey:settings',
      );
      insufficientScope(
        await caller.request('PATCH', `/t/demo/api/v1/apps/${appId}`, { scopes: ['metering', 'myservices'] }),
        'latchkey:apps',
      );
      insufficientScope(
        await caller.request('POST', '/t/demo/api/v1/roles', { name: 'wider', scopes: ['myservices'] }),
        'latchkey:users',
      );
      insufficientScope(
        await caller.request('DELETE', `/t/demo/api/v1/me/oauth2-clients/${(await malloryClient('other')).id}`),
        'latchkey:clients',
      );
      // Nothing changed.
      const settingsAfter = (await s.store.tenants.bySlug('demo'))!;
      assert.equal(settingsAfter.accessTokenTtlSeconds, settingsBefore.accessTokenTtlSeconds);
      assert.deepEqual((await s.store.clients.byId(tenantId, appId))!.scopes, appBefore.scopes);
      assert.equal(
        (await s.store.roles.list(tenantId)).some((r) => r.name === 'wider'),
        false,
      );
      // Who it acts for is not a permission: /me answers.
      const me = await caller.request('GET', '/t/demo/api/v1/me');
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json().id, malloryId);
    });

    test('a read-only client reads and changes nothing', async () => {
      const { caller } = await malloryClient('reader', ['latchkey:read']);
      assert.equal((await caller.request('GET', '/t/demo/api/v1/users')).statusCode, 200);
      assert.equal((await caller.request('GET', `/t/demo/api/v1/apps/${appId}`)).statusCode, 200);
      assert.equal((await caller.request('GET', '/t/demo/api/v1/me/oauth2-clients')).statusCode, 200);
      insufficientScope(await caller.request('POST', `/t/demo/api/v1/apps/${appId}/deactivate`), 'latchkey:apps');
      insufficientScope(
        await caller.request('PATCH', `/t/demo/api/v1/users/${malloryId}`, { displayName: 'M' }),
        'latchkey:users',
      );
      assert.equal((await s.store.clients.byId(tenantId, appId))!.status, 'active');
    });

    test('trust anchors refuse every client credential, whatever its scopes', async () => {
      const { caller } = await malloryClient('all of it');
      const before = {
        idps: (await s.store.identityProviders.list(tenantId)).length,
        hook: (await s.store.webhooks.byId(tenantId, webhookId))!,
        tenant: (await s.store.tenants.bySlug('demo'))!,
      };
      await ensureIdentityProvider(s);
      const idpId = (await s.store.identityProviders.list(tenantId))[0]!.id;
      needsSignIn(
        await caller.request('POST', '/t/demo/api/v1/identity-providers', {
          name: 'Evil',
          issuer: 'http://127.0.0.1:1',
          clientId: 'x',
          clientSecret: 'y',
          allowedEmailDomains: ['demo.test'],
          jitProvisioning: true,
        }),
      );
      needsSignIn(
        await caller.request('PATCH', `/t/demo/api/v1/identity-providers/${idpId}`, {
          allowedEmailDomains: ['evil.test'],
        }),
      );
      needsSignIn(await caller.request('DELETE', `/t/demo/api/v1/identity-providers/${idpId}`));
      needsSignIn(
        await caller.request('PATCH', `/t/demo/api/v1/webhooks/${webhookId}`, { url: 'http://127.0.0.1:10/attacker' }),
      );
      needsSignIn(await caller.request('DELETE', `/t/demo/api/v1/webhooks/${webhookId}`));
      needsSignIn(await caller.request('POST', `/t/demo/api/v1/webhooks/${webhookId}/test`));
      needsSignIn(await caller.request('PATCH', '/t/demo/api/v1/settings', { ssoEnforced: true }));
      // A password-less domain manager is an account an identity provider signs in: a trust anchor too.
      needsSignIn(
        await caller.request('POST', '/t/demo/api/v1/users', {
          email: 'sock@demo.test',
          roleIds: [await roleId('domain-manager')],
        }),
      );
      const alice = await admin.request('POST', '/t/demo/api/v1/users', { email: 'alice@demo.test', roleIds: [] });
      assert.equal(alice.statusCode, 201, alice.body);
      needsSignIn(
        await caller.request('PATCH', `/t/demo/api/v1/users/${alice.json().id}`, {
          roleIds: [await roleId('domain-manager')],
        }),
      );
      // Nothing changed.
      assert.equal((await s.store.identityProviders.list(tenantId)).length, before.idps + (before.idps === 0 ? 1 : 0));
      assert.deepEqual((await s.store.identityProviders.byId(tenantId, idpId))!.allowedEmailDomains, ['demo.test']);
      assert.equal((await s.store.webhooks.byId(tenantId, webhookId))!.url, before.hook.url);
      assert.equal((await s.store.tenants.bySlug('demo'))!.ssoEnforced, false);
      assert.equal(await s.store.users.byEmail(tenantId, 'sock@demo.test'), undefined);
      assert.deepEqual(
        (await s.store.roles.forUser(tenantId, alice.json().id)).map((r) => r.id),
        [],
      );
      // Ordinary user management still works with the right scope: a non-manager invited, renamed.
      const bob = await caller.request('POST', '/t/demo/api/v1/users', {
        email: 'bob@demo.test',
        roleIds: [await roleId('oauth2-client-creator')],
      });
      assert.equal(bob.statusCode, 201, bob.body);
      assert.equal(
        (await caller.request('PATCH', `/t/demo/api/v1/users/${bob.json().id}`, { displayName: 'Bob' })).statusCode,
        200,
      );
      // The same changes through the console session are allowed.
      const r = await mallory.request('PATCH', `/t/demo/api/v1/webhooks/${webhookId}`, {
        description: 'changed in the console',
      });
      assert.equal(r.statusCode, 200, r.body);
    });

    test("the platform administrator's client cannot create tenants or set break-glass accounts", async () => {
      const made = await admin.request('POST', '/t/demo/api/v1/me/oauth2-clients', {
        name: 'platform',
        expiresAt: inDays(1),
      });
      assert.equal(made.statusCode, 201, made.body);
      const viaClient = as(s, { bearer: await tokenOf(made.json().clientId, made.json().clientSecret) });
      needsSignIn(
        await viaClient.request('POST', '/platform/api/v1/tenants', {
          slug: 'evil',
          name: 'Evil',
          manager: { email: 'x@evil.test' },
        }),
      );
      needsSignIn(
        await viaClient.request('PATCH', '/platform/api/v1/tenants/demo', {
          breakGlassAccounts: ['mallory@demo.test'],
        }),
      );
      needsSignIn(await viaClient.request('PATCH', '/platform/api/v1/tenants/demo', { enterpriseEnabled: false }));
      assert.equal(await s.store.tenants.bySlug('evil'), undefined);
      assert.deepEqual(
        (await s.store.users.breakGlass(tenantId)).map((u) => u.email),
        [],
      );
      assert.equal((await s.store.tenants.bySlug('demo'))!.enterpriseEnabled, true);
      // Reading is not a change.
      assert.equal((await viaClient.request('GET', '/platform/api/v1/tenants')).statusCode, 200);
    });

    test("the console session and the password grant keep the user's full power, whatever scope was asked for", async () => {
      const narrow = await passwordGrant(s, 'mallory@demo.test', PASSWORD, { scope: 'metering' });
      assert.equal(narrow.statusCode, 200, narrow.body);
      const own = as(s, { bearer: narrow.json().access_token });
      assert.equal((await own.request('GET', '/t/demo/api/v1/users')).statusCode, 200);
      const r = await own.request('PATCH', `/t/demo/api/v1/webhooks/${webhookId}`, {
        description: 'changed through the SDK',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(
        (await mallory.request('PATCH', '/t/demo/api/v1/settings', { accessTokenTtlSeconds: 900 })).statusCode,
        200,
      );
    });

    test('GET /scopes lists what a role may grant; a role grants management scopes, an API cannot define one', async () => {
      const items = (await admin.request('GET', '/t/demo/api/v1/scopes')).json().items as Array<{
        scope: string;
        api: string;
        management: boolean;
        description: string;
      }>;
      assert.deepEqual(
        items.map((i) => i.scope),
        [
          'metering',
          'myservices',
          'latchkey:read',
          'latchkey:users',
          'latchkey:clients',
          'latchkey:apps',
          'latchkey:settings',
        ],
      );
      assert.equal(items.find((i) => i.scope === 'metering')!.api, 'Sample API');
      assert.ok(
        items
          .filter((i) => i.management)
          .every((i) => i.api === 'Latchkey management API' && i.description.length > 10),
      );
      const role = await admin.request('POST', '/t/demo/api/v1/roles', { name: 'auditors', scopes: ['latchkey:read'] });
      assert.equal(role.statusCode, 201, role.body);
      assert.deepEqual(role.json().scopes, ['latchkey:read']);
      problem(
        await admin.request('POST', '/t/demo/api/v1/roles', { name: 'typo', scopes: ['latchkey:everything'] }),
        400,
        /unknown scope: latchkey:everything/,
      );
      problem(
        await admin.request('POST', '/t/demo/api/v1/resources', {
          name: 'Squatter',
          audience: 'urn:squat',
          scopes: ['latchkey:admin'],
        }),
        400,
        /belong to Latchkey's management API/,
      );
      assert.equal(
        (await s.store.resources.list(tenantId)).some((r) => r.name === 'Squatter'),
        false,
      );
    });

    test('the OpenAPI document names the scope of each operation and the trust anchors', async () => {
      const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const op = (path: string, method: string) => doc.paths[path][method];
      assert.deepEqual(op('/t/{tenant}/api/v1/apps/{id}', 'patch').security, [
        { bearer: ['latchkey:apps'] },
        { session: [] },
      ]);
      assert.deepEqual(op('/t/{tenant}/api/v1/users', 'get').security, [
        { bearer: ['latchkey:read'] },
        { session: [] },
      ]);
      assert.match(op('/t/{tenant}/api/v1/identity-providers', 'post').description, /Only an interactive sign-in/);
      assert.equal(op('/t/{tenant}/api/v1/me', 'get').security, undefined, 'the document-wide default: any token');
    });

    test('sessions started through an identity provider end when it is disabled or deleted', async () => {
      await ensureIdentityProvider(s);
      const idp = (await s.store.identityProviders.list(tenantId)).find((p) => p.enabled)!;
      const user = (await s.store.users.byId(tenantId, malloryId))!;
      const viaIdp = async () => {
        const session = await createSession(s.store, s.services.hasher, user, Date.now(), {
          method: 'sso',
          idpId: idp.id,
          idTokenSealed: null,
        });
        const caller = as(s, { cookie: session.secret, csrf: session.csrfToken });
        assert.equal((await caller.request('GET', '/t/demo/api/v1/me')).statusCode, 200);
        return caller;
      };
      let sso = await viaIdp();
      const r = await admin.request('PATCH', `/t/demo/api/v1/identity-providers/${idp.id}`, { enabled: false });
      assert.equal(r.statusCode, 200, r.body);
      problem(await sso.request('GET', '/t/demo/api/v1/me'), 401);
      // The password session of the same user goes on.
      assert.equal((await mallory.request('GET', '/t/demo/api/v1/me')).statusCode, 200);
      assert.equal(
        (await admin.request('PATCH', `/t/demo/api/v1/identity-providers/${idp.id}`, { enabled: true })).statusCode,
        200,
      );
      sso = await viaIdp();
      assert.equal((await admin.request('DELETE', `/t/demo/api/v1/identity-providers/${idp.id}`)).statusCode, 204);
      problem(await sso.request('GET', '/t/demo/api/v1/me'), 401);
      assert.equal((await mallory.request('GET', '/t/demo/api/v1/me')).statusCode, 200);
    });
  });
}
