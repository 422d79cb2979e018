import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem } from '../helpers/api-client.js';
import { changeTenant, clientCredentials, passwordGrant, token } from '../helpers/oauth.js';
import { startUpstreamProvider, type UpstreamProvider } from '../helpers/oidc-upstream.js';
import { errorPage, ssoSignIn } from '../helpers/sso-browser.js';
import { createUser } from '../../src/domain/users/service.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';

const PUBLIC = 'http://latchkey.test';
const CALLBACK = `${PUBLIC}/t/demo/login/sso/callback`;
const PASSWORD = 'a long enough password';

const sessionCookie = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'lk_session')?.value;

for (const backend of await backends()) {
  describe(`single sign-on through an upstream OpenID Connect provider (${backend})`, () => {
    let s: TestServer;
    let upstream: UpstreamProvider;
    let admin: Awaited<ReturnType<typeof login>>;
    let idpId: string;
    const manage = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
      as(s, admin).request(method, `/t/demo/api/v1${url}`, body);
    const demo = async () => (await s.store.tenants.bySlug('demo'))!;
    const role = async (builtin: string) =>
      (await s.store.roles.list((await demo()).id)).find((r) => r.builtin === builtin)!.id;

    before(async () => {
      s = await createTestServer(backend);
      admin = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      upstream = await startUpstreamProvider({
        redirectUris: [CALLBACK],
        postLogoutRedirectUris: [`${PUBLIC}/console/t/demo/sign-in`],
        accounts: [
          { email: 'ann@acme.test' },
          { email: 'joe@acme.test' },
          { email: 'dis@acme.test' },
          { email: 'nobody@acme.test' },
          { email: 'unverified@acme.test', emailVerified: false },
          { email: 'eve@evil.test' },
          { email: 'ada@acme.test', name: 'Ada Lovelace' },
          { email: 'rtl@acme.test', name: 'Bob\u202Egnp.exe' },
        ],
      });
      await changeTenant(s, { enterpriseEnabled: true });
    });
    after(async () => {
      await upstream.close();
      await s.close();
    });

    test('an unreachable or invalid issuer is refused with a clear problem, and enforcement needs a provider', async () => {
      const base = {
        name: 'Acme',
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        allowedEmailDomains: ['acme.test'],
      };
      let res = await manage('POST', '/identity-providers', { ...base, issuer: 'http://127.0.0.1:1' });
      problem(res, 400, /could not be fetched: connection failed$/);
      assert.match(res.json().type, /issuer-unreachable$/);
      res = await manage('POST', '/identity-providers', { ...base, issuer: 'http://idp.example.com' });
      problem(res, 400, /https/);
      assert.match(res.json().type, /issuer-invalid$/);
      res = await manage('POST', '/identity-providers', { ...base, issuer: upstream.issuer, allowedEmailDomains: [] });
      problem(res, 400);
      res = await manage('PATCH', '/settings', { ssoEnforced: true });
      problem(res, 409, /identity provider/);
      assert.match(res.json().type, /no-identity-provider$/);
      assert.equal((await manage('GET', '/identity-providers')).json().items.length, 0);
      assert.equal((await manage('GET', '/identity-providers')).json().redirectUri, CALLBACK);
    });

    test('a domain manager configures the provider; the secret is sealed and never shown', async () => {
      const res = await manage('POST', '/identity-providers', {
        name: 'Acme',
        issuer: upstream.issuer,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        allowedEmailDomains: ['ACME.test'],
      });
      assert.equal(res.statusCode, 201, res.body);
      const p = res.json();
      idpId = p.id;
      assert.deepEqual(Object.keys(p).sort(), [
        'allowedEmailDomains',
        'clientId',
        'createdAt',
        'enabled',
        'endSessionSupported',
        'id',
        'issuer',
        'jitProvisioning',
        'name',
        'updatedAt',
      ]);
      assert.deepEqual(p.allowedEmailDomains, ['acme.test']);
      assert.equal(p.endSessionSupported, true);
      assert.equal(p.jitProvisioning, false);
      const stored = (await s.store.identityProviders.byId((await demo()).id, idpId))!;
      assert.ok(!stored.clientSecretSealed.includes(upstream.clientSecret));
      const audit = await s.store.audit.list((await demo()).id, { action: 'identity_provider.created' }, 5);
      assert.equal(audit.length, 1);
      assert.ok(!JSON.stringify(audit).includes(upstream.clientSecret));
      const list = await manage('GET', '/identity-providers');
      assert.ok(!list.body.includes(upstream.clientSecret));
      const options = await s.app.inject({ method: 'GET', url: '/t/demo/api/v1/sign-in-options' });
      assert.deepEqual(options.json(), {
        passwordSignIn: true,
        ssoEnforced: false,
        providers: [{ id: idpId, name: 'Acme', loginUrl: `/t/demo/login/sso?idp=${idpId}` }],
      });
    });

    test('a user invited without a password signs in through the provider, creates a personal client and uses it', async () => {
      const tenant = await demo();
      const ann = await createUser(
        s.store,
        tenant,
        { email: 'ann@acme.test', displayName: 'Ann', roleIds: [await role('oauth2-client-creator')] },
        SYSTEM,
      );
      const { res } = await ssoSignIn(s, idpId, 'ann@acme.test', { next: '/console/t/demo/clients' });
      assert.equal(res.statusCode, 302, res.body);
      assert.equal(res.headers.location, '/console/t/demo/clients');
      const cookie = sessionCookie(res)!;
      assert.ok(cookie);
      const session = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/session',
        cookies: { lk_session: cookie },
      });
      assert.equal(session.statusCode, 200, session.body);
      assert.equal(session.json().method, 'sso');
      assert.equal(session.json().user.id, ann.id);
      const events = await s.store.audit.list(tenant.id, { action: 'session.created', actorId: ann.id }, 5);
      assert.deepEqual(events[0]!.details, { method: 'sso', idpId });
      const created = await as(s, { cookie, csrf: session.json().csrfToken }).request(
        'POST',
        '/t/demo/api/v1/me/oauth2-clients',
        { name: 'ann script', expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
      );
      assert.equal(created.statusCode, 201, created.body);
      const tok = await clientCredentials(s, created.json().clientId, created.json().clientSecret);
      assert.equal(tok.statusCode, 200, tok.body);
      annClient = created.json();
      annSession = { cookie, csrf: session.json().csrfToken };
    });
    let annClient: { clientId: string; clientSecret: string };
    let annSession: { cookie: string; csrf: string };

    test('each failure gives its own page and no session', async () => {
      const tenant = await demo();
      // Replay: the same callback a second time.
      const first = await ssoSignIn(s, idpId, 'ann@acme.test');
      assert.equal(first.res.statusCode, 302);
      const replay = await s.app.inject({ method: 'GET', url: first.callbackPath });
      errorPage(replay, 400, /This sign-in link has expired or was already used/);
      assert.equal(sessionCookie(replay), undefined);
      errorPage(
        await s.app.inject({ method: 'GET', url: '/t/demo/login/sso/callback?code=x&state=forged' }),
        400,
        /This sign-in link has expired/,
      );
      errorPage((await ssoSignIn(s, idpId, 'ann@acme.test', { deny: true })).res, 403, /Sign-in was cancelled/);
      errorPage((await ssoSignIn(s, idpId, 'unverified@acme.test')).res, 403, /Your email address is not verified/);
      await createUser(s.store, tenant, { email: 'eve@evil.test', displayName: 'Eve', roleIds: [] }, SYSTEM);
      errorPage((await ssoSignIn(s, idpId, 'eve@evil.test')).res, 403, /This email address may not sign in here/);
      errorPage((await ssoSignIn(s, idpId, 'nobody@acme.test')).res, 403, /There is no account for you yet/);
      const dis = await createUser(
        s.store,
        tenant,
        { email: 'dis@acme.test', displayName: 'Dis', roleIds: [] },
        SYSTEM,
      );
      await s.store.users.update(tenant.id, dis.id, { status: 'disabled' });
      errorPage((await ssoSignIn(s, idpId, 'dis@acme.test')).res, 403, /This account is disabled/);
      errorPage(
        await s.app.inject({ method: 'GET', url: '/t/demo/login/sso?idp=nope' }),
        400,
        /Single sign-on is not available/,
      );
      assert.equal(await s.store.users.byEmail(tenant.id, 'nobody@acme.test'), undefined);
      // Replayed and forged states tie to no sign-in started here: not audited.
      const failures = await s.store.audit.list(tenant.id, { action: 'session.sso_failed' }, 20);
      assert.deepEqual(failures.map((e) => e.details.reason).sort(), [
        'denied',
        'disabled',
        'foreign_email',
        'no_account',
        'unverified',
      ]);
    });

    test('just-in-time provisioning creates an account with no roles, for allowed domains only', async () => {
      const res = await manage('PATCH', `/identity-providers/${idpId}`, { jitProvisioning: true });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().jitProvisioning, true);
      const done = await ssoSignIn(s, idpId, 'joe@acme.test');
      assert.equal(done.res.statusCode, 302, done.res.body);
      const tenant = await demo();
      const joe = (await s.store.users.byEmail(tenant.id, 'joe@acme.test'))!;
      assert.ok(joe);
      assert.equal(joe.passwordHash, null);
      assert.deepEqual(await s.store.roles.forUser(tenant.id, joe.id), []);
      errorPage((await ssoSignIn(s, idpId, 'eve@evil.test')).res, 403, /This email address may not sign in here/);
      // The provider's display name follows the one name rule: kept when clean, else the email stands in.
      assert.equal((await ssoSignIn(s, idpId, 'ada@acme.test')).res.statusCode, 302);
      assert.equal((await s.store.users.byEmail(tenant.id, 'ada@acme.test'))!.displayName, 'Ada Lovelace');
      const rtl = await ssoSignIn(s, idpId, 'rtl@acme.test');
      assert.equal(rtl.res.statusCode, 302, rtl.res.body);
      assert.equal((await s.store.users.byEmail(tenant.id, 'rtl@acme.test'))!.displayName, 'rtl@acme.test');
    });

    test('enforcement ends password grants and sessions, refuses passwords, spares personal clients and break-glass accounts', async () => {
      const tenant = await demo();
      await createUser(
        s.store,
        tenant,
        { email: 'bob@demo.test', displayName: 'Bob', password: PASSWORD, roleIds: [] },
        SYSTEM,
      );
      await createUser(
        s.store,
        tenant,
        { email: 'carol@demo.test', displayName: 'Carol', password: PASSWORD, roleIds: [] },
        SYSTEM,
      );
      const bobGrant = (await passwordGrant(s, 'bob@demo.test', PASSWORD)).json();
      assert.ok(bobGrant.refresh_token);
      const carolGrant = (await passwordGrant(s, 'carol@demo.test', PASSWORD)).json();
      const bob = await login(s, 'demo', 'bob@demo.test', PASSWORD);

      const platform = (body: object) => as(s, admin).request('PATCH', '/platform/api/v1/tenants/demo', body);
      problem(await platform({ breakGlassAccounts: ['ghost@demo.test'] }), 400, /not a user/);
      let res = await platform({ breakGlassAccounts: ['Carol@demo.test'] });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().breakGlassAccounts, ['carol@demo.test']);
      assert.equal(res.json().ssoEnforced, false);

      res = await manage('PATCH', '/settings', { ssoEnforced: true });
      assert.equal(res.statusCode, 200, res.body);
      const [enforced] = await s.store.audit.list(tenant.id, { action: 'sso.enforced' }, 1);
      assert.ok(enforced);
      assert.equal((enforced.details as { passwordSessionsEnded: number }).passwordSessionsEnded >= 1, true);
      assert.equal((enforced.details as { refreshTokenGrantsEnded: number }).refreshTokenGrantsEnded >= 1, true);

      // Password sign-in and the password grant point to SSO and personal clients.
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/t/demo/api/v1/session',
          payload: { email: 'bob@demo.test', password: PASSWORD },
        }),
        403,
        /single sign-on.*personal OAuth2 client/,
      );
      const grant = await passwordGrant(s, 'bob@demo.test', PASSWORD);
      assert.equal(grant.json().error, 'invalid_grant');
      assert.match(grant.json().error_description, /single sign-on.*personal OAuth2 client/);
      // The earlier refresh token and password session are ended.
      const refreshed = await token(s, {
        grant_type: 'refresh_token',
        client_id: 'latchkey-sdk',
        refresh_token: bobGrant.refresh_token,
      });
      assert.equal(refreshed.json().error, 'invalid_grant', refreshed.body);
      problem(await as(s, bob).request('GET', '/t/demo/api/v1/me'), 401);
      // SSO sessions and personal clients keep working.
      const annMe = await as(s, annSession).request('GET', '/t/demo/api/v1/me');
      assert.equal(annMe.statusCode, 200, annMe.body);
      assert.equal((await clientCredentials(s, annClient.clientId, annClient.clientSecret)).statusCode, 200);
      // The break-glass account signs in with a password, audited, and kept its refresh token.
      await login(s, 'demo', 'carol@demo.test', PASSWORD);
      const glass = await s.store.audit.list(tenant.id, { action: 'sso.break_glass_sign_in' }, 5);
      assert.equal(glass.length, 1);
      assert.equal(
        (
          await token(s, {
            grant_type: 'refresh_token',
            client_id: 'latchkey-sdk',
            refresh_token: carolGrant.refresh_token,
          })
        ).statusCode,
        200,
      );
      const options = await s.app.inject({ method: 'GET', url: '/t/demo/api/v1/sign-in-options' });
      assert.equal(options.json().passwordSignIn, false);
      // The last enabled provider stays while enforced.
      problem(await manage('PATCH', `/identity-providers/${idpId}`, { enabled: false }), 409);
      problem(await manage('DELETE', `/identity-providers/${idpId}`), 409);
      // The platform administrator turns it off again.
      res = await platform({ ssoEnforced: false });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().ssoEnforced, false);
    });

    test("a provider's end-session endpoint must be https (http only on loopback), like its issuer", async () => {
      const tenant = await demo();
      const before = (await s.store.identityProviders.byId(tenant.id, idpId))!;
      for (const endSession of [
        'javascript:alert(document.domain)//',
        'http://idp.example.com/logout',
        'data:text/html,<script>alert(1)</script>',
      ]) {
        const bad = await startUpstreamProvider({
          redirectUris: [CALLBACK],
          accounts: [],
          endSessionEndpoint: endSession,
        });
        try {
          const doc = await (await fetch(`${bad.issuer}/.well-known/openid-configuration`)).json();
          assert.equal(doc.end_session_endpoint, endSession, 'the provider advertises it');
          const body = {
            name: 'Bad',
            issuer: bad.issuer,
            clientId: bad.clientId,
            clientSecret: bad.clientSecret,
            allowedEmailDomains: ['acme.test'],
          };
          let res = await manage('POST', '/identity-providers', body);
          problem(
            res,
            400,
            /^the discovery document's end_session_endpoint must be an https URL \(plain http only on the loopback interface\)$/,
          );
          assert.match(res.json().type, /issuer-invalid$/);
          res = await manage('PATCH', `/identity-providers/${idpId}`, {
            issuer: bad.issuer,
            clientId: bad.clientId,
            clientSecret: bad.clientSecret,
          });
          problem(res, 400, /end_session_endpoint must be an https URL/);
        } finally {
          await bad.close();
        }
      }
      assert.deepEqual(
        (await s.store.identityProviders.list(tenant.id)).map((p) => p.id),
        [idpId],
        'nothing saved',
      );
      assert.deepEqual(await s.store.identityProviders.byId(tenant.id, idpId), before, 'nothing changed');

      // A provider saved before this rule, with such an endpoint stored: sign-out offers no link.
      await s.store.db
        .updateTable('identity_providers')
        .set({ end_session_endpoint: 'javascript:alert(document.domain)//' })
        .where('id', '=', idpId)
        .execute();
      try {
        const { res } = await ssoSignIn(s, idpId, 'ann@acme.test');
        assert.equal(res.statusCode, 302, res.body);
        const cookie = sessionCookie(res)!;
        const session = await s.app.inject({
          method: 'GET',
          url: '/t/demo/api/v1/session',
          cookies: { lk_session: cookie },
        });
        const out = await as(s, { cookie, csrf: session.json().csrfToken }).request('DELETE', '/t/demo/api/v1/session');
        assert.equal(out.statusCode, 204, out.body);
        assert.equal(out.body, '');
        assert.equal((await manage('GET', `/identity-providers/${idpId}`)).json().endSessionSupported, false);
      } finally {
        await s.store.db
          .updateTable('identity_providers')
          .set({ end_session_endpoint: before.endSessionEndpoint })
          .where('id', '=', idpId)
          .execute();
      }
    });

    test("sign-out ends the session and offers the provider's end-session URL", async () => {
      const res = await as(s, annSession).request('DELETE', '/t/demo/api/v1/session');
      assert.equal(res.statusCode, 200, res.body);
      const url = new URL(res.json().endSessionUrl);
      assert.equal(url.origin, upstream.issuer);
      assert.ok(url.searchParams.get('id_token_hint'));
      assert.equal(url.searchParams.get('post_logout_redirect_uri'), `${PUBLIC}/console/t/demo/sign-in`);
      problem(await as(s, annSession).request('GET', '/t/demo/api/v1/me'), 401);
      const logout = await fetch(url, { redirect: 'manual' });
      assert.equal(logout.status, 200, 'the provider accepts the hint and shows its logout page');
    });

    test('an unreachable provider gives its page', async () => {
      const start = await s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}` });
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      const cookies = Object.fromEntries(start.cookies.map((c) => [c.name, c.value]));
      await upstream.close();
      errorPage(
        await s.app.inject({
          method: 'GET',
          url: `/t/demo/login/sso/callback?code=abc&state=${state}&iss=${encodeURIComponent(upstream.issuer)}`,
          cookies,
        }),
        502,
        /The identity provider could not be reached/,
      );
      // The audit log gives the class of the failure, nothing about the address or port behind it.
      const [failed] = await s.store.audit.list((await demo()).id, { action: 'session.sso_failed' }, 1);
      assert.deepEqual(failed.details, { reason: 'unreachable', message: 'connection failed' });
    });
  });
}
