// Login CSRF through single sign-on: a callback URL taken from the attacker's own sign-in, opened by
// a victim, must not sign the victim's browser in as the attacker. The sign-in is bound to the
// browser that started it by a short-lived cookie checked at the callback.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { backends, createTestServer, ADMIN_EMAIL, type TestServer } from '../helpers/harness.js';
import { as, bearer } from '../helpers/api-client.js';
import { startUpstreamProvider, type UpstreamProvider } from '../helpers/oidc-upstream.js';
import { errorPage, remember, ssoCallback, ssoSignIn, type Jar } from '../helpers/sso-browser.js';
import { createUser } from '../../src/domain/users/service.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';

const PASSWORD = 'a long enough password';

async function setUp(s: TestServer, upstream: UpstreamProvider): Promise<string> {
  const tenant = (await s.store.tenants.bySlug('demo'))!;
  const admin = { bearer: await bearer(s, 'demo', (await s.store.users.byEmail(tenant.id, ADMIN_EMAIL))!.id) };
  const res = await as(s, admin).request('POST', '/t/demo/api/v1/identity-providers', {
    name: 'Acme',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
    clientSecret: upstream.clientSecret,
    allowedEmailDomains: ['acme.test'],
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

const setCookie = (headers: Record<string, unknown>, name: string): string | undefined =>
  [headers['set-cookie'] ?? []]
    .flat()
    .map(String)
    .find((c) => c.startsWith(`${name}=`));

for (const backend of await backends()) {
  describe(`an SSO sign-in finishes only in the browser that started it (${backend})`, () => {
    let s: TestServer;
    let upstream: UpstreamProvider;
    let idpId: string;
    const demo = async () => (await s.store.tenants.bySlug('demo'))!;

    before(async () => {
      s = await createTestServer(backend);
      upstream = await startUpstreamProvider({
        redirectUris: [`${s.config.publicUrl}/t/demo/login/sso/callback`],
        accounts: [{ email: 'ann@acme.test' }, { email: 'mallory@acme.test' }],
      });
      idpId = await setUp(s, upstream);
      const tenant = await demo();
      await createUser(
        s.store,
        tenant,
        { email: 'ann@acme.test', displayName: 'Ann', password: PASSWORD, roleIds: [] },
        SYSTEM,
      );
      await createUser(s.store, tenant, { email: 'mallory@acme.test', displayName: 'Mallory', roleIds: [] }, SYSTEM);
    });
    after(async () => {
      await upstream.close();
      await s.close();
    });

    test("a callback URL from the attacker's own sign-in, opened in the victim's browser, is refused and burns the state", async () => {
      const tenant = await demo();
      // Mallory signs in at the provider as herself and keeps the callback URL instead of opening it.
      const attack = await ssoCallback(s, idpId, 'mallory@acme.test');
      // Ann is signed in to the console with her password; she opens the URL Mallory sent her.
      const annLogin = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        payload: { email: 'ann@acme.test', password: PASSWORD },
      });
      assert.equal(annLogin.statusCode, 200, annLogin.body);
      const ann: Jar = new Map();
      remember(ann, annLogin);
      const opened = await s.app.inject({ method: 'GET', url: attack.callbackPath, cookies: Object.fromEntries(ann) });
      errorPage(opened, 400, /This sign-in was started in another browser/);
      assert.equal(
        opened.cookies.find((c) => c.name === 'lk_session'),
        undefined,
        'no session is set',
      );
      // Ann is still herself.
      remember(ann, opened);
      const session = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/session',
        cookies: Object.fromEntries(ann),
      });
      assert.equal(session.statusCode, 200, session.body);
      assert.equal(session.json().user.email, 'ann@acme.test');
      // The state was consumed: not even Mallory's own browser can finish it now.
      const late = await s.app.inject({
        method: 'GET',
        url: attack.callbackPath,
        cookies: Object.fromEntries(attack.jar),
      });
      errorPage(late, 400, /This sign-in link has expired or was already used/);
      const mallory = (await s.store.users.byEmail(tenant.id, 'mallory@acme.test'))!;
      assert.deepEqual(await s.store.audit.list(tenant.id, { action: 'session.created', actorId: mallory.id }, 5), []);
      // The victim's attempt is audited (the state was real); the late one is not (the state was gone).
      const failed = await s.store.audit.list(tenant.id, { action: 'session.sso_failed' }, 5);
      assert.deepEqual(
        failed.map((e) => e.details),
        [
          {
            reason: 'browser',
            message: 'the callback came from a browser other than the one that started the sign-in',
          },
        ],
      );
    });

    test("a browser with a sign-in of its own in progress is refused another browser's callback too", async () => {
      const attack = await ssoCallback(s, idpId, 'mallory@acme.test');
      const victim = await s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}` });
      assert.equal(victim.statusCode, 302);
      const jar: Jar = new Map();
      remember(jar, victim);
      assert.equal(jar.size, 1, 'the start sets one cookie');
      const opened = await s.app.inject({ method: 'GET', url: attack.callbackPath, cookies: Object.fromEntries(jar) });
      errorPage(opened, 400, /This sign-in was started in another browser/);
      assert.equal(
        opened.cookies.find((c) => c.name === 'lk_session'),
        undefined,
      );
    });

    test('the browser that started the sign-in finishes it; the binding cookie is host-only, HttpOnly, SameSite=Lax, short-lived, stored only as a hash, and cleared at the callback', async () => {
      const start = await s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}` });
      const header = setCookie(start.headers, 'lk_sso');
      assert.ok(header, `a binding cookie: ${JSON.stringify(start.headers['set-cookie'])}`);
      assert.match(header, /; HttpOnly/i);
      assert.match(header, /; SameSite=Lax/i);
      assert.match(header, /; Path=\/(;|$)/);
      assert.match(header, /; Max-Age=600/);
      assert.doesNotMatch(header, /; Domain=/i, 'host-only');
      assert.doesNotMatch(header, /; Secure/i, 'plain http (local development): not Secure');
      const value = header.slice('lk_sso='.length).split(';')[0]!;
      assert.ok(value.length >= 43, 'at least 256 random bits');
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      assert.notEqual(value, state, 'the binding is not the state that travels in URLs');
      const rows = await s.store.db.selectFrom('sso_login_states').selectAll().execute();
      assert.ok(!JSON.stringify(rows).includes(value), 'the binding value is not stored');
      assert.ok(JSON.stringify(rows).includes(createHash('sha256').update(value).digest('base64url')), 'its hash is');

      const done = await ssoSignIn(s, idpId, 'mallory@acme.test');
      assert.equal(done.res.statusCode, 302, done.res.body);
      assert.ok(done.res.cookies.find((c) => c.name === 'lk_session')?.value);
      const cleared = setCookie(done.res.headers, 'lk_sso');
      assert.ok(
        cleared && /Expires=Thu, 01 Jan 1970|Max-Age=0/i.test(cleared),
        `the binding cookie is cleared: ${cleared}`,
      );
      assert.equal(done.jar.has('lk_sso'), false);
    });
  });
}

