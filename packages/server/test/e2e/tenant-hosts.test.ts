// Tenants at their own host names, over real HTTP on loopback with Host headers (as DNS and a TLS
// proxy would bring them): every tenant endpoint at the host's root, the issuer of the URL a token
// was asked through, the documented `.tok` refresh in its curl shape, tenants on two hosts kept
// apart, and the names that are refused. Then two processes on one PostgreSQL database: a host
// moved to another tenant takes effect on the other process within the notification delay.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import {
  backends,
  createScratchDatabase,
  createTestServer,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type TestServer,
} from '../helpers/harness.js';
import { makeApp } from '../helpers/oauth.js';
import { hostRequest, listen, type HostResponse } from '../helpers/hosts.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { until } from '../helpers/until.js';
import { loadConfig } from '../../src/config.js';
import { openStore, migrateToLatest, Store } from '../../src/store/index.js';
import { bootstrap } from '../../src/bootstrap.js';

const BOSS = { email: 'boss@acme.test', password: 'acme boss password 1' };
const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

/** A problem document with this status and code. */
function refused(r: HostResponse, status: number, code: string, detail?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  assert.equal(r.json().code, code, r.text);
  if (detail) assert.match(r.json().detail, detail);
}

for (const backend of await backends()) {
  describe(`tenants at their own host names, over HTTP (${backend})`, () => {
    let s: TestServer;
    let port: number;
    let app: Awaited<ReturnType<typeof makeApp>>;

    const at = (host: string, method: string, url: string, opts: Parameters<typeof hostRequest>[4] = {}) =>
      hostRequest(port, host, method, url, opts);
    const basicAuth = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const post = (host: string, url: string, body: Record<string, string>, auth?: string) =>
      at(host, 'POST', url, {
        headers: { 'content-type': FORM, ...(auth ? { authorization: auth } : {}) },
        body: new URLSearchParams(body).toString(),
      });
    const json = (host: string, method: string, url: string, bearer: string, body?: object) =>
      at(host, method, url, {
        headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const password = async (host: string, url: string, email: string, pw: string) => {
      const r = await post(host, url, {
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: email,
        password: pw,
      });
      assert.equal(r.status, 200, r.text);
      return r.json().access_token as string;
    };

    before(async () => {
      s = await createTestServer(backend, { LATCHKEY_TENANT_HOST_SUFFIX: '.id.test' });
      port = await listen(s);
      const admin = await password('latchkey.test', '/t/demo/oauth2/v1/token', ADMIN_EMAIL, ADMIN_PASSWORD);
      const made = await json('latchkey.test', 'POST', '/platform/api/v1/tenants', admin, {
        slug: 'acme',
        name: 'Acme',
        manager: { email: BOSS.email, password: BOSS.password },
      });
      assert.equal(made.status, 201, made.text);
      for (const [slug, hosts] of [
        ['acme', ['acme.test']],
        ['demo', ['demo.test']],
      ] as const) {
        const r = await json('latchkey.test', 'PATCH', `/platform/api/v1/tenants/${slug}`, admin, { hosts });
        assert.equal(r.status, 200, r.text);
      }
      app = await makeApp(s, { grantTypes: ['client_credentials', 'refresh_token'] }, 'acme');
    });
    after(() => s.close());

    test("metadata and JWKS at the host's root advertise the host, with the tenant's keys", async () => {
      for (const doc of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        const m = await at('acme.test', 'GET', doc);
        assert.equal(m.status, 200, m.text);
        assert.equal(m.json().issuer, 'http://acme.test');
        assert.equal(m.json().token_endpoint, 'http://acme.test/oauth2/v1/token');
        assert.equal(m.json().jwks_uri, 'http://acme.test/oauth2/v1/keys');
        assert.equal(m.json().revocation_endpoint, 'http://acme.test/oauth2/v1/revoke');
        assert.equal(m.json().introspection_endpoint, 'http://acme.test/oauth2/v1/introspect');
      }
      // The path form keeps its own issuer.
      const pathForm = await at('latchkey.test', 'GET', '/t/acme/.well-known/openid-configuration');
      assert.equal(pathForm.json().issuer, 'http://latchkey.test/t/acme');
      const keys = await at('acme.test', 'GET', '/oauth2/v1/keys');
      assert.equal(keys.status, 200, keys.text);
      assert.match(String(keys.headers['content-type']), /^application\/jwk-set\+json/);
      assert.deepEqual(keys.json(), (await at('latchkey.test', 'GET', '/t/acme/oauth2/v1/keys')).json());
      assert.notDeepEqual(keys.json(), (await at('demo.test', 'GET', '/oauth2/v1/keys')).json());
    });

    test('a .tok made at the host refreshes there in the documented curl shape; revoke and introspect too', async () => {
      const boss = await password('acme.test', '/oauth2/v1/token', BOSS.email, BOSS.password);
      assert.equal(decodeJwt(boss).iss, 'http://acme.test');
      const tok = await json('acme.test', 'POST', `/api/v1/apps/${app.id}/tokens`, boss, {
        scopes: ['myservices'],
        includeRefreshToken: true,
      });
      assert.equal(tok.status, 200, tok.text);
      assert.equal(tok.json().token_endpoint, 'http://acme.test/oauth2/v1/token');
      assert.equal(decodeJwt(tok.json().app_access_token).iss, 'http://acme.test');

      // curl -i -H 'Authorization: Basic <base64 clientid:secret>'
      //   -H 'Content-Type: application/x-www-form-urlencoded;charset=UTF-8'
      //   --request POST https://<tenant-host>/oauth2/v1/token -d 'grant_type=refresh_token&refresh_token=<refresh-token>'
      const refreshed = await at('acme.test', 'POST', '/oauth2/v1/token', {
        headers: { authorization: basicAuth(app.clientId, app.clientSecret), 'content-type': FORM },
        body: `grant_type=refresh_token&refresh_token=${tok.json().refresh_token}`,
      });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.headers['cache-control'], 'no-store');
      const body = refreshed.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.scope, 'myservices');
      assert.match(body.refresh_token, /^lk_rt_/);
      assert.notEqual(body.refresh_token, tok.json().refresh_token);
      const jwks = (await at('acme.test', 'GET', '/oauth2/v1/keys')).json();
      const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
        issuer: 'http://acme.test',
        typ: 'at+jwt',
      });
      assert.equal(payload.client_id, app.clientId);

      const creds = basicAuth(app.clientId, app.clientSecret);
      const introspect = async (host: string, url: string, token: string) => {
        const r = await post(host, url, { token }, creds);
        assert.equal(r.status, 200, r.text);
        return r.json();
      };
      const active = await introspect('acme.test', '/oauth2/v1/introspect', body.access_token);
      assert.equal(active.active, true);
      assert.equal(active.iss, 'http://acme.test');
      // Either issuer form of the tenant is accepted wherever the server verifies: a token asked
      // through the path form introspects at the host, and the host's at the path form.
      const viaPath = await post(
        'latchkey.test',
        '/t/acme/oauth2/v1/token',
        { grant_type: 'client_credentials' },
        creds,
      );
      assert.equal(decodeJwt(viaPath.json().access_token).iss, 'http://latchkey.test/t/acme');
      assert.equal((await introspect('acme.test', '/oauth2/v1/introspect', viaPath.json().access_token)).active, true);
      const hostAtPath = await introspect('latchkey.test', '/t/acme/oauth2/v1/introspect', body.access_token);
      assert.equal(hostAtPath.active, true);
      assert.equal(hostAtPath.iss, 'http://acme.test');

      const revoked = await post('acme.test', '/oauth2/v1/revoke', { token: body.access_token }, creds);
      assert.equal(revoked.status, 200, revoked.text);
      assert.equal((await introspect('acme.test', '/oauth2/v1/introspect', body.access_token)).active, false);
      assert.equal((await post('acme.test', '/oauth2/v1/revoke', { token: body.refresh_token }, creds)).status, 200);
      const dead = await post(
        'acme.test',
        '/oauth2/v1/token',
        { grant_type: 'refresh_token', refresh_token: body.refresh_token },
        creds,
      );
      assert.equal(dead.status, 400, dead.text);
      assert.equal(dead.json().error, 'invalid_grant');
    });

    test("the management API takes either issuer form of its tenant, never another tenant's", async () => {
      const atHost = await password('acme.test', '/oauth2/v1/token', BOSS.email, BOSS.password);
      const atPath = await password('latchkey.test', '/t/acme/oauth2/v1/token', BOSS.email, BOSS.password);
      assert.equal(decodeJwt(atPath).iss, 'http://latchkey.test/t/acme');
      for (const [host, url, token] of [
        ['acme.test', '/api/v1/me', atHost],
        ['acme.test', '/api/v1/me', atPath],
        ['latchkey.test', '/t/acme/api/v1/me', atHost],
        ['acme.id.test', '/api/v1/me', atHost],
      ] as const) {
        const me = await json(host, 'GET', url, token);
        assert.equal(me.status, 200, `${host}${url}: ${me.text}`);
        assert.equal(me.json().email, BOSS.email);
      }
      const demoAtHost = await password('demo.test', '/oauth2/v1/token', ADMIN_EMAIL, ADMIN_PASSWORD);
      assert.equal(decodeJwt(demoAtHost).iss, 'http://demo.test');
      refused(await json('acme.test', 'GET', '/api/v1/me', demoAtHost), 401, 'token_invalid');
      refused(await json('latchkey.test', 'GET', '/t/acme/api/v1/me', demoAtHost), 401, 'token_invalid');
      // The platform API (at PUBLIC_URL's host) reads the tenant from either form of issuer.
      const platform = await json('latchkey.test', 'GET', '/platform/api/v1/tenants/acme', demoAtHost);
      assert.equal(platform.status, 200, platform.text);
      assert.deepEqual(platform.json().hosts, ['acme.test']);
    });

    test('two tenants on two hosts cannot reach each other', async () => {
      const creds = basicAuth(app.clientId, app.clientSecret);
      const there = await post('demo.test', '/oauth2/v1/token', { grant_type: 'client_credentials' }, creds);
      assert.equal(there.status, 401, there.text);
      assert.equal(there.json().error, 'invalid_client');
      const mine = await post('acme.test', '/oauth2/v1/token', { grant_type: 'client_credentials' }, creds);
      assert.equal(mine.status, 200, mine.text);
      const acmeToken = mine.json().access_token;
      const demoApp = await makeApp(s, { name: 'demo app' }, 'demo');
      const demoCreds = basicAuth(demoApp.clientId, demoApp.clientSecret);
      const probe = await post('demo.test', '/oauth2/v1/introspect', { token: acmeToken }, demoCreds);
      assert.deepEqual(probe.json(), { active: false });
      const boss = await password('acme.test', '/oauth2/v1/token', BOSS.email, BOSS.password);
      refused(await json('demo.test', 'GET', '/api/v1/me', boss), 401, 'token_invalid');
      refused(await at('demo.test', 'GET', '/t/acme/.well-known/openid-configuration'), 404, 'no_route', /tenant host/);
      refused(
        await post('demo.test', '/t/acme/oauth2/v1/token', { grant_type: 'client_credentials' }, creds),
        404,
        'no_route',
      );
      const signIn = await at('demo.test', 'POST', '/api/v1/session', {
        headers: { 'content-type': 'application/json', origin: 'http://demo.test' },
        body: JSON.stringify(BOSS),
      });
      refused(signIn, 401, 'invalid_credentials');
    });

    test("unknown hosts, other tenants' paths and a forged X-Forwarded-Host are refused", async () => {
      for (const [method, url] of [
        ['GET', '/.well-known/openid-configuration'],
        ['POST', '/oauth2/v1/token'],
        ['GET', '/t/demo/oauth2/v1/keys'],
        ['GET', '/console/'],
      ]) {
        const r = await at('evil.example', method, url);
        refused(r, 404, 'unknown_host', /^the host "evil\.example" is unknown here/);
        assert.ok(!r.text.includes('latchkey.test') && !r.text.includes('/t/demo'), r.text);
      }
      refused(await at('acme.test', 'GET', '/t/demo/oauth2/v1/keys'), 404, 'no_route', /"acme\.test" is a tenant host/);
      refused(await at('acme.test', 'GET', '/platform/api/v1/tenants'), 404, 'no_route');
      refused(await at('nobody.id.test', 'GET', '/oauth2/v1/keys'), 404, 'unknown_host');
      // TRUST_PROXY is off: a client's X-Forwarded-Host chooses nothing.
      const forged = await at('latchkey.test', 'GET', '/.well-known/openid-configuration', {
        headers: { 'x-forwarded-host': 'acme.test' },
      });
      refused(forged, 404, 'no_route');
      refused(
        await at('evil.example', 'GET', '/.well-known/openid-configuration', {
          headers: { 'x-forwarded-host': 'acme.test' },
        }),
        404,
        'unknown_host',
      );
    });

    test('the suffix maps {slug}.id.test to the tenant slug without assigning it', async () => {
      const m = await at('acme.id.test', 'GET', '/.well-known/openid-configuration');
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json().issuer, 'http://acme.id.test');
      const creds = basicAuth(app.clientId, app.clientSecret);
      const t = await post('acme.id.test', '/oauth2/v1/token', { grant_type: 'client_credentials' }, creds);
      assert.equal(t.status, 200, t.text);
      assert.equal(decodeJwt(t.json().access_token).iss, 'http://acme.id.test');
      const demo = await at('demo.id.test', 'GET', '/.well-known/oauth-authorization-server');
      assert.equal(demo.json().issuer, 'http://demo.id.test');
    });

    test("console sessions are host-only and hold to the host's own origin", async () => {
      const start = (origin: string) =>
        at('acme.test', 'POST', '/api/v1/session', {
          headers: { 'content-type': 'application/json', origin },
          body: JSON.stringify(BOSS),
        });
      refused(await start('http://latchkey.test'), 403, 'csrf');
      refused(await start('http://demo.test'), 403, 'csrf');
      const ok = await start('http://acme.test');
      assert.equal(ok.status, 200, ok.text);
      const setCookie = String(ok.headers['set-cookie']);
      assert.match(setCookie, /^lk_session=/);
      assert.doesNotMatch(setCookie, /domain=/i);
      const cookie = setCookie.split(';')[0]!;
      const csrf = ok.json().csrfToken;
      const me = await at('acme.test', 'GET', '/api/v1/me', { headers: { cookie } });
      assert.equal(me.json().email, BOSS.email);
      const end = (origin: string) =>
        at('acme.test', 'DELETE', '/api/v1/session', { headers: { cookie, 'x-csrf-token': csrf, origin } });
      refused(await end('http://latchkey.test'), 403, 'csrf');
      assert.equal((await end('http://acme.test')).status, 204);
      // The plain form signs in at the host and lands in the host's console.
      const form = await at('acme.test', 'POST', '/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://acme.test' },
        body: new URLSearchParams(BOSS).toString(),
      });
      assert.equal(form.status, 303, form.text);
      assert.equal(form.headers.location, '/console/');
    });
  });
}

