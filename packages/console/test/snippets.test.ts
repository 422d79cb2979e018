import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliSnippet, curlSnippet, sdkSnippet } from '../src/screens/snippets.js';
import { ADMIN, startLatchkey } from './helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('the SDK snippet shown with a new secret runs as it is, saved as a .mjs file, against a real server', async (t) => {
  const server = await startLatchkey();
  t.after(() => server.stop());
  const admin = await server.token(ADMIN.email, ADMIN.password);
  const created = await server.api(admin, 'POST', '/me/oauth2-clients', {
    name: 'snippet',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  assert.equal(created.status, 201);
  const target = {
    origin: server.url,
    tenant: 'demo',
    clientId: created.body.clientId,
    clientSecret: created.body.clientSecret,
  };

  // Inside the repository, so that `@latchkey/sdk` resolves as it does in a project that installed it.
  const cache = path.join(root, 'node_modules/.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'latchkey-snippet-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'token.mjs');
  fs.writeFileSync(file, sdkSnippet(target) + '\n');
  const run = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LATCHKEY_CLIENT_SECRET: target.clientSecret },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, `${ADMIN.email}\n`);
  assert.ok(!sdkSnippet(target).includes(target.clientSecret), 'the secret stays out of the file');

  assert.match(cliSnippet(target), new RegExp(`^export LATCHKEY_CLIENT_SECRET=${target.clientSecret}$`, 'm'));
  assert.match(curlSnippet(target), /-d grant_type=client_credentials$/);
});

test('at a tenant host the snippets name no tenant: the host is the tenant, its endpoints at the root', () => {
  const target = {
    origin: 'https://acme.id.example.com',
    tenant: 'acme',
    tenantHost: true,
    clientId: 'lk_pc_x',
    clientSecret: 'lk_cs_y',
  };
  assert.doesNotMatch(cliSnippet(target), /LATCHKEY_TENANT/);
  assert.match(cliSnippet(target), /^export LATCHKEY_URL=https:\/\/acme\.id\.example\.com$/m);
  assert.doesNotMatch(sdkSnippet(target), /tenant:/);
  assert.match(curlSnippet(target), /^curl -s https:\/\/acme\.id\.example\.com\/oauth2\/v1\/token \\$/m);
  assert.match(
    curlSnippet({ ...target, tenantHost: false }),
    /^curl -s https:\/\/acme\.id\.example\.com\/t\/acme\/oauth2\/v1\/token/m,
  );
});
