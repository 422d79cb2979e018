// Host names of tenants, as the platform administrator assigns them (PATCH /platform/api/v1/tenants/{slug}
// with `hosts`): the rules a host name follows, one tenant per host, the audit trail, and what the
// routing by host does with each kind of Host (Fastify inject; real HTTP is test/e2e/tenant-hosts.test.ts).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';
import { isUniqueViolation } from '../../src/http/errors.js';
import { startUpstreamProvider } from '../helpers/oidc-upstream.js';
import { ssoSignIn } from '../helpers/sso-browser.js';
import { introspect, makeApp } from '../helpers/oauth.js';
import { basic, form } from '../helpers/harness.js';
import { parseTenantHostSuffix } from '../../src/config.js';

for (const backend of await backends()) {
  describe(`tenant host names (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;

    const patch = (slug: string, body: object) => admin.request('PATCH', `/platform/api/v1/tenants/${slug}`, body);
    const storedHosts = async (slug: string) => s.store.tenantHosts.forTenant((await s.store.tenants.bySlug(slug))!.id);

    before(async () => {
      s = await createTestServer(backend, { LATCHKEY_TENANT_HOST_SUFFIX: '.id.latchkey.test' });
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      const made = await admin.request('POST', '/platform/api/v1/tenants', { slug: 'acme', name: 'Acme' });
      assert.equal(made.statusCode, 201, made.body);
    });
    after(() => s.close());

    test('a host name must be a DNS name: each bad one is refused with its reason, and nothing changes', async () => {
      const cases: [string, RegExp][] = [
        ['https://acme.example.com', /is a URL: give the host name alone/],
        ['acme.example.com:8443', /has a port/],
        ['10.0.0.7', /is an IP address/],
        ['[::1]', /is an IP address/],
        ['*.example.com', /is a wildcard: set LATCHKEY_TENANT_HOST_SUFFIX/],
        ['Acme.Example.com', /must be lowercase \(acme\.example\.com\)/],
        ['acme', /needs at least two labels/],
        ['acme..example.com', /has an empty label/],
        ['-acme.example.com', /has the label "-acme"/],
        ['acme_1.example.com', /has the label "acme_1"/],
        [`${'a'.repeat(64)}.example.com`, /has the label "a{64}"/],
        [`${'abcdefghij.'.repeat(23)}com`, /is longer than 253 characters/],
        ['acme.example.com.', /must not end with a dot/],
        ['acme.example.123', /all-digit label/],
        ['acme.example.com/path', /has a path/],
        ['', /is empty/],
        ['latchkey.test', /PUBLIC_URL's host, which serves every tenant by path/],
        ['beta.id.latchkey.test', /under LATCHKEY_TENANT_HOST_SUFFIX \(\.id\.latchkey\.test\)/],
      ];
      for (const [host, reason] of cases) {
        const res = await patch('acme', { hosts: ['fine.example.com', host] });
        problem(res, 400, new RegExp(`^hosts\\[1\\] .*${reason.source}`), 'invalid');
      }
      problem(await patch('acme', { hosts: ['a.example.com', 'a.example.com'] }), 400, /listed twice/);
      problem(
        await patch('acme', { hosts: Array.from({ length: 21 }, (_, i) => `h${i}.example.com`) }),
        400,
        /hosts must NOT have more than 20 items/,
      );
      // The longest legal name is accepted: 253 characters, labels of 63.
      const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
      assert.equal(longest.length, 253);
      assert.deepEqual(await storedHosts('acme'), []);
      const ok = await patch('acme', { hosts: [longest] });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().hosts, [longest]);
      assert.equal((await patch('acme', { hosts: [] })).statusCode, 200);
    });

    test('hosts are set, listed and audited; each one belongs to one tenant (409 host_taken)', async () => {
      const set = await patch('acme', { hosts: ['login.acme.test', 'acme.test'] });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().hosts, ['acme.test', 'login.acme.test']);
      assert.deepEqual(set.json().issuers, [
        'http://latchkey.test/t/acme',
        'http://acme.test',
        'http://login.acme.test',
        'http://acme.id.latchkey.test',
      ]);
      assert.equal(set.json().issuer, 'http://latchkey.test/t/acme');
      const one = (await admin.request('GET', '/platform/api/v1/tenants/acme')).json();
      assert.deepEqual(one.hosts, ['acme.test', 'login.acme.test']);
      const list = (await admin.request('GET', '/platform/api/v1/tenants')).json().items;
      assert.deepEqual(
        list.map((t: { slug: string; hosts: string[] }) => [t.slug, t.hosts]),
        [
          ['acme', ['acme.test', 'login.acme.test']],
          ['demo', []],
        ],
      );

      // Another tenant asking for one of them is told which host and that another tenant holds it.
      const taken = await patch('demo', { hosts: ['demo.test', 'acme.test'] });
      problem(
        taken,
        409,
        /the host "acme\.test" belongs to another tenant \(acme\): remove it there first/,
        'host_taken',
      );
      assert.deepEqual(await storedHosts('demo'), []);
      assert.deepEqual(await storedHosts('acme'), ['acme.test', 'login.acme.test']);

      // The unique index holds even past the use-case's check.
      const demo = (await s.store.tenants.bySlug('demo'))!;
      await assert.rejects(s.store.tenantHosts.replace(demo.id, ['acme.test'], Date.now()), (err) =>
        isUniqueViolation(err),
      );

      // Removing a host from a tenant frees it for another.
      assert.equal((await patch('acme', { hosts: ['login.acme.test'] })).statusCode, 200);
      const moved = await patch('demo', { hosts: ['acme.test'] });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.deepEqual(await storedHosts('demo'), ['acme.test']);

      const acme = (await s.store.tenants.bySlug('acme'))!;
      const events = (await s.store.audit.list(acme.id, { action: 'tenant.hosts_changed' }, 10)).map((e) => e.details);
      assert.deepEqual(events[0], {
        from: ['acme.test', 'login.acme.test'],
        to: ['login.acme.test'],
        added: [],
        removed: ['acme.test'],
      });
      assert.deepEqual(events[1], {
        from: [],
        to: ['acme.test', 'login.acme.test'],
        added: ['acme.test', 'login.acme.test'],
        removed: [],
      });
      // The same list again changes nothing and records nothing.
      assert.equal((await patch('acme', { hosts: ['login.acme.test'] })).statusCode, 200);
      assert.equal((await s.store.audit.list(acme.id, { action: 'tenant.hosts_changed' }, 10)).length, events.length);
      assert.equal((await patch('demo', { hosts: [] })).statusCode, 200);
    });

    test('the Host decides: a tenant host serves its tenant at the root, other names are refused', async () => {
      assert.equal((await patch('acme', { hosts: ['login.acme.test'] })).statusCode, 200);
      const get = (host: string, url: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
        s.app.inject({ method: 'GET', url, headers: { host, ...headers }, remoteAddress });

      const meta = await get('login.acme.test', '/.well-known/openid-configuration');
      assert.equal(meta.statusCode, 200, meta.body);
      assert.equal(meta.json().issuer, 'http://login.acme.test');
      assert.equal(meta.json().token_endpoint, 'http://login.acme.test/oauth2/v1/token');
      // The suffix maps {slug}.id.latchkey.test, for existing tenants only.
      const bySuffix = await get('acme.id.latchkey.test:8443', '/.well-known/oauth-authorization-server');
      assert.equal(bySuffix.json().issuer, 'http://acme.id.latchkey.test');
      problem(await get('nope.id.latchkey.test', '/.well-known/openid-configuration'), 404, /unknown/, 'unknown_host');
      // PUBLIC_URL's host, and direct addresses, keep path tenancy.
      for (const host of ['latchkey.test', 'LATCHKEY.test:80', '127.0.0.1:8080', '[::1]:8080', 'localhost']) {
        const r = await get(host, '/t/acme/.well-known/openid-configuration');
        assert.equal(r.json().issuer, 'http://latchkey.test/t/acme', host);
      }
      // Any other name is unknown: never a default tenant, never its name in a link.
      const unknown = await get('evil.example', '/t/demo/.well-known/openid-configuration');
      problem(unknown, 404, /^the host "evil\.example" is unknown here/, 'unknown_host');
      assert.ok(!unknown.body.includes('latchkey.test'));
      problem(await get('<script>.example', '/'), 404, /^the host this host is unknown here/, 'unknown_host');
      // At a tenant host, paths name no tenant, and the platform is elsewhere.
      problem(await get('login.acme.test', '/t/demo/.well-known/openid-configuration'), 404, /is a tenant host/);
      problem(await get('login.acme.test', '/t/acme/api/v1/me'), 404, /is a tenant host/);
      problem(await get('login.acme.test', '/.well-known/oauth-authorization-server/t/demo'), 404, /tenant host/);
      problem(await get('login.acme.test', '/platform/api/v1/tenants'), 404, /platform's endpoints are not served/);
      problem(await get('login.acme.test', '/nothing/here'), 404, /^no route for GET \/nothing\/here$/, 'no_route');
      assert.equal((await get('login.acme.test', '/healthz')).statusCode, 200);
      // X-Forwarded-Host counts only from a trusted proxy (none here).
      const forged = await get('latchkey.test', '/.well-known/openid-configuration', {
        'x-forwarded-host': 'login.acme.test',
      });
      problem(forged, 404, /no route/);
    });

    test('X-Forwarded-Host from a proxy TRUST_PROXY names is believed; from anyone else it is not', async () => {
      const proxied = await createTestServer(backend, { TRUST_PROXY: '10.0.0.1' });
      try {
        const ok = await as(proxied, await login(proxied, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD)).request(
          'PATCH',
          '/platform/api/v1/tenants/demo',
          { hosts: ['demo.example.com'] },
        );
        assert.equal(ok.statusCode, 200, ok.body);
        const ask = (remoteAddress: string, forwarded: string) =>
          proxied.app.inject({
            method: 'GET',
            url: '/.well-known/openid-configuration',
            headers: { host: 'latchkey.test', 'x-forwarded-host': forwarded },
            remoteAddress,
          });
        const viaProxy = await ask('10.0.0.1', 'demo.example.com');
        assert.equal(viaProxy.json().issuer, 'http://demo.example.com');
        // The nearest proxy's entry is the last one.
        assert.equal(
          (await ask('10.0.0.1', 'evil.example, demo.example.com')).json().issuer,
          'http://demo.example.com',
        );
        problem(await ask('10.0.0.1', 'evil.example'), 404, /unknown here/, 'unknown_host');
        problem(await ask('10.9.9.9', 'demo.example.com'), 404, /no route/);
      } finally {
        await proxied.close();
      }
    });

    test("a leaked token issued through a host is found by its issuer and revoked; another tenant's is not", async () => {
      const app = await makeApp(s, { grantTypes: ['client_credentials'] }, 'acme');
      const issued = await s.app.inject({
        method: 'POST',
        url: '/oauth2/v1/token',
        headers: {
          host: 'login.acme.test',
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basic(app.clientId, app.clientSecret),
        },
        payload: form({ grant_type: 'client_credentials' }),
      });
      assert.equal(issued.statusCode, 200, issued.body);
      const token = issued.json().access_token;
      assert.equal((await introspect(s, app.clientId, app.clientSecret, token, 'acme')).active, true);
      const report = { reporter: 'github' as const, url: null, source: null };
      assert.equal(await s.services.leakReports.report(token, report), 'true_positive');
      assert.equal((await introspect(s, app.clientId, app.clientSecret, token, 'acme')).active, false);
      // A host that serves no tenant names none.
      const [h, p, sig] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const elsewhere = Buffer.from(JSON.stringify({ ...claims, iss: 'http://evil.example' })).toString('base64url');
      assert.equal(await s.services.leakReports.report(`${h}.${elsewhere}.${sig}`, report), 'false_positive');
    });

    test("a tenant host's console names its tenant; sign-in pages and SSO URLs are the host's", async () => {
      const page = await s.app.inject({ method: 'GET', url: '/login', headers: { host: 'login.acme.test' } });
      assert.equal(page.statusCode, 200, page.body);
      assert.match(page.body, /<form method="post" action="\/login">/);
      assert.match(page.body, /Sign in to Acme/);
      const pathPage = await s.app.inject({ method: 'GET', url: '/t/acme/login', headers: { host: 'latchkey.test' } });
      assert.match(pathPage.body, /action="\/t\/acme\/login"/);
      const options = await s.app.inject({
        method: 'GET',
        url: '/api/v1/sign-in-options',
        headers: { host: 'login.acme.test' },
      });
      assert.equal(options.statusCode, 200, options.body);
      assert.equal(options.json().passwordSignIn, true);
    });
  });
}

for (const backend of await backends()) {
  test(`single sign-on at a tenant host comes back to that host (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    const upstream = await startUpstreamProvider({
      // Registered for the host only: the redirect URI is the one of where the sign-in starts.
      redirectUris: ['http://sso.demo.test/login/sso/callback'],
      postLogoutRedirectUris: ['http://sso.demo.test/console/sign-in'],
      accounts: [{ email: 'ann@acme.test' }],
    });
    t.after(async () => {
      await upstream.close();
      await s.close();
    });
    const admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
    assert.equal(
      (await admin.request('PATCH', '/platform/api/v1/tenants/demo', { hosts: ['sso.demo.test'] })).statusCode,
      200,
    );
    const made = await admin.request('POST', '/t/demo/api/v1/identity-providers', {
      name: 'Acme',
      issuer: upstream.issuer,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      allowedEmailDomains: ['acme.test'],
      jitProvisioning: true,
    });
    assert.equal(made.statusCode, 201, made.body);
    const idpId = made.json().id;

    // Managers are shown the redirect URI of the URL they use.
    assert.equal(
      (await admin.request('GET', '/t/demo/api/v1/identity-providers')).json().redirectUri,
      'http://latchkey.test/t/demo/login/sso/callback',
    );
    const hostAdmin = await admin.request('GET', '/api/v1/identity-providers', undefined, {
      host: 'sso.demo.test',
      origin: 'http://sso.demo.test',
    });
    assert.equal(hostAdmin.json().redirectUri, 'http://sso.demo.test/login/sso/callback');
    const options = await s.app.inject({
      method: 'GET',
      url: '/api/v1/sign-in-options',
      headers: { host: 'sso.demo.test' },
    });
    assert.deepEqual(options.json().providers, [{ id: idpId, name: 'Acme', loginUrl: `/login/sso?idp=${idpId}` }]);

    // Started at the path form, the provider is asked to come back there.
    const pathStart = await s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}` });
    assert.equal(
      new URL(String(pathStart.headers.location)).searchParams.get('redirect_uri'),
      'http://latchkey.test/t/demo/login/sso/callback',
    );

    const { res, jar, callbackPath } = await ssoSignIn(s, idpId, 'ann@acme.test', {
      host: 'sso.demo.test',
      next: '/console/manage',
    });
    assert.match(callbackPath, /^\/login\/sso\/callback\?/);
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, '/console/manage');
    const cookie = jar.get('lk_session');
    assert.ok(cookie, 'signed in');
    const me = await s.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { host: 'sso.demo.test' },
      cookies: { lk_session: cookie },
    });
    assert.equal(me.json().email, 'ann@acme.test');
    // Signing out offers the provider's logout, coming back to the host's console.
    const csrf = (
      await s.app.inject({
        method: 'GET',
        url: '/api/v1/session',
        headers: { host: 'sso.demo.test' },
        cookies: { lk_session: cookie },
      })
    ).json().csrfToken;
    const out = await s.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { host: 'sso.demo.test', origin: 'http://sso.demo.test', 'x-csrf-token': csrf },
      cookies: { lk_session: cookie },
    });
    assert.equal(out.statusCode, 200, out.body);
    assert.equal(
      new URL(out.json().endSessionUrl).searchParams.get('post_logout_redirect_uri'),
      'http://sso.demo.test/console/sign-in',
    );
  });
}

test('LATCHKEY_TENANT_HOST_SUFFIX is a dot and a DNS name of two labels or more', () => {
  assert.equal(parseTenantHostSuffix(undefined), undefined);
  assert.equal(parseTenantHostSuffix(' '), undefined);
  assert.equal(parseTenantHostSuffix('.id.example.com'), '.id.example.com');
  for (const [value, reason] of [
    ['id.example.com', /must start with a dot/],
    ['.com', /needs at least two labels/],
    ['.ID.example.com', /must be lowercase/],
    ['.id.example.com:443', /has a port/],
    ['.*.example.com', /is a wildcard/],
  ] as const) {
    assert.throws(
      () => parseTenantHostSuffix(value),
      (err: Error) => err.message.startsWith(`LATCHKEY_TENANT_HOST_SUFFIX="${value}"`) && reason.test(err.message),
    );
  }
});
