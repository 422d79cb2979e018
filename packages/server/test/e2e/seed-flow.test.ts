import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { startServerProcess } from '../helpers/process.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'seed-flow.sh');

/** The exact curl flow of the .tok file, run from a shell against a started server. */
test('a developer refreshes a .tok file with curl and Basic authentication', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-seed-'));
  const server = await startServerProcess({
    LATCHKEY_DATA_DIR: path.join(dir, 'data'),
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
  });
  t.after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = async (url: string, body: unknown, headers: Record<string, string>) => {
    const r = await fetch(server.url + url, { method: 'POST', headers, body: body as string });
    return { status: r.status, headers: r.headers, json: (await r.json()) as Record<string, string> };
  };
  const login = await post(
    '/t/demo/oauth2/v1/token',
    new URLSearchParams({
      grant_type: 'password',
      client_id: 'latchkey-sdk',
      username: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    }).toString(),
    { 'content-type': 'application/x-www-form-urlencoded' },
  );
  assert.equal(login.status, 200);
  const auth = { authorization: `Bearer ${login.json.access_token}`, 'content-type': 'application/json' };
  const app = await post(
    '/t/demo/api/v1/apps',
    JSON.stringify({
      name: 'Seed App',
      description: 'curl flow',
      grantTypes: ['refresh_token'],
      scopes: ['myservices', 'metering'],
    }),
    auth,
  );
  assert.equal(app.status, 201);
  const tok = await post(
    `/t/demo/api/v1/apps/${app.json.id}/tokens`,
    JSON.stringify({ scopes: ['myservices'], includeRefreshToken: true }),
    auth,
  );
  assert.equal(tok.status, 200);
  assert.match(tok.headers.get('content-disposition')!, /attachment; filename="seed-app\.tok"/);
  const tokFile = path.join(dir, 'seed-app.tok');
  fs.writeFileSync(tokFile, JSON.stringify(tok.json, null, 2), { mode: 0o600 });

  const run = (file: string) => {
    const r = spawnSync('bash', [script, server.url, 'demo', app.json.clientId, app.json.clientSecret, file], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const first = run(tokFile);
  assert.equal(first.token_type, 'Bearer');
  assert.equal(first.expires_in, 3600);
  assert.equal(first.scope, 'myservices');
  assert.match(String(first.access_token), /^ey/);
  assert.match(String(first.refresh_token), /^lk_rt_/);
  assert.notEqual(first.refresh_token, tok.json.refresh_token);

  // The developer saves the rotated token and refreshes again; the new one works.
  const next = path.join(dir, 'next.tok');
  fs.writeFileSync(next, JSON.stringify({ app_access_token: first.access_token, refresh_token: first.refresh_token }));
  const second = run(next);
  assert.match(String(second.refresh_token), /^lk_rt_/);

  // The original file's token is dead (and replaying it revokes the family).
  const replay = run(tokFile);
  assert.equal(replay.error, 'invalid_grant');
});
