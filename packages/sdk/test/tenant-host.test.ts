// A tenant URL (LATCHKEY_URL with no tenant): the SDK and the CLI send every request to the root of
// the tenant's host, over real HTTP to a stand-in tenant host (test/helpers/tenant-host.ts). The same
// flows against the real server's host routing are in the path form elsewhere in this suite.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../src/cli/main.js';
import { Latchkey, readTokFile, writeTokFile } from '../src/index.js';
import { loopbackFetch } from './helpers/loopback-names.js';
import { startTenantHost, type TenantHost } from './helpers/tenant-host.js';

let host: TenantHost;
let dir: string;
before(async () => {
  host = await startTenantHost();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-tenant-host-'));
});
after(async () => {
  await host?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[], vars: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), ...vars },
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

test('a .tok file on a tenant URL is refreshed at {host}/oauth2/v1/token, as the documented curl does', async () => {
  const file = path.join(dir, 'app.tok');
  await writeTokFile(file, { app_access_token: 'stale', refresh_token: 'lk_rt_first', client_id: 'lk_app_1' });
  host.grant('lk_app_1', 'lk_rt_first');
  const before = host.requests.length;
  const lk = new Latchkey({
    env: { LATCHKEY_URL: `${host.url}/`, LATCHKEY_TOKEN_FILE: file, LATCHKEY_CLIENT_SECRET: 'lk_cs_secret' },
    profile: false,
  });
  assert.equal(lk.issuer, host.url);
  const token = await lk.getAccessToken();

  const [req, ...rest] = host.requests.slice(before);
  assert.deepEqual(rest, []);
  assert.equal(req!.method, 'POST');
  assert.equal(req!.path, '/oauth2/v1/token');
  assert.equal(req!.headers.authorization, basic('lk_app_1', 'lk_cs_secret'));
  assert.match(req!.headers['content-type']!, /^application\/x-www-form-urlencoded/);
  assert.deepEqual(req!.form, { grant_type: 'refresh_token', refresh_token: 'lk_rt_first' });
  const saved = await readTokFile(file);
  assert.equal(saved.app_access_token, token);
  assert.match(saved.refresh_token, /^lk_rt_host_/);
  assert.equal(saved.client_id, 'lk_app_1');
});

test('a personal client at a tenant host name: token, /api/v1/me and introspection at its root, Host kept', async () => {
  const before = host.requests.length;
  const named = `http://acme.id.test:${new URL(host.url).port}`;
  const lk = new Latchkey({
    baseUrl: named,
    credentials: { clientId: 'lk_pc_1', clientSecret: 'lk_cs_pc' },
    env: {},
    profile: false,
    fetch: loopbackFetch('.id.test'),
  });
  assert.equal(lk.issuer, named);
  assert.deepEqual(await lk.me(), { email: 'dev@acme.test' });
  assert.equal((await lk.introspect(await lk.getAccessToken())).active, true);
  assert.deepEqual(
    host.requests.slice(before).map((r) => `${r.method} ${r.headers.host} ${r.path}`),
    [
      `POST acme.id.test:${new URL(host.url).port} /oauth2/v1/token`,
      `GET acme.id.test:${new URL(host.url).port} /api/v1/me`,
      `POST acme.id.test:${new URL(host.url).port} /oauth2/v1/introspect`,
    ],
  );
});

test('latchkey login --url <tenant URL>: the profile keeps the URL and no tenant, even one from an earlier login', async () => {
  const config = path.join(dir, 'login.json');
  fs.writeFileSync(
    config,
    JSON.stringify({ profiles: { default: { url: 'http://127.0.0.1:1', tenant: 'demo', email: 'old@x.test' } } }),
  );
  const login = await cli(['login', '--url', host.url, '--config', config, '--email', 'dev@acme.test'], {
    LATCHKEY_PASSWORD: 'pw',
  });
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, `Logged in to ${host.url} as dev@acme.test; saved as profile "default" in ${config}\n`);
  const profile = (JSON.parse(fs.readFileSync(config, 'utf8')) as { profiles: { default: Record<string, string> } })
    .profiles.default;
  assert.equal(profile.url, host.url);
  assert.equal(profile.tenant, undefined);
  assert.match(profile.refreshToken!, /^lk_rt_host_/);

  // The stored login works from the profile alone: `token get` checks its token with GET /api/v1/me.
  const before = host.requests.length;
  const got = await cli(['token', 'get', '--config', config]);
  assert.deepEqual(got, { code: 0, stdout: `${profile.accessToken}\n`, stderr: '' });
  assert.deepEqual(
    host.requests.slice(before).map((r) => `${r.method} ${r.path}`),
    ['GET /api/v1/me'],
  );
});

test('api get cannot fill {tenant} on a tenant URL and says so, sending nothing', async () => {
  const vars = { LATCHKEY_URL: host.url, LATCHKEY_CLIENT_ID: 'lk_pc_1', LATCHKEY_CLIENT_SECRET: 'lk_cs_pc' };
  const before = host.requests.length;
  const r = await cli(['api', 'get', '/t/{tenant}/metering/api/v1/usage', '--api-url', host.url], vars);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\{tenant\} cannot be filled in: a tenant's own URL/);
  assert.equal(host.requests.length, before, 'nothing was sent');
});
