// A tenant at its own host name on the real server (host registered through the platform API): the
// SDK and the in-process CLI given the tenant's URL (http://demo.id.test:{port}) and no tenant reach
// every endpoint at the host's root, and the tokens they get carry the host's issuer. The name is
// reached on loopback with the Host header kept (helpers/loopback-names.ts); the server routes by it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli/main.js';
import { Latchkey, LatchkeyAuthError, readTokFile, type FetchLike, type LatchkeyOptions } from '../src/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startSdkEnv, type SdkEnv } from './helpers/env.js';
import { loopbackFetch } from './helpers/loopback-names.js';

const byName = loopbackFetch('.id.test');
let env: SdkEnv;
/** demo's URL at its host: PUBLIC_URL's scheme and port (http://127.0.0.1:{port}), the host's name. */
let hostUrl: string;
let acmeUrl: string;

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

/** `byName`, keeping what each request sent (the SDK's requests as the server got them). */
function recording(): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: (input, init) => {
      sent.push({
        method: init?.method ?? 'GET',
        url: String(input instanceof Request ? input.url : input),
        headers: new Headers(init?.headers),
        body: typeof init?.body === 'string' ? init.body : init?.body === undefined ? '' : String(init.body),
      });
      return byName(input, init);
    },
  };
}

async function platform(method: string, url: string, body: unknown): Promise<void> {
  await env.admin.request(`${env.url}/platform/api/v1/tenants${url}`, { method, body });
}

before(async () => {
  env = await startSdkEnv();
  await platform('PATCH', '/demo', { hosts: ['demo.id.test'] });
  await platform('POST', '', { slug: 'acme', name: 'Acme' });
  await platform('PATCH', '/acme', { hosts: ['acme.id.test'] });
  hostUrl = `http://demo.id.test:${env.server.port}`;
  acmeUrl = `http://acme.id.test:${env.server.port}`;
});
after(() => env?.close());

const hostClient = (options: LatchkeyOptions) =>
  new Latchkey({ baseUrl: hostUrl, env: {}, profile: false, fetch: byName, ...options });

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

test("the host's metadata names the host as issuer; a password login there gets a token carrying it", async () => {
  const md = (await (await byName(`${hostUrl}/.well-known/oauth-authorization-server`)).json()) as {
    issuer: string;
    token_endpoint: string;
  };
  assert.equal(md.issuer, hostUrl);
  assert.equal(md.token_endpoint, `${hostUrl}/oauth2/v1/token`);
  const lk = hostClient({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  assert.equal(lk.tenant, undefined);
  assert.equal(lk.issuer, hostUrl);
  const token = await lk.getAccessToken();
  assert.equal(claims(token).iss, hostUrl);
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  // The same account by the path form: the path issuer, the same tenant.
  assert.equal(claims(await env.admin.getAccessToken()).iss, `${env.url}/t/demo`);
});

test('a .tok file made in the path form is refreshed at {host}/oauth2/v1/token exactly as the documented curl does', async () => {
  const app = await env.createApp({ grantTypes: ['refresh_token'] });
  const file = await env.tokFile(app, 'host.tok');
  const first = await readTokFile(file);
  const rec = recording();
  const lk = new Latchkey({
    env: { LATCHKEY_URL: `${hostUrl}/`, LATCHKEY_TOKEN_FILE: file, LATCHKEY_CLIENT_SECRET: app.clientSecret },
    profile: false,
    fetch: rec.fetch,
  });
  assert.equal(lk.issuer, hostUrl);
  const token = await lk.getAccessToken({ forceRefresh: true });

  assert.equal(rec.sent.length, 1);
  const [req] = rec.sent;
  assert.equal(`${req!.method} ${req!.url}`, `POST ${hostUrl}/oauth2/v1/token`);
  assert.equal(req!.headers.get('authorization'), basic(app.clientId, app.clientSecret));
  assert.match(req!.headers.get('content-type')!, /^application\/x-www-form-urlencoded/);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(req!.body)), {
    grant_type: 'refresh_token',
    refresh_token: first.refresh_token,
  });

  const saved = await readTokFile(file);
  assert.notEqual(saved.refresh_token, first.refresh_token, 'rotated');
  assert.equal(saved.app_access_token, token);
  assert.equal(saved.client_id, app.clientId);
  assert.equal(claims(token).iss, hostUrl);
  assert.equal(claims(token).client_id, app.clientId);

  // Introspection and revocation at the host root too; the old refresh token is spent.
  assert.equal((await lk.introspect(token)).active, true);
  assert.deepEqual(
    rec.sent.slice(1).map((r) => `${r.method} ${r.url}`),
    [`POST ${hostUrl}/oauth2/v1/introspect`],
  );
  assert.equal(await lk.logout(), true);
  assert.equal(rec.sent.at(-1)!.url, `${hostUrl}/oauth2/v1/revoke`);
  await assert.rejects(lk.getAccessToken({ forceRefresh: true }), (e: unknown) => {
    assert.ok(e instanceof LatchkeyAuthError);
    assert.equal(e.error, 'invalid_grant');
    return true;
  });
});

test('a personal client at the host: client_credentials, /api/v1/me, introspection and the management API at its root', async () => {
  const made = await env.admin.clients.create({ name: 'host', expiresAt: new Date(Date.now() + 864e5) });
  const rec = recording();
  const lk = hostClient({
    credentials: { clientId: made.clientId, clientSecret: made.clientSecret },
    fetch: rec.fetch,
  });
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  const token = await lk.getAccessToken();
  assert.equal(claims(token).iss, hostUrl);
  assert.deepEqual(await lk.introspect(token).then((i) => [i.active, i.iss]), [true, hostUrl]);
  assert.ok((await lk.clients.list()).items.some((c) => c.clientId === made.clientId));
  assert.deepEqual(
    rec.sent.map((r) => `${r.method} ${r.url}`),
    [
      `POST ${hostUrl}/oauth2/v1/token`,
      `GET ${hostUrl}/api/v1/me`,
      `POST ${hostUrl}/oauth2/v1/introspect`,
      `GET ${hostUrl}/api/v1/me/oauth2-clients`,
    ],
  );
  assert.equal(rec.sent[0]!.body, 'grant_type=client_credentials');
});

