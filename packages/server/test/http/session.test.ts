import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, form, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem } from '../helpers/api-client.js';
import { changeTenant, ensureIdentityProvider } from '../helpers/oauth.js';
import { signAccessToken } from '../../src/domain/tokens/access-token.js';
import type { ProblemCode } from '../../src/http/problem.js';

const PASSWORD = 'a long enough password';

for (const backend of await backends()) {
  describe(`session and authentication (${backend})`, () => {
    let s: TestServer;
    let admin: Awaited<ReturnType<typeof login>>;
    const invite = async (email: string, extra: Record<string, unknown> = {}) => {
      const res = await as(s, admin).request('POST', '/t/demo/api/v1/users', { email, password: PASSWORD, ...extra });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const demo = async () => (await s.store.tenants.bySlug('demo'))!;

    before(async () => {
      s = await createTestServer(backend);
      admin = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
    });
    after(() => s.close());

    test('sign-in sets an httpOnly, SameSite=Strict cookie and stores only its hash', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.user.email, ADMIN_EMAIL);
      assert.equal(typeof body.csrfToken, 'string');
      const ttl = Date.parse(body.expiresAt) - Date.now();
      assert.ok(ttl > 7.9 * 3600_000 && ttl <= 8 * 3600_000, `8 h lifetime, got ${ttl} ms`);
      const setCookie = String(res.headers['set-cookie']);
      assert.match(setCookie, /^lk_session=lk_ss_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6};/);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.match(setCookie, /Path=\//);
      assert.doesNotMatch(setCookie, /Secure/); // PUBLIC_URL is http in tests
      const value = res.cookies.find((c) => c.name === 'lk_session')!.value;
      const stored = await s.store.sessions.byHash(s.services.hasher.hash(value), Date.now());
      assert.equal(stored?.userId, body.user.id);
      assert.equal(stored?.csrfToken, body.csrfToken);
      assert.equal(await s.store.sessions.byHash(value, Date.now()), undefined, 'the raw value is not stored');
      const events = await s.store.audit.list(
        stored!.tenantId,
        { action: 'session.created', actorId: body.user.id },
        10,
      );
      assert.ok(events.length >= 1);
    });

    test('answers that carry the CSRF token are never cached', async () => {
      const res = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const again = await as(s, admin).request('GET', '/t/demo/api/v1/session');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.headers['cache-control'], 'no-store');
    });

    test('the session endpoint returns the CSRF token again (console reload)', async () => {
      const res = await as(s, admin).request('GET', '/t/demo/api/v1/session');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().csrfToken, admin.csrf);
      problem(
        await as(s, { bearer: await bearer(s, 'demo', admin.userId) }).request('GET', '/t/demo/api/v1/session'),
        400,
        /bearer token/,
      );
    });

    test('wrong password and unknown email get the same 401; the password is not audited', async () => {
      const wrong = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: ADMIN_EMAIL, password: 'not the password' },
      });
      const unknown = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: 'nobody@demo.test', password: 'not the password' },
      });
      const d1 = problem(wrong, 401);
      const d2 = problem(unknown, 401);
      assert.equal(d1, d2);
      assert.equal(wrong.headers['set-cookie'], undefined);
      const events = await s.store.audit.list((await demo()).id, { action: 'session.login_failed' }, 10);
      assert.deepEqual(events.map((e) => e.details.email).sort(), [ADMIN_EMAIL, 'nobody@demo.test']);
      assert.ok(!JSON.stringify(events).includes('not the password'));
    });

    test('bad sign-in bodies are 400 with a specific detail', async () => {
      problem(
        await s.app.inject({ method: 'POST', url: '/t/demo/api/v1/session', payload: { email: ADMIN_EMAIL } }),
        400,
        /body\.password is required/,
      );
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/t/demo/api/v1/session',
          payload: { email: ADMIN_EMAIL, password: 'x', remember: true },
        }),
        400,
        /body\.remember is not allowed/,
      );
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/t/nope/api/v1/session',
          payload: { email: ADMIN_EMAIL, password: 'x' },
        }),
        404,
        /tenant "nope"/,
      );
      const foreign = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        headers: { origin: 'https://evil.example' },
        payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      });
      problem(foreign, 403, /cross-origin/);
      assert.equal(foreign.headers['set-cookie'], undefined);
    });

    test('missing or invalid credentials are 401 with WWW-Authenticate', async () => {
      // RFC 6750 §3.1: error="invalid_token" only when a bearer token was presented.
      const cases: Array<[Record<string, string>, ProblemCode, string]> = [
        [{}, 'authentication_required', 'Bearer realm="latchkey"'],
        [{ authorization: 'Basic YTpi' }, 'authentication_required', 'Bearer realm="latchkey"'],
        [{ authorization: 'Bearer not.a.jwt' }, 'token_invalid', 'Bearer realm="latchkey", error="invalid_token"'],
        [{ authorization: 'Bearer "quoted"' }, 'token_invalid', 'Bearer realm="latchkey", error="invalid_token"'],
        [{ cookie: 'lk_session=lk_ss_forged' }, 'session_expired', 'Bearer realm="latchkey"'],
      ];
      for (const [headers, code, challenge] of cases) {
        const res = await s.app.inject({ method: 'GET', url: '/t/demo/api/v1/me', headers });
        problem(res, 401, undefined, code);
        assert.equal(res.headers['www-authenticate'], challenge);
      }
    });

    test('bearer tokens: valid works without CSRF; expired, revoked and foreign tokens do not', async () => {
      const token = await bearer(s, 'demo', admin.userId);
      const ok = await as(s, { bearer: token }).request('PATCH', '/t/demo/api/v1/settings', {
        personalClientMaxDays: 90,
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await demo()).personalClientMaxDays, 90);

      problem(
        await as(s, { bearer: await bearer(s, 'demo', admin.userId, -60) }).request('GET', '/t/demo/api/v1/me'),
        401,
        /^Expired access token/,
        'token_expired',
      );

      const tenant = await demo();
      const minted = signAccessToken(await s.services.keys.active(tenant), {
        issuer: s.services.issuer(tenant),
        subject: admin.userId,
        audience: s.services.issuer(tenant),
        clientId: 'latchkey-sdk',
        scope: '',
        ttlSeconds: 300,
      });
      // Written to the store as another process would, then read back.
      await s.store.replay.revokeAccessToken(tenant.id, minted.claims.jti, minted.claims.exp * 1000);
      await s.services.revokedTokens.sync();
      problem(
        await as(s, { bearer: minted.token }).request('GET', '/t/demo/api/v1/me'),
        401,
        /revoked/,
        'token_revoked',
      );

      const sampleApiOnly = signAccessToken(await s.services.keys.active(tenant), {
        issuer: s.services.issuer(tenant),
        subject: admin.userId,
        audience: 'urn:latchkey:sample-api',
        clientId: 'latchkey-sdk',
        scope: 'metering',
        ttlSeconds: 300,
      });
      problem(
        await as(s, { bearer: sampleApiOnly.token }).request('GET', '/t/demo/api/v1/me'),
        401,
        /not meant for this API/,
        'token_invalid',
      );

      // A token whose subject is no user (an application's client_credentials token).
      problem(
        await as(s, { bearer: await bearer(s, 'demo', 'app-client-id') }).request('GET', '/t/demo/api/v1/me'),
        403,
        /does not represent a user/,
        'not_a_user',
      );
    });

    test('CSRF: cookie-authenticated writes need the X-CSRF-Token header and our Origin', async () => {
      const url = '/t/demo/api/v1/settings';
      const before = (await demo()).accessTokenTtlSeconds;
      const noToken = await s.app.inject({
        method: 'PATCH',
        url,
        cookies: { lk_session: admin.cookie },
        payload: { accessTokenTtlSeconds: 600 },
      });
      problem(noToken, 403, /X-CSRF-Token/);
      problem(
        await as(s, admin).request(
          'PATCH',
          url,
          { accessTokenTtlSeconds: 600 },
          { 'x-csrf-token': admin.csrf.slice(1) + 'x' },
        ),
        403,
        /X-CSRF-Token/,
      );
      problem(
        await as(s, admin).request('PATCH', url, { accessTokenTtlSeconds: 600 }, { origin: 'https://evil.example' }),
        403,
        /cross-origin/,
      );
      assert.equal((await demo()).accessTokenTtlSeconds, before, 'nothing changed');
      // Reads need no token.
      assert.equal((await s.app.inject({ method: 'GET', url, cookies: { lk_session: admin.cookie } })).statusCode, 200);
      const ok = await as(s, admin).request(
        'PATCH',
        url,
        { accessTokenTtlSeconds: 600 },
        { origin: 'http://latchkey.test' },
      );
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await demo()).accessTokenTtlSeconds, 600);
    });

    test('sign-out needs CSRF, ends the session and clears the cookie', async () => {
      const me = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      problem(
        await s.app.inject({ method: 'DELETE', url: '/t/demo/api/v1/session', cookies: { lk_session: me.cookie } }),
        403,
      );
      assert.equal((await as(s, me).request('GET', '/t/demo/api/v1/me')).statusCode, 200, 'still signed in');
      const out = await as(s, me).request('DELETE', '/t/demo/api/v1/session');
      assert.equal(out.statusCode, 204, out.body);
      assert.match(String(out.headers['set-cookie']), /^lk_session=;.*Expires=Thu, 01 Jan 1970/);
      assert.equal(await s.store.sessions.byHash(s.services.hasher.hash(me.cookie), Date.now()), undefined);
      problem(await as(s, me).request('GET', '/t/demo/api/v1/me'), 401, /expired or ended/);
    });

    test('repeated failures are throttled with 429 and Retry-After, even for the right password', async () => {
      await invite('throttled@demo.test');
      for (let i = 0; i < 5; i++) {
        problem(
          await s.app.inject({
            method: 'POST',
            url: '/t/demo/api/v1/session',
            payload: { email: 'throttled@demo.test', password: 'wrong guess ' + i },
          }),
          401,
        );
      }
      const res = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: 'throttled@demo.test', password: PASSWORD },
      });
      problem(res, 429, /try again in \d+ seconds/);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.equal(res.headers['set-cookie'], undefined);
    });

    test('disabled users cannot sign in, and their sessions end', async () => {
      const id = await invite('leaver@demo.test');
      const leaver = await login(s, 'demo', 'leaver@demo.test', PASSWORD);
      const res = await as(s, admin).request('PATCH', `/t/demo/api/v1/users/${id}`, { status: 'disabled' });
      assert.equal(res.statusCode, 200, res.body);
      problem(await as(s, leaver).request('GET', '/t/demo/api/v1/me'), 401);
      problem(
        await s.app.inject({
          method: 'POST',
          url: '/t/demo/api/v1/session',
          payload: { email: 'leaver@demo.test', password: PASSWORD },
        }),
        401,
        /disabled/,
      );
      problem(
        await as(s, { bearer: await bearer(s, 'demo', id) }).request('GET', '/t/demo/api/v1/me'),
        401,
        /disabled/,
      );
    });

    test('with SSO enforced only platform administrators may use a password', async () => {
      await invite('sso-user@demo.test');
      await ensureIdentityProvider(s);
      assert.equal(
        (await as(s, admin).request('PATCH', '/t/demo/api/v1/settings', { ssoEnforced: true })).statusCode,
        200,
      );
      try {
        problem(
          await s.app.inject({
            method: 'POST',
            url: '/t/demo/api/v1/session',
            payload: { email: 'sso-user@demo.test', password: PASSWORD },
          }),
          403,
          /password sign-in is disabled for this domain/,
        );
        // A wrong password still reads as a wrong password, revealing nothing.
        problem(
          await s.app.inject({
            method: 'POST',
            url: '/t/demo/api/v1/session',
            payload: { email: 'sso-user@demo.test', password: 'wrong' },
          }),
          401,
          /wrong email or password/,
        );
        await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      } finally {
        assert.equal(
          (await as(s, admin).request('PATCH', '/t/demo/api/v1/settings', { ssoEnforced: false })).statusCode,
          200,
        );
      }
    });

    test('the HTML sign-in form escapes, checks the origin and redirects to the console', async () => {
      await changeTenant(s, { name: 'Demo <script>"&' });
      const page = await s.app.inject({ method: 'GET', url: '/t/demo/login' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /Demo &lt;script&gt;&quot;&amp;/);
      assert.doesNotMatch(page.body, /<script>/);
      assert.match(page.body, /<form method="post" action="\/t\/demo\/login">/);

      const post = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
        s.app.inject({
          method: 'POST',
          url: '/t/demo/login',
          payload: form(payload),
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        });
      const wrong = await post({ email: '"><img src=x>', password: 'nope' });
      assert.equal(wrong.statusCode, 401);
      assert.match(wrong.body, /Wrong email or password/);
      assert.match(wrong.body, /value="&quot;&gt;&lt;img src=x&gt;"/);
      assert.equal(wrong.headers['set-cookie'], undefined);

      for (const headers of [{ origin: 'https://evil.example' }, { referer: 'https://evil.example/page' }] as Array<
        Record<string, string>
      >) {
        const res = await post({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, headers);
        assert.equal(res.statusCode, 403);
        assert.equal(res.headers['set-cookie'], undefined);
      }

      const ok = await post(
        { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
        { origin: 'http://latchkey.test', referer: 'http://latchkey.test/t/demo/login' },
      );
      assert.equal(ok.statusCode, 303, ok.body);
      assert.equal(ok.headers.location, '/console/t/demo/');
      const cookie = ok.cookies.find((c) => c.name === 'lk_session')!;
      assert.equal(cookie.httpOnly, true);
      const me = await s.app.inject({ method: 'GET', url: '/t/demo/api/v1/me', cookies: { lk_session: cookie.value } });
      assert.equal(me.json().email, ADMIN_EMAIL);
    });
  });
}
