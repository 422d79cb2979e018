import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LatchkeyAuthError, LatchkeyConfigError, type AppWithSecret } from '../../src/index.js';
import {
  allRenderings,
  countingFetch,
  modeOf,
  readJson,
  startSdkEnv,
  strayFiles,
  type SdkEnv,
} from '../helpers/env.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';

let env: SdkEnv;
let api: FakeApi;
before(async () => {
  env = await startSdkEnv();
  api = await startFakeApi(env.url);
});
after(async () => {
  await api?.close();
  await env?.close();
});

/** A refresh straight at the token endpoint, as curl would do it. */
async function rawRefresh(app: AppWithSecret, refreshToken: string) {
  const r = await fetch(`${env.url}/t/demo/oauth2/v1/token`, {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
}

test("the .tok file's access token is used while fresh; a refresh rotates the file atomically, 0600, before use", async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'rotate.tok');
  const original = readJson(file);
  fs.writeFileSync(file, JSON.stringify({ ...original, note: 'extra fields survive' }), { mode: 0o600 });
  const counter = countingFetch();
  const persisted: string[] = [];
  const lk = env.client({
    credentials: { tokenFile: file, clientSecret: app.clientSecret },
    fetch: counter.fetch,
    apiUrl: api.url,
    onRefreshPersisted: (e) => {
      // The rotated token is on disk before the new access token is handed out.
      persisted.push(String(readJson(file).refresh_token));
      assert.equal(e.kind, 'token_file');
      assert.equal(e.location, `token file ${file}`);
    },
  });

  assert.equal(await lk.getAccessToken(), original.app_access_token);
  assert.equal(counter.tokenRequests(), 0);
  const usage = await lk.sample.usage<{ clientId: string; scope: string }>();
  assert.equal(usage.clientId, app.clientId);

  const fresh = await lk.getAccessToken({ forceRefresh: true });
  assert.equal(counter.tokenRequests('refresh_token'), 1);
  const rotated = readJson(file);
  assert.notEqual(fresh, original.app_access_token);
  assert.equal(rotated.app_access_token, fresh);
  assert.match(String(rotated.refresh_token), /^lk_rt_/);
  assert.notEqual(rotated.refresh_token, original.refresh_token);
  assert.deepEqual(persisted, [rotated.refresh_token]);
  assert.equal(rotated.note, 'extra fields survive');
  assert.equal(rotated.client_id, app.clientId);
  assert.equal(modeOf(file), 0o600);
  assert.deepEqual(
    strayFiles(env.dir, ['rotate.tok']).filter((f) => f.includes('rotate')),
    [],
  );
  // The client id came from the file. The token it rotated out, presented again within the grace
  // window while its successor is unused, gets the very same answer (a retry after a lost response).
  assert.equal((await rawRefresh(app, String(original.refresh_token))).body.refresh_token, rotated.refresh_token);
});

test('a crash after the rotated token is written and before it is used loses nothing', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'crash.tok');
  const before = readJson(file);
  const crashing = env.client({
    credentials: { tokenFile: file, clientId: app.clientId, clientSecret: app.clientSecret },
    onRefreshPersisted: () => {
      throw new Error('simulated crash');
    },
  });
  await assert.rejects(crashing.getAccessToken({ forceRefresh: true }), /simulated crash/);
  const after = readJson(file);
  assert.notEqual(after.refresh_token, before.refresh_token);

  // The next process reads the file: its access token is the new one, and its refresh token works.
  const counter = countingFetch();
  const next = env.client({
    credentials: { tokenFile: file, clientSecret: app.clientSecret },
    fetch: counter.fetch,
    apiUrl: api.url,
  });
  assert.equal(await next.getAccessToken(), after.app_access_token);
  assert.equal(counter.tokenRequests(), 0);
  await next.getAccessToken({ forceRefresh: true });
  assert.equal(counter.tokenRequests('refresh_token'), 1);
  assert.ok((await next.sample.instances()).clientId);
  assert.deepEqual(
    fs.readdirSync(env.dir).filter((f) => f.startsWith('.crash') || f.endsWith('.lock')),
    [],
  );
});

test('twenty concurrent calls on an expired token share one refresh', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'concurrent.tok');
  api.expire(String(readJson(file).app_access_token));
  const counter = countingFetch();
  const lk = env.client({
    credentials: { tokenFile: file, clientSecret: app.clientSecret },
    fetch: counter.fetch,
    apiUrl: api.url,
  });
  const results = await Promise.all(
    Array.from({ length: 20 }, () => lk.sample.serviceEntitlements<{ clientId: string }>()),
  );
  assert.ok(results.every((r) => r.clientId === app.clientId));
  assert.equal(counter.tokenRequests(), 1);
  assert.equal(readJson(file).app_access_token, await lk.getAccessToken());
});

