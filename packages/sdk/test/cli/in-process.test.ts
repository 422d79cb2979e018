import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { readTokFile } from '../../src/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startSdkEnv, type SdkEnv } from '../helpers/env.js';

// The CLI run in this process (its `main` with its own standard streams and environment) against a
// real server process: each spawned `latchkey` would cost two seconds of start-up.
let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

async function cli(
  argv: string[],
  vars: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s;
      },
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
      },
    },
    env: {
      HOME: env.dir,
      XDG_CONFIG_HOME: path.join(env.dir, 'xdg'),
      LATCHKEY_URL: env.url,
      LATCHKEY_TENANT: 'demo',
      ...vars,
    },
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

const revoke = (clientId: string, clientSecret: string, token: string) =>
  fetch(`${env.url}/t/demo/oauth2/v1/revoke`, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });

test('token get never prints an access token the server has revoked: it checks a stored one, and a dead .tok says so', async () => {
  const app = await env.createApp({ grantTypes: ['refresh_token'] });
  const tok = await env.tokFile(app);
  const developer = { LATCHKEY_TOKEN_FILE: tok, LATCHKEY_CLIENT_SECRET: app.clientSecret };
  const stored = await readTokFile(tok);

  // Still good: printed as stored, no refresh token spent.
  const good = await cli(['token', 'get'], developer);
  assert.deepEqual(good, { code: 0, stdout: `${stored.app_access_token}\n`, stderr: '' });
  assert.equal((await readTokFile(tok)).refresh_token, stored.refresh_token);

  // This access token alone revoked (RFC 7009): a fresh one from the refresh token.
  assert.equal((await revoke(app.clientId, app.clientSecret, stored.app_access_token)).status, 200);
  const replaced = await cli(['token', 'get'], developer);
  assert.equal(replaced.code, 0, replaced.stderr);
  const now = await readTokFile(tok);
  assert.equal(replaced.stdout, `${now.app_access_token}\n`);
  assert.notEqual(now.app_access_token, stored.app_access_token);
  assert.notEqual(now.refresh_token, stored.refresh_token, 'refreshed once');

  // The secret regenerated: every token of the file is dead; nothing is printed, and it says what to do.
  const { clientSecret } = await env.admin.apps.rotateSecret(app.id);
  const dead = await cli(['token', 'get'], { ...developer, LATCHKEY_CLIENT_SECRET: clientSecret });
  assert.equal(dead.code, 1);
  assert.equal(dead.stdout, '', 'the revoked token is not printed');
  assert.equal(
    dead.stderr,
    `latchkey: refreshing with the token file ${tok} failed: invalid_grant ` +
      "(refresh token was invalidated when the application's secret was regenerated: a new token file (or refresh token) is needed)\n" +
      'hint: the refresh token is no longer valid; run `latchkey login` again, or ask for a new .tok file\n',
  );
});

test('token get with a stored login whose session was ended elsewhere says to sign in again', async () => {
  const login = await cli(['login', '--email', ADMIN_EMAIL], { LATCHKEY_PASSWORD: ADMIN_PASSWORD });
  assert.equal(login.code, 0, login.stderr);
  const first = await cli(['token', 'get']);
  assert.equal(first.code, 0, first.stderr);
  // Signed out elsewhere: the refresh token (and with it the grant's access tokens) revoked by its client.
  const config = JSON.parse(
    await import('node:fs').then((fs) => fs.readFileSync(path.join(env.dir, 'xdg/latchkey/config.json'), 'utf8')),
  );
  const refreshToken = config.profiles.default.refreshToken as string;
  const ended = await fetch(`${env.url}/t/demo/oauth2/v1/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken, client_id: 'latchkey-sdk', token_type_hint: 'refresh_token' }),
  });
  assert.equal(ended.status, 200);
  const after = await cli(['token', 'get']);
  assert.equal(after.code, 1);
  assert.equal(after.stdout, '');
  assert.match(after.stderr, /invalid_grant.*\nhint: the refresh token is no longer valid; run `latchkey login` again/);
});

test('apps token (and get, rotate-secret, activate, deactivate) take the client id as well as the id', async () => {
  const app = await env.createApp({ grantTypes: ['refresh_token'] });
  const admin = { LATCHKEY_EMAIL: ADMIN_EMAIL, LATCHKEY_PASSWORD: ADMIN_PASSWORD };
  const out = path.join(env.dir, 'by-client-id.tok');
  const written = await cli(['apps', 'token', app.clientId, '--out', out], admin);
  assert.equal(written.code, 0, written.stderr);
  assert.equal((await readTokFile(out)).client_id, app.clientId);
  const shown = await cli(['apps', 'get', app.clientId, '--json'], admin);
  assert.equal(JSON.parse(shown.stdout).id, app.id);
  const unknown = await cli(['apps', 'token', 'lk_app_nosuchclient0', '--out', out, '--force'], admin);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    `latchkey: GET ${env.url}/t/demo/api/v1/apps failed: 404 Not Found: no application of this tenant has the client id lk_app_nosuchclient0\n`,
  );
  const help = await cli(['apps', 'token', '--help']);
  assert.match(
    help.stdout.replace(/\s+/g, ' '),
    /Arguments: app the application: its id \(as `apps list` shows it\) or its client id \(lk_app_…\)/,
  );
});

test('the server URL with no tenant is taken as a tenant URL: this path-tenancy server has no token endpoint at its root, and the hint says to add the tenant', async () => {
  const r = await cli(['token', 'get'], {
    LATCHKEY_TENANT: '',
    LATCHKEY_CONFIG: path.join(env.dir, 'no-profiles.json'),
    LATCHKEY_EMAIL: ADMIN_EMAIL,
    LATCHKEY_PASSWORD: ADMIN_PASSWORD,
  });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `latchkey: signing in as ${ADMIN_EMAIL} failed: invalid_response (the token endpoint ${env.url}/oauth2/v1/token answered HTTP 404 without an OAuth error)\n` +
      "hint: no token endpoint at that address: check the tenant. A URL given without a tenant is taken as a tenant's own URL " +
      "(https://acme.id.example.com); a tenant under the server's URL needs --tenant (LATCHKEY_TENANT)\n",
  );
  assert.ok(!r.stderr.includes(ADMIN_PASSWORD));
});
