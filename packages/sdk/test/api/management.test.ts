import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LatchkeyApiError, LatchkeyConfigError, type App } from '../../src/index.js';
import { ADMIN_EMAIL, modeOf, readJson, startSdkEnv, type SdkEnv } from '../helpers/env.js';

let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);

test('me', async () => {
  const me = await env.admin.me();
  assert.equal(me.email, ADMIN_EMAIL);
  assert.equal(me.tenant.slug, 'demo');
  assert.equal(me.canCreateClients, true);
  assert.ok(me.roles.length > 0);
});

test('my personal clients: create (secret once), list, iterate, get, delete', async () => {
  const created = await env.admin.clients.create({ name: 'ci', expiresAt: inDays(30) });
  assert.match(created.clientSecret, /^lk_cs_/);
  const second = await env.admin.clients.create({ name: 'laptop', expiresAt: inDays(10).toISOString() });
  const page = await env.admin.clients.list({ limit: 1, sort: 'name' });
  assert.equal(page.items.length, 1);
  assert.ok(page.nextCursor);
  const everything = [];
  for await (const c of env.admin.clients.iterate({ limit: 1 })) everything.push(c);
  assert.deepEqual(new Set(everything.map((c) => c.clientId)), new Set([created.clientId, second.clientId]));
  assert.ok(everything.every((c) => !('clientSecret' in c)));
  assert.equal((await env.admin.clients.get(created.id)).status, 'active');
  await env.admin.clients.delete(created.id);
  const revoked = await env.admin.clients.get(created.id);
  assert.equal(revoked.status, 'revoked');
  assert.equal(revoked.revokedBy?.by, 'owner');
  assert.deepEqual(
    (await env.admin.clients.list({ status: 'active' })).items.map((c) => c.id),
    [second.id],
  );
});

test('users: invite, list, get, update; a plain user gets a typed 403', async () => {
  const password = 'plain user password 123';
  const user = await env.admin.users.invite({ email: 'Plain@Sdk.Test', displayName: 'Plain', password });
  assert.equal(user.email, 'plain@sdk.test');
  assert.equal(user.hasPassword, true);
  const found = await env.admin.users.list({ email: 'plain@sdk.test' });
  assert.deepEqual(
    found.items.map((u) => u.id),
    [user.id],
  );
  assert.equal((await env.admin.users.get(user.id)).displayName, 'Plain');
  const renamed = await env.admin.users.update(user.id, { displayName: 'Renamed' });
  assert.equal(renamed.displayName, 'Renamed');

  const plain = env.client({ credentials: { email: 'plain@sdk.test', password } });
  assert.equal((await plain.me()).isDomainManager, false);
  const err = await plain.users.list().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 403);
  assert.equal(err.detail, 'only domain managers may do this');

  await env.admin.users.update(user.id, { status: 'disabled' });
  assert.equal((await env.admin.users.get(user.id)).status, 'disabled');
});

test('apps: create, get, list, update, rotate the secret, deactivate, activate, delete', async () => {
  const app = await env.admin.apps.create({
    name: 'Reporting',
    description: 'nightly',
    grantTypes: ['client_credentials'],
    scopes: ['metering'],
  });
  assert.match(app.clientSecret, /^lk_cs_/);
  const got: App = await env.admin.apps.get(app.id);
  assert.equal(got.name, 'Reporting');
  assert.ok(!('clientSecret' in got));
  assert.ok((await env.admin.apps.list({ q: 'Report' })).items.some((a) => a.id === app.id));
  assert.equal((await env.admin.apps.update(app.id, { description: 'hourly' })).description, 'hourly');

  const rotated = await env.admin.apps.rotateSecret(app.id);
  assert.notEqual(rotated.clientSecret, app.clientSecret);
  const asApp = (secret: string) =>
    env.client({ credentials: { clientId: app.clientId, clientSecret: secret } }).getAccessToken();
  await assert.rejects(asApp(app.clientSecret), /invalid_client/);
  await asApp(rotated.clientSecret);

  assert.equal((await env.admin.apps.deactivate(app.id)).status, 'inactive');
  await assert.rejects(asApp(rotated.clientSecret), /invalid_client/);
  assert.equal((await env.admin.apps.activate(app.id)).status, 'active');
  await asApp(rotated.clientSecret);

  await env.admin.apps.delete(app.id);
  const err = await env.admin.apps.get(app.id).catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 404);
  assert.equal(err.title, 'Not Found');
});