describe('behind https the binding cookie is Secure and carries the __Host- prefix', () => {
  test('GET /login/sso sets __Host-lk_sso; Secure, Path=/, no Domain', async () => {
    const [backend] = await backends();
    const s = await createTestServer(backend!, { PUBLIC_URL: 'https://latchkey.test' });
    const upstream = await startUpstreamProvider({
      redirectUris: ['https://latchkey.test/t/demo/login/sso/callback'],
      accounts: [],
    });
    try {
      const idpId = await setUp(s, upstream);
      const start = await s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}` });
      assert.equal(start.statusCode, 302, start.body);
      assert.equal(setCookie(start.headers, 'lk_sso'), undefined, 'no unprefixed cookie');
      const header = setCookie(start.headers, '__Host-lk_sso');
      assert.ok(header, JSON.stringify(start.headers['set-cookie']));
      assert.match(header, /; Secure/i);
      assert.match(header, /; Path=\/(;|$)/);
      assert.doesNotMatch(header, /; Domain=/i);
      // The prefixed cookie is the one the callback reads.
      const state = new URL(String(start.headers.location)).searchParams.get('state')!;
      const value = header.slice('__Host-lk_sso='.length).split(';')[0]!;
      const unprefixed = await s.app.inject({
        method: 'GET',
        url: `/t/demo/login/sso/callback?code=x&state=${state}`,
        cookies: { lk_sso: value },
      });
      errorPage(unprefixed, 400, /This sign-in was started in another browser/);
    } finally {
      await upstream.close();
      await s.close();
    }
  });
});