// Two processes on one database: the second learns of a moved host through the change feed.
const MAX_DELAY_MS = 1000;

if ((await backends()).includes('postgres')) {
  test('a host moved to another tenant takes effect on a second process within a second (postgres)', async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-hosts-'));
    const scratch = await createScratchDatabase();
    const env: Record<string, string> = {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      PUBLIC_URL: 'http://latchkey.test',
      DATABASE_URL: scratch.url,
    };
    const handle = openStore({ databaseUrl: scratch.url, dataDir });
    await migrateToLatest(handle.db);
    await bootstrap(new Store(handle.db, handle.dialect), loadConfig(env));
    const servers: ServerProcess[] = [];
    t.after(async () => {
      await Promise.all(servers.map((p) => p.stop()));
      await handle.close();
      await scratch.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    servers.push(...(await Promise.all([1, 2].map(() => startServerProcess(env)))));
    const [a, b] = servers as [ServerProcess, ServerProcess];

    const tokenRes = await hostRequest(a.port, 'latchkey.test', 'POST', '/t/demo/oauth2/v1/token', {
      headers: { 'content-type': FORM },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      }).toString(),
    });
    const admin = tokenRes.json().access_token as string;
    const platform = async (method: string, url: string, body: object) => {
      const r = await hostRequest(a.port, 'latchkey.test', method, `/platform/api/v1${url}`, {
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.ok(r.status < 300, r.text);
    };
    await platform('POST', '/tenants', { slug: 'acme', name: 'Acme' });
    /** Which tenant B serves at moving.test, by its sign-in page (or that it serves none). */
    const tenantAtB = async () => {
      const r = await hostRequest(b.port, 'moving.test', 'GET', '/login');
      return r.status === 404 ? 'none' : /Sign in to (\w+)/.exec(r.text)?.[1];
    };
    assert.equal(await tenantAtB(), 'none');
    await platform('PATCH', '/tenants/demo', { hosts: ['moving.test'] });
    await until('B serves demo at moving.test', async () => (await tenantAtB()) === 'Demo');

    await platform('PATCH', '/tenants/demo', { hosts: [] });
    await platform('PATCH', '/tenants/acme', { hosts: ['moving.test'] });
    const moved = performance.now();
    await until('B serves acme at moving.test', async () => (await tenantAtB()) === 'Acme', MAX_DELAY_MS + 2000, 10);
    const delay = performance.now() - moved;
    assert.ok(delay <= MAX_DELAY_MS, `B took ${Math.round(delay)} ms to serve the moved host`);
  });
}