test('two clients (two processes) on one file: one refreshes, the other picks up its token', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'shared.tok');
  api.expire(String(readJson(file).app_access_token));
  const counter = countingFetch();
  const make = () =>
    env.client({
      credentials: { tokenFile: file, clientSecret: app.clientSecret },
      fetch: counter.fetch,
      apiUrl: api.url,
    });
  const [a, b] = [make(), make()];
  const [ra, rb] = await Promise.all([a.sample.usage(), b.sample.usage()]);
  assert.equal(ra.clientId, app.clientId);
  assert.equal(rb.clientId, app.clientId);
  // Without the lock and the reload both would spend the same refresh token and the server would
  // revoke the whole grant as a replay.
  assert.equal(counter.tokenRequests('refresh_token'), 1);
  assert.equal(await a.getAccessToken(), await b.getAccessToken());
  assert.equal((await make().getAccessToken({ forceRefresh: true })).split('.').length, 3);
  assert.deepEqual(
    fs.readdirSync(env.dir).filter((f) => f.includes('shared') && f !== 'shared.tok'),
    [],
  );
});

test('a wrong secret is an auth error without secrets, and the file is left alone', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'wrong.tok');
  const content = fs.readFileSync(file, 'utf8');
  const wrongSecret = 'lk_cs_' + 'x'.repeat(43);
  const lk = env.client({ credentials: { tokenFile: file, clientSecret: wrongSecret } });
  const err = await lk.getAccessToken({ forceRefresh: true }).catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyAuthError);
  assert.equal(err.code, 'ERR_LATCHKEY_AUTH');
  assert.equal(err.error, 'invalid_client');
  assert.equal(err.status, 401);
  assert.equal(fs.readFileSync(file, 'utf8'), content);
  const doc = readJson(file);
  const text = (await allRenderings(err)) + (await allRenderings(lk));
  for (const secret of [wrongSecret, app.clientSecret, doc.refresh_token, doc.app_access_token]) {
    assert.ok(!text.includes(String(secret)), 'a secret leaked');
  }
  assert.match(await allRenderings(lk), /token_file/);
});

test('the client object renders without secrets, even after refreshing', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'render.tok');
  const lk = env.client({ credentials: { tokenFile: file, clientSecret: app.clientSecret } });
  const token = await lk.getAccessToken({ forceRefresh: true });
  const text = await allRenderings(lk);
  for (const secret of [app.clientSecret, readJson(file).refresh_token, token])
    assert.ok(!text.includes(String(secret)));
  assert.deepEqual(JSON.parse(JSON.stringify(lk)), {
    baseUrl: env.url,
    tenant: 'demo',
    issuer: `${env.url}/t/demo`,
    apiUrl: 'http://127.0.0.1:8081',
    credentials: 'token_file',
    profile: null,
  });
});

test('regenerating the app secret kills the file; deactivation suspends it until reactivation', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'lifecycle.tok');
  const lk = () => env.client({ credentials: { tokenFile: file, clientSecret: app.clientSecret } });

  await env.admin.apps.deactivate(app.id);
  const suspended = await lk()
    .getAccessToken({ forceRefresh: true })
    .catch((e: unknown) => e);
  assert.ok(suspended instanceof LatchkeyAuthError && suspended.error === 'invalid_client', String(suspended));
  await env.admin.apps.activate(app.id);
  await lk().getAccessToken({ forceRefresh: true });

  const rotated = await env.admin.apps.rotateSecret(app.id);
  const dead = await env
    .client({ credentials: { tokenFile: file, clientSecret: rotated.clientSecret } })
    .getAccessToken({ forceRefresh: true })
    .catch((e: unknown) => e);
  assert.ok(dead instanceof LatchkeyAuthError);
  assert.equal(dead.error, 'invalid_grant');
  assert.match(dead.error_description!, /revoked|regenerated/);
});

test('a file of another client, or a broken file, is a config error', async () => {
  const app = await env.createApp();
  const other = await env.createApp();
  const file = await env.tokFile(app, 'mine.tok');
  await assert.rejects(
    env
      .client({ credentials: { tokenFile: file, clientId: other.clientId, clientSecret: other.clientSecret } })
      .getAccessToken({ forceRefresh: true }),
    (e: unknown) => e instanceof LatchkeyConfigError && /belongs to client/.test((e as Error).message),
  );
  const broken = path.join(env.dir, 'broken.tok');
  fs.writeFileSync(broken, '{"app_access_token": "x"}');
  await assert.rejects(
    env.client({ credentials: { tokenFile: broken, clientSecret: app.clientSecret } }).getAccessToken(),
    (e: unknown) => e instanceof LatchkeyConfigError && /has no refresh_token/.test((e as Error).message),
  );
});

test('the environment alone configures a token file (LATCHKEY_TOKEN_FILE + LATCHKEY_CLIENT_SECRET)', async () => {
  const app = await env.createApp();
  const file = await env.tokFile(app, 'env.tok');
  const lk = env.client({
    baseUrl: undefined,
    tenant: undefined,
    env: {
      LATCHKEY_URL: env.url,
      LATCHKEY_TENANT: 'demo',
      LATCHKEY_TOKEN_FILE: file,
      LATCHKEY_CLIENT_SECRET: app.clientSecret,
      LATCHKEY_API_URL: api.url,
    },
  });
  assert.equal(lk.credentialKind, 'token_file');
  assert.equal((await lk.sample.usage()).clientId, app.clientId);
});
