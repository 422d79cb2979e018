import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_EMAIL, ADMIN_PASSWORD, modeOf, readJson, startSdkEnv, type SdkEnv } from '../helpers/env.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { ok, runCli, type Run } from '../helpers/cli.js';

let env: SdkEnv;
let api: FakeApi;
let xdg: string;
let configFile: string;
before(async () => {
  env = await startSdkEnv();
  api = await startFakeApi(env.url);
  xdg = path.join(env.dir, 'xdg');
  configFile = path.join(xdg, 'latchkey', 'config.json');
});
after(async () => {
  await api?.close();
  await env?.close();
});

/** The binary with HOME and XDG_CONFIG_HOME inside the scratch directory and LATCHKEY_URL + LATCHKEY_TENANT set. */
const cli = (args: string[], extra: Record<string, string> = {}, input?: string): Promise<Run> =>
  runCli(
    args,
    { HOME: env.dir, XDG_CONFIG_HOME: xdg, LATCHKEY_URL: env.url, LATCHKEY_TENANT: 'demo', ...extra },
    input,
  );

test('login: a wrong password exits 1 without echoing it; the right one stores a 0600 profile', async () => {
  const bad = await cli(['login', '--email', ADMIN_EMAIL], { LATCHKEY_PASSWORD: 'not the password at all' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /invalid_grant/);
  assert.ok(!bad.stderr.includes('not the password at all'));
  assert.equal(fs.existsSync(configFile), false);

  const good = await cli(['login', '--email', ADMIN_EMAIL, '--password-stdin'], {}, ADMIN_PASSWORD + '\n');
  ok(good);
  assert.match(good.stdout, /Logged in to .* as admin@sdk\.test; saved as profile "default"/);
  assert.ok(!good.stdout.includes('lk_rt_'));
  assert.equal(modeOf(configFile), 0o600);
  assert.equal(modeOf(path.dirname(configFile)), 0o700);
  const config = readJson(configFile) as { defaultProfile: string; profiles: Record<string, Record<string, string>> };
  assert.equal(config.defaultProfile, 'default');
  const profile = config.profiles.default!;
  assert.equal(profile.url, env.url);
  assert.equal(profile.tenant, 'demo');
  assert.equal(profile.email, ADMIN_EMAIL);
  assert.match(profile.refreshToken!, /^lk_rt_/);
  assert.equal(profile.password, undefined);
  assert.deepEqual(fs.readdirSync(path.dirname(configFile)), ['config.json']);

  // The stored session: `token get` uses the stored access token, --force-refresh rotates in place.
  const got = await cli(['token', 'get'], { LATCHKEY_URL: '', LATCHKEY_TENANT: '' });
  ok(got);
  assert.equal(got.stdout.trim(), profile.accessToken);
  const forced = await cli(['token', 'get', '--force-refresh', '--json']);
  ok(forced);
  const json = JSON.parse(forced.stdout) as { access_token: string; expires_at: string };
  assert.notEqual(json.access_token, profile.accessToken);
  assert.ok(Date.parse(json.expires_at) > Date.now() + 3000_000);
  const after = (readJson(configFile) as typeof config).profiles.default!;
  assert.notEqual(after.refreshToken, profile.refreshToken);
  assert.equal(after.accessToken, json.access_token);
  assert.equal(modeOf(configFile), 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(configFile)), ['config.json']);
  const me = await cli(['api', 'get', `${env.url}/t/{tenant}/api/v1/me`]);
  ok(me);
  assert.equal(JSON.parse(me.stdout).email, ADMIN_EMAIL);
});

test('clients create --json / list / delete, and scripts using the new client', async () => {
  const created = await cli(['clients', 'create', '--name', 'ci-bot', '--days', '7', '--json']);
  ok(created);
  const client = JSON.parse(created.stdout) as { id: string; clientId: string; clientSecret: string };
  assert.match(client.clientSecret, /^lk_cs_/);

  const human = await cli([
    'clients',
    'create',
    '--name',
    'human',
    '--expires',
    new Date(Date.now() + 86_400_000).toISOString(),
  ]);
  ok(human);
  assert.match(human.stdout, /client_secret: lk_cs_/);
  assert.match(human.stderr, /shown only now/);

  const list = await cli(['clients', 'list']);
  ok(list);
  assert.match(list.stdout, /^ID\s+CLIENTID\s+NAME\s+STATUS/);
  assert.ok(list.stdout.includes(client.clientId));
  assert.ok(!list.stdout.includes('lk_cs_'));

  const asClient = { LATCHKEY_CLIENT_ID: client.clientId, LATCHKEY_CLIENT_SECRET: client.clientSecret };
  const me = await cli(['api', 'get', `${env.url}/t/demo/api/v1/me`], asClient);
  ok(me);
  assert.equal(JSON.parse(me.stdout).email, ADMIN_EMAIL);

  ok(await cli(['clients', 'delete', client.clientId]));
  const denied = await cli(['token', 'get'], asClient);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /invalid_client/);
  assert.match(denied.stderr, /hint: check the client id and secret/);
  assert.ok(!denied.stderr.includes(client.clientSecret));
  const gone = await cli(['clients', 'delete', 'no-such-client']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /404 Not Found/);
});

test('clients create --expires: a date means the end of that day UTC, as the API reads it; other forms are refused', async () => {
  const day = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
  const dated = await cli(['clients', 'create', '--name', 'dated', '--expires', day, '--json']);
  ok(dated);
  assert.equal((JSON.parse(dated.stdout) as { expiresAt: string }).expiresAt, `${day}T23:59:59.999Z`);
  for (const bad of ['tomorrow', `${day}T10:00`, '2027-02-30']) {
    const refused = await cli(['clients', 'create', '--name', `bad ${bad}`, '--expires', bad]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /--expires must be an ISO 8601 date \(YYYY-MM-DD, the end of that day UTC\) or date-time/,
    );
  }
});

test('api get: --api-url, error statuses exit 1', async () => {
  const missing = await cli(['api', 'get', '/t/demo/nothing-here', '--api-url', api.url]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /404/);
  const noScope = await cli(['api', 'get', '--api-url', api.url, '/t/{tenant}/myservices/api/v1/instances'], {
    LATCHKEY_PROFILE: 'default',
  });
  ok(noScope); // the administrator's roles grant myservices
  const badQuery = await cli(['api', 'get', '/x', '--query', 'novalue']);
  assert.equal(badQuery.code, 2);
});

test('profiles: --profile selects, a missing one is exit 2; logout revokes the session', async () => {
  const missing = await cli(['token', 'get', '--profile', 'nope']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /profile "nope" not found/);
  ok(await cli(['login', '--profile', 'second', '--email', ADMIN_EMAIL, '--password', ADMIN_PASSWORD]));
  const second = (readJson(configFile) as { profiles: Record<string, { refreshToken?: string }> }).profiles.second!;
  ok(await cli(['token', 'get', '--profile', 'second']));
  const out = await cli(['logout', '--profile', 'second']);
  ok(out);
  assert.equal(
    (readJson(configFile) as { profiles: Record<string, { refreshToken?: string }> }).profiles.second!.refreshToken,
    undefined,
  );
  const r = await fetch(`${env.url}/t/demo/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'latchkey-sdk',
      refresh_token: second.refreshToken!,
    }),
  });
  assert.equal(((await r.json()) as { error: string }).error, 'invalid_grant');
  const after = await cli(['token', 'get', '--profile', 'second']);
  assert.equal(after.code, 2);
});
