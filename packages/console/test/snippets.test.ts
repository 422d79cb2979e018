import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { cliSnippet, curlSnippet, sdkSnippet } from '../src/screens/snippets.js';
import { ADMIN, startLatchkey } from './helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PRELOAD = path.join(root, 'packages/resource-server/test/helpers/loopback-names.mjs');

/** A scratch directory inside the repository, so that `@latchkey/sdk` resolves as it does in a project that installed it. */
function snippetDir(t: TestContext): string {
  const cache = path.join(root, 'node_modules/.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'latchkey-snippet-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

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

  const file = path.join(snippetDir(t), 'token.mjs');
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

test('at a tenant host the three snippets, run as they are, get tokens from the host with its issuer (real server)', async (t) => {
  const server = await startLatchkey();
  t.after(() => server.stop());
  const admin = await server.token(ADMIN.email, ADMIN.password);
  const patched = await fetch(`${server.url}/platform/api/v1/tenants/demo`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hosts: ['demo.id.test'] }),
  });
  assert.equal(patched.status, 200, await patched.text());
  const created = await server.api(admin, 'POST', '/me/oauth2-clients', {
    name: 'host snippet',
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  assert.equal(created.status, 201);
  // What the console shows at http://demo.id.test:{port}/console/ (the host's URL: PUBLIC_URL's port).
  const hostUrl = `http://demo.id.test:${server.port}`;
  const target = {
    origin: hostUrl,
    tenant: 'demo',
    tenantHost: true,
    clientId: created.body.clientId,
    clientSecret: created.body.clientSecret,
  };
  // The programs reach the host's name on 127.0.0.1 (no DNS entry): the SDK and the CLI through a
  // test-only preload, curl through --connect-to; the name stays in the URL and the Host header.
  const byName = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim(),
    LATCHKEY_TEST_LOOPBACK_SUFFIX: '.id.test',
  };
  const issuerOf = (jwt: string) => decodeJwt(jwt).iss;

  const dir = snippetDir(t);
  const file = path.join(dir, 'token.mjs');
  fs.writeFileSync(file, sdkSnippet(target) + '\n');
  const sdk = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...byName, LATCHKEY_CLIENT_SECRET: target.clientSecret },
  });
  assert.equal(sdk.status, 0, sdk.stderr);
  assert.equal(sdk.stdout, `${ADMIN.email}\n`);

  // The CLI snippet in a shell with no LATCHKEY_* of ours: LATCHKEY_URL is the host, no tenant.
  const clean = Object.fromEntries(
    Object.entries(byName).filter(([k]) => !k.startsWith('LATCHKEY_') || k === 'LATCHKEY_TEST_LOOPBACK_SUFFIX'),
  );
  const cli = spawnSync('bash', ['-c', cliSnippet(target)], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: root,
    env: { ...clean, HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg') },
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(issuerOf(cli.stdout.trim()), hostUrl);

  const curl = spawnSync(
    'bash',
    ['-c', `${curlSnippet(target)} --connect-to demo.id.test:${server.port}:127.0.0.1:${server.port}`],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(curl.status, 0, curl.stderr);
  assert.equal(issuerOf((JSON.parse(curl.stdout) as { access_token: string }).access_token), hostUrl);
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