/** The CLI in this process, its fetch (the global one, read at call time) reaching *.id.test on loopback. */
async function cli(argv: string[], vars: Record<string, string> = {}) {
  const rec = recording();
  const real = globalThis.fetch;
  globalThis.fetch = rec.fetch as typeof fetch;
  let stdout = '';
  let stderr = '';
  try {
    const code = await main(argv, {
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
      env: { HOME: env.dir, XDG_CONFIG_HOME: path.join(env.dir, 'xdg-host'), ...vars },
      readStdin: async () => '',
    });
    return { code, stdout, stderr, sent: rec.sent.map((r) => `${r.method} ${r.url}`) };
  } finally {
    globalThis.fetch = real;
  }
}

test('CLI: login --url <host> keeps the URL and no tenant (even one from an earlier login); token get and clients list work from that profile', async () => {
  const config = path.join(env.dir, 'login.json');
  fs.writeFileSync(
    config,
    JSON.stringify({ profiles: { default: { url: 'http://127.0.0.1:1', tenant: 'demo', email: 'old@x.test' } } }),
  );
  const login = await cli(['login', '--url', hostUrl, '--config', config, '--email', ADMIN_EMAIL], {
    LATCHKEY_PASSWORD: ADMIN_PASSWORD,
  });
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, `Logged in to ${hostUrl} as ${ADMIN_EMAIL}; saved as profile "default" in ${config}\n`);
  assert.ok(login.sent.length > 0 && login.sent.every((s) => s.includes(`${hostUrl}/`)), login.sent.join('\n'));
  const profile = (JSON.parse(fs.readFileSync(config, 'utf8')) as { profiles: { default: Record<string, string> } })
    .profiles.default;
  assert.equal(profile.url, hostUrl);
  assert.equal(profile.tenant, undefined);
  assert.equal(claims(profile.accessToken!).iss, hostUrl);

  // `token get` checks the stored token with GET /api/v1/me at the host's root, then prints it.
  const got = await cli(['token', 'get', '--config', config]);
  assert.deepEqual(
    { code: got.code, stdout: got.stdout, stderr: got.stderr, sent: got.sent },
    { code: 0, stdout: `${profile.accessToken}\n`, stderr: '', sent: [`GET ${hostUrl}/api/v1/me`] },
  );
  const list = await cli(['clients', 'list', '--json', '--config', config]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(Array.isArray(JSON.parse(list.stdout)));
  assert.deepEqual(list.sent, [`GET ${hostUrl}/api/v1/me/oauth2-clients`]);
});

test('CLI: api get cannot fill {tenant} on a tenant URL and says so, sending nothing', async () => {
  const made = await env.admin.clients.create({ name: 'host api', expiresAt: new Date(Date.now() + 864e5) });
  const vars = { LATCHKEY_URL: hostUrl, LATCHKEY_CLIENT_ID: made.clientId, LATCHKEY_CLIENT_SECRET: made.clientSecret };
  const r = await cli(['api', 'get', '/t/{tenant}/metering/api/v1/usage', '--api-url', hostUrl], vars);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\{tenant\} cannot be filled in: a tenant's own URL/);
  assert.deepEqual(r.sent, [], 'nothing was sent');
});

test("another tenant's host refuses demo's credentials; an unknown host has no token endpoint, and the CLI says what to check", async () => {
  const made = await env.admin.clients.create({ name: 'not acme', expiresAt: new Date(Date.now() + 864e5) });
  const credentials = { clientId: made.clientId, clientSecret: made.clientSecret };
  // acme's metadata is its own host's.
  const md = (await (await byName(`${acmeUrl}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
  assert.equal(md.issuer, acmeUrl);
  await assert.rejects(hostClient({ baseUrl: acmeUrl, credentials }).getAccessToken(), (e: unknown) => {
    assert.ok(e instanceof LatchkeyAuthError);
    assert.deepEqual([e.status, e.error], [401, 'invalid_client']);
    return true;
  });
  // demo's token, from its host, is not acme's: acme's API refuses it.
  const demoToken = await hostClient({ credentials }).getAccessToken();
  const r = await byName(`${acmeUrl}/api/v1/me`, { headers: { authorization: `Bearer ${demoToken}` } });
  assert.equal(r.status, 401, await r.clone().text());
  assert.equal(((await r.json()) as { code: string }).code, 'token_invalid');

  const nobody = `http://nobody.id.test:${env.server.port}`;
  await assert.rejects(hostClient({ baseUrl: nobody, credentials }).getAccessToken(), (e: unknown) => {
    assert.ok(e instanceof LatchkeyAuthError);
    assert.equal(e.status, 404);
    return true;
  });
  const cliRun = await cli(['token', 'get'], {
    LATCHKEY_URL: nobody,
    LATCHKEY_CLIENT_ID: made.clientId,
    LATCHKEY_CLIENT_SECRET: made.clientSecret,
  });
  assert.equal(cliRun.code, 1, cliRun.stderr);
  assert.match(cliRun.stderr, /hint: no token endpoint at that address: check the tenant/);
  assert.deepEqual(cliRun.sent, [`POST ${nobody}/oauth2/v1/token`]);
});
