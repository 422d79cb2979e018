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
before(async () => {
  env = await startSdkEnv();
  api = await startFakeApi(env.url);
  xdg = path.join(env.dir, 'xdg');
});
after(async () => {
  await api?.close();
  await env?.close();
});

/** The administrator, by environment variables. */
const ADMIN = { LATCHKEY_EMAIL: ADMIN_EMAIL, LATCHKEY_PASSWORD: ADMIN_PASSWORD };

/** The binary with HOME and XDG_CONFIG_HOME inside the scratch directory and LATCHKEY_URL + LATCHKEY_TENANT set. */
const cli = (args: string[], extra: Record<string, string> = {}, input?: string): Promise<Run> =>
  runCli(
    args,
    { HOME: env.dir, XDG_CONFIG_HOME: xdg, LATCHKEY_URL: env.url, LATCHKEY_TENANT: 'demo', ...extra },
    input,
  );

test('apps: create, token --out (0600), rotate-secret, deactivate, activate; the .tok is refreshed by token get', async () => {
  const created = await cli(
    ['apps', 'create', '--name', 'CLI App', '--scope', 'myservices,metering', '--grant', 'refresh_token', '--json'],
    ADMIN,
  );
  ok(created);
  const app = JSON.parse(created.stdout) as {
    id: string;
    clientId: string;
    clientSecret: string;
    grantTypes: string[];
  };
  assert.deepEqual(app.grantTypes, ['refresh_token']);
  const listed = await cli(['apps', 'list', '--json'], ADMIN);
  ok(listed);
  assert.ok((JSON.parse(listed.stdout) as { id: string }[]).some((a) => a.id === app.id));
  const shown = await cli(['apps', 'get', app.id], ADMIN);
  ok(shown);
  assert.match(shown.stdout, new RegExp(`client_id: +${app.clientId}`));
  assert.ok(!shown.stdout.includes('lk_cs_'));

  const tok = path.join(env.dir, 'cli-app.tok');
  const written = await cli(['apps', 'token', app.id, '--out', tok], ADMIN);
  ok(written);
  assert.match(written.stdout, /with a refresh token/);
  assert.equal(modeOf(tok), 0o600);
  const refused = await cli(['apps', 'token', app.id, '--out', tok], ADMIN);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /exists; pass --force to replace it\n/);
  assert.doesNotMatch(refused.stderr, /overwrite/);

  const asDeveloper = { LATCHKEY_TOKEN_FILE: tok, LATCHKEY_CLIENT_SECRET: app.clientSecret, LATCHKEY_API_URL: api.url };
  const before = readJson(tok);
  const refreshed = await cli(['token', 'get', '--force-refresh'], asDeveloper);
  ok(refreshed);
  const afterDoc = readJson(tok);
  assert.equal(refreshed.stdout.trim(), afterDoc.app_access_token);
  assert.notEqual(afterDoc.refresh_token, before.refresh_token);
  assert.deepEqual(
    fs.readdirSync(env.dir).filter((f) => f.includes('cli-app')),
    ['cli-app.tok'],
  );
  const usage = await cli(['api', 'get', '/t/{tenant}/metering/api/v1/usage', '--query', 'month=2025-01'], asDeveloper);
  ok(usage);
  assert.deepEqual(JSON.parse(usage.stdout).query, { month: '2025-01' });

  ok(await cli(['apps', 'deactivate', app.id], ADMIN));
  const suspended = await cli(['token', 'get', '--force-refresh'], asDeveloper);
  assert.equal(suspended.code, 1);
  ok(await cli(['apps', 'activate', app.id], ADMIN));
  ok(await cli(['token', 'get', '--force-refresh'], asDeveloper));

  const rotated = await cli(['apps', 'rotate-secret', app.id, '--json'], ADMIN);
  ok(rotated);
  const newSecret = (JSON.parse(rotated.stdout) as { clientSecret: string }).clientSecret;
  const dead = await cli(['token', 'get', '--force-refresh'], { ...asDeveloper, LATCHKEY_CLIENT_SECRET: newSecret });
  assert.equal(dead.code, 1);
  assert.match(dead.stderr, /invalid_grant/);
  assert.match(dead.stderr, /hint: the refresh token is no longer valid/);
  ok(await cli(['apps', 'token', app.id, '--out', tok, '--force', '--scope', 'metering'], ADMIN));
  const again = await cli(['api', 'get', `${api.url}/t/demo/metering/api/v1/usage`], {
    ...asDeveloper,
    LATCHKEY_CLIENT_SECRET: newSecret,
  });
  ok(again);
  assert.equal(JSON.parse(again.stdout).scope, 'metering');
});

test('keys: list shows the active key; rotate switches it; without credentials nothing happens', async () => {
  const listed = await cli(['keys', 'list', '--json'], ADMIN);
  ok(listed);
  const before = (JSON.parse(listed.stdout) as { kid: string; status: string }[]).find((k) => k.status === 'active')!;
  assert.ok(before);
  const table = await cli(['keys', 'list'], ADMIN);
  ok(table);
  assert.match(table.stdout, /^KID +STATUS +CREATEDAT/);
  assert.match(table.stdout, new RegExp(`${before.kid} +active`));
  const rotated = await cli(['keys', 'rotate'], ADMIN);
  ok(rotated);
  const kid = /signed with key (\S+)\./.exec(rotated.stdout)?.[1];
  assert.ok(kid && kid !== before.kid, rotated.stdout);
  const after = JSON.parse((await cli(['keys', 'list', '--json'], ADMIN)).stdout) as { kid: string; status: string }[];
  assert.deepEqual(
    after.filter((k) => k.status === 'active').map((k) => k.kid),
    [kid],
  );
  const anonymous = await cli(['keys', 'rotate'], {});
  assert.notEqual(anonymous.code, 0);
  const still = JSON.parse((await cli(['keys', 'list', '--json'], ADMIN)).stdout) as { kid: string; status: string }[];
  assert.deepEqual(
    still.filter((k) => k.status === 'active').map((k) => k.kid),
    [kid],
  );
});

test('keys rotate --compromised: every previous key leaves the JWKS at once', async () => {
  const rotated = await cli(['keys', 'rotate', '--compromised'], ADMIN);
  ok(rotated);
  const kid = /signed with key (\S+)\./.exec(rotated.stdout)?.[1];
  assert.match(rotated.stdout, /Every previous key was unpublished: tokens signed before are refused\./);
  const listed = JSON.parse((await cli(['keys', 'list', '--json'], ADMIN)).stdout) as { kid: string; status: string }[];
  assert.deepEqual(
    listed.map((k) => [k.kid, k.status]),
    [[kid, 'active']],
  );
});
