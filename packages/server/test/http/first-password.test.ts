// An account that signs in only through SSO has no password to prove: a stolen console session of
// it must not turn into lasting password access. Setting one's own first password needs a fresh SSO
// sign-in (one that began within the last 5 minutes); a domain manager may still set another user's.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem } from '../helpers/api-client.js';
import { startUpstreamProvider, type UpstreamProvider } from '../helpers/oidc-upstream.js';
import { ssoSignIn } from '../helpers/sso-browser.js';
import { createUser } from '../../src/domain/users/service.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { FRESH_SIGN_IN_MS } from '../../src/domain/sessions/service.js';

for (const backend of await backends()) {
  describe(`an SSO-only account's first password (${backend})`, () => {
    let s: TestServer;
    let upstream: UpstreamProvider;
    let idpId: string;
    let tenantId: string;
    let samId: string;
    /** Sam (a domain manager who signs in only through SSO) signs in: the session's cookie and CSRF token. */
    const samSignsIn = async () => {
      const done = await ssoSignIn(s, idpId, 'sam@acme.test');
      assert.equal(done.res.statusCode, 302, done.res.body);
      const cookie = done.jar.get('lk_session')!;
      const session = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/session',
        cookies: { lk_session: cookie },
      });
      assert.equal(session.json().method, 'sso');
      return { cookie, csrf: session.json().csrfToken as string };
    };
    /** Moves the start of every session of Sam back in time: the session was stolen that long ago. */
    const age = async (ms: number) => {
      const now = Date.now();
      await s.store.db
        .updateTable('sessions')
        .set({ created_at: now - ms })
        .where('user_id', '=', samId)
        .execute();
    };
    const setOwn = (who: Parameters<typeof as>[1], password = 'a password of my own choosing') =>
      as(s, who).request('PATCH', `/t/demo/api/v1/users/${samId}`, { password });
    const stored = async () => (await s.store.users.byId(tenantId, samId))!.passwordHash;

    before(async () => {
      s = await createTestServer(backend);
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      upstream = await startUpstreamProvider({
        redirectUris: [`${s.config.publicUrl}/t/demo/login/sso/callback`],
        accounts: [{ email: 'sam@acme.test' }],
      });
      const admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      const res = await admin.request('POST', '/t/demo/api/v1/identity-providers', {
        name: 'Acme',
        issuer: upstream.issuer,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        allowedEmailDomains: ['acme.test'],
      });
      assert.equal(res.statusCode, 201, res.body);
      idpId = res.json().id;
      const manager = (await s.store.roles.list(tenantId)).find((r) => r.builtin === 'domain-manager')!;
      samId = (
        await createUser(
          s.store,
          (await s.store.tenants.byId(tenantId))!,
          { email: 'sam@acme.test', displayName: 'Sam', roleIds: [manager.id] },
          SYSTEM,
        )
      ).id;
    });
    after(async () => {
      await upstream.close();
      await s.close();
    });

    test('a session whose SSO sign-in is older than 5 minutes cannot set a first password, and is told to sign in through SSO again', async () => {
      const stolen = await samSignsIn();
      await age(FRESH_SIGN_IN_MS + 60_000);
      const detail = problem(await setOwn(stolen), 403, /sign in again through single sign-on/);
      assert.match(detail, /5 minutes/);
      assert.equal(await stored(), null, 'no password was set');
      assert.deepEqual(await s.store.audit.list(tenantId, { action: 'user.password_changed', targetId: samId }, 5), []);
      // The session itself still works for everything else.
      assert.equal((await as(s, stolen).request('GET', '/t/demo/api/v1/me')).statusCode, 200);
    });

    test('a token cannot prove a fresh sign-in either', async () => {
      problem(await setOwn({ bearer: await bearer(s, 'demo', samId) }), 403, /sign in again through single sign-on/);
      assert.equal(await stored(), null);
    });

    test('right after an SSO sign-in the first password is set (and every session ends, as with any password change)', async () => {
      const fresh = await samSignsIn();
      await age(FRESH_SIGN_IN_MS - 60_000);
      const res = await setOwn(fresh);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(await stored());
      assert.equal(
        (await s.store.audit.list(tenantId, { action: 'user.password_changed', targetId: samId }, 5)).length,
        1,
      );
      problem(await as(s, fresh).request('GET', '/t/demo/api/v1/me'), 401);
      // From now on it is a password like any other: changing it needs the current one.
      const sam = await login(s, 'demo', 'sam@acme.test', 'a password of my own choosing');
      problem(await setOwn(sam, 'yet another password here'), 400, /currentPassword is required/);
    });

    test("a domain manager may set another user's first password (a manager's action, audited)", async () => {
      const joe = await createUser(
        s.store,
        (await s.store.tenants.byId(tenantId))!,
        { email: 'joe@acme.test', displayName: 'Joe', roleIds: [] },
        SYSTEM,
      );
      const admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      const res = await admin.request('PATCH', `/t/demo/api/v1/users/${joe.id}`, {
        password: 'set by the manager for joe',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok((await s.store.users.byId(tenantId, joe.id))!.passwordHash);
    });
  });
}