test('generateTokens writes the .tok document with mode 0600 and refuses to overwrite', async () => {
  const app = await env.createApp();
  const out = path.join(env.dir, 'generated.tok');
  const doc = await env.admin.apps.generateTokens(app.id, { out, scopes: ['metering'] });
  assert.equal(modeOf(out), 0o600);
  assert.deepEqual(readJson(out), doc as unknown as Record<string, unknown>);
  assert.match(doc.refresh_token!, /^lk_rt_/);
  assert.equal(doc.scope, 'metering');
  assert.equal(doc.client_id, app.clientId);
  await assert.rejects(env.admin.apps.generateTokens(app.id, { out }), LatchkeyConfigError);
  const all = await env.admin.apps.generateTokens(app.id, { out, overwrite: true });
  assert.equal(all.scope, 'metering myservices', "defaults to all of the app's scopes");
  await assert.rejects(env.admin.apps.generateTokens(app.id, { out }), (err: unknown) => {
    assert.ok(err instanceof LatchkeyConfigError);
    assert.equal(err.message, `${out} exists; pass overwrite: true to replace it`);
    return true;
  });
  const accessOnly = await env.admin.apps.generateTokens(app.id, { includeRefreshToken: false });
  assert.equal(accessOnly.refresh_token, undefined);
  assert.deepEqual(
    fs.readdirSync(env.dir).filter((f) => f.includes('generated')),
    ['generated.tok'],
  );
});

test('settings and validation problems', async () => {
  const settings = await env.admin.settings.get();
  assert.equal(settings.accessTokenTtlSeconds, 3600);
  const err = await env.admin.settings.update({ accessTokenTtlSeconds: 1 }).catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 400);
  assert.equal(err.code, 'ERR_LATCHKEY_API');
  assert.ok(err.detail);
  assert.match(err.message, /^PATCH http:\/\/127\.0\.0\.1:\d+\/t\/demo\/api\/v1\/settings failed: 400/);
});

test('signing keys: list, rotate now; a plain user is refused', async () => {
  const before = await env.admin.signingKeys.list();
  const active = before.find((k) => k.status === 'active');
  assert.ok(active);
  assert.equal(active.publicJwk.d, undefined);
  const rotated = await env.admin.signingKeys.rotate();
  assert.notEqual(rotated.kid, active.kid);
  const after = await env.admin.signingKeys.list();
  assert.equal(after.find((k) => k.kid === rotated.kid)?.status, 'active');
  assert.equal(after.find((k) => k.kid === active.kid)?.status, 'retired');
  assert.ok(after.find((k) => k.kid === active.kid)?.unpublishedAt);
});

test('request() reaches any path of the server with authentication', async () => {
  const roles = await env.admin.request<{ items: { name: string }[] }>('/t/demo/api/v1/roles');
  assert.ok(roles.items.length > 0);
  const res = await env.admin.fetch(`${env.url}/t/demo/api/v1/me`);
  assert.equal(res.status, 200);
});

// Last in this file: it ends every access token issued so far.
test('signing keys: rotate({ compromised: true }) unpublishes every previous key; clients get new tokens', async () => {
  const before = await env.admin.signingKeys.list();
  const rotated = await env.admin.signingKeys.rotate({ compromised: true });
  assert.ok(
    before.every((k) => k.kid !== rotated.kid),
    'a fresh key',
  );
  assert.deepEqual(
    rotated.items.map((k) => [k.kid, k.status]),
    [[rotated.kid, 'active']],
  );
  const jwks = (await (await fetch(`${env.url}/t/demo/oauth2/v1/keys`)).json()) as { keys: { kid: string }[] };
  assert.deepEqual(
    jwks.keys.map((k) => k.kid),
    [rotated.kid],
  );
  // The admin's cached token was signed by an unpublished key: refused, so the SDK gets a new one.
  assert.deepEqual(
    (await env.admin.signingKeys.list()).map((k) => k.kid),
    [rotated.kid],
  );
});
