import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LatchkeyApiError, LatchkeyAuthError, parseOverlap } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startSdkEnv, type SdkEnv } from '../helpers/env.js';

// Secret rotation through the SDK (`clients.rotate`, `domainClients.rotate`, `apps.rotateSecret`)
// and the CLI (`clients rotate`, `apps rotate-secret`), against one real server process.
let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);

/** Whether a client id and secret get a token now (a fresh SDK client each time: no token cache). */
async function works(clientId: string, clientSecret: string): Promise<boolean> {
  try {
    await env.client({ credentials: { clientId, clientSecret } }).getAccessToken();
    return true;
  } catch (err) {
    if (err instanceof LatchkeyAuthError && err.error === 'invalid_client') return false;
    throw err;
  }
}

/** The CLI in this process, as the administrator by environment variables. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    env: {
      HOME: env.dir,
      XDG_CONFIG_HOME: path.join(env.dir, 'xdg'),
      LATCHKEY_URL: env.url,
      LATCHKEY_TENANT: 'demo',
      LATCHKEY_EMAIL: ADMIN_EMAIL,
      LATCHKEY_PASSWORD: ADMIN_PASSWORD,
    },
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

test('parseOverlap: 0, seconds, or a number with s, m or h; at most 24 h', () => {
  assert.equal(parseOverlap('0'), 0);
  assert.equal(parseOverlap('3600'), 3600);
  assert.equal(parseOverlap('90s'), 90);
  assert.equal(parseOverlap('30m'), 1800);
  assert.equal(parseOverlap('1h'), 3600);
  assert.equal(parseOverlap('24H'), 86_400);
  for (const bad of ['25h', '86401', '-1', '1.5h', '1d', 'soon', '', 'h'])
    assert.ok(Number.isNaN(parseOverlap(bad)), bad);
});

test('clients.rotate: same client id, new secret once; no overlap stops the old one, an overlap keeps it', async () => {
  const c = await env.admin.clients.create({ name: 'sdk rotate', expiresAt: inDays(30) });
  const now = await env.admin.clients.rotate(c.id);
  assert.equal(now.clientId, c.clientId);
  assert.match(now.clientSecret, /^lk_cs_/);
  assert.equal(now.previousSecretExpiresAt, null);
  assert.equal(await works(c.clientId, c.clientSecret), false);
  assert.equal(await works(c.clientId, now.clientSecret), true);

  const later = await env.admin.clients.rotate(c.id, { overlapSeconds: 3600 });
  const ends = Date.parse(later.previousSecretExpiresAt!);
  assert.ok(Math.abs(ends - (Date.now() + 3600_000)) < 60_000, later.previousSecretExpiresAt!);
  assert.equal(await works(c.clientId, now.clientSecret), true, 'the replaced secret overlaps');
  assert.equal(await works(c.clientId, later.clientSecret), true);
  assert.equal((await env.admin.clients.get(c.id)).previousSecretExpiresAt, later.previousSecretExpiresAt);
  assert.ok(!('clientSecret' in (await env.admin.clients.get(c.id))));

  await assert.rejects(env.admin.clients.rotate(c.id, { overlapSeconds: 90_000 }), (err: unknown) => {
    assert.ok(err instanceof LatchkeyApiError);
    assert.equal(err.status, 400);
    assert.equal(err.problemCode, 'invalid');
    assert.match(err.detail ?? '', /overlapSeconds/);
    return true;
  });
  assert.equal(await works(c.clientId, later.clientSecret), true, 'a refused rotation changes nothing');
});

test("domainClients: a manager lists any user's clients and rotates one; the owner's old secret stops", async () => {
  const password = 'rotating user password 1';
  const creator = (
    await env.admin.request<{ items: Array<{ id: string; builtin: string | null }> }>(
      `${env.admin.issuer}/api/v1/roles`,
    )
  ).items.find((r) => r.builtin === 'oauth2-client-creator')!;
  await env.admin.users.invite({ email: 'owner@sdk.test', displayName: 'Owner', password, roleIds: [creator.id] });
  const owner = env.client({ credentials: { email: 'owner@sdk.test', password } });
  const c = await owner.clients.create({ name: 'owned', expiresAt: inDays(7) });
  const listed = await env.admin.domainClients.list({ ownerEmail: 'owner@sdk.test' });
  assert.deepEqual(
    listed.items.map((x) => [x.clientId, x.owner.email]),
    [[c.clientId, 'owner@sdk.test']],
  );
  const r = await env.admin.domainClients.rotate(c.id);
  assert.equal(r.owner.email, 'owner@sdk.test');
  assert.equal(await works(c.clientId, c.clientSecret), false);
  assert.equal(await works(c.clientId, r.clientSecret), true);
  await assert.rejects(
    owner.domainClients.rotate(c.id),
    (err: unknown) => err instanceof LatchkeyApiError && err.status === 403,
  );
});

test('apps.rotateSecret with an overlap: both secrets work, the view says until when', async () => {
  const app = await env.createApp({ grantTypes: ['client_credentials'] });
  const r = await env.admin.apps.rotateSecret(app.id, { overlapSeconds: 600 });
  assert.equal(r.clientId, app.clientId);
  assert.ok(r.previousSecretExpiresAt);
  assert.equal(await works(app.clientId, app.clientSecret), true);
  assert.equal(await works(app.clientId, r.clientSecret), true);
  assert.equal((await env.admin.apps.get(app.id)).previousSecretExpiresAt, r.previousSecretExpiresAt);
  const again = await env.admin.apps.rotateSecret(app.id);
  assert.equal(again.previousSecretExpiresAt, null);
  assert.equal(await works(app.clientId, r.clientSecret), false);
});

test('latchkey clients rotate: prints the new secret once and what happens to the old one; --overlap is checked', async () => {
  const created = await cli(['clients', 'create', '--name', 'cli rotate', '--days', '7', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const c = JSON.parse(created.stdout) as { id: string; clientId: string; clientSecret: string };

  for (const bad of ['25h', 'soon', '-5']) {
    const refused = await cli(['clients', 'rotate', c.clientId, '--overlap', bad]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--overlap must be 0 or a duration of at most 24h/);
  }
  assert.equal(await works(c.clientId, c.clientSecret), true, 'refused flags change nothing');

  const human = await cli(['clients', 'rotate', c.clientId]);
  assert.equal(human.code, 0, human.stderr);
  const secret = /client_secret: (lk_cs_\S+)/.exec(human.stdout)?.[1];
  assert.ok(secret, human.stdout);
  assert.match(human.stdout, new RegExp(`client_id:\\s+${c.clientId}`));
  assert.match(human.stdout, /The old secret stopped working now/);
  assert.match(human.stderr, /shown only now/);
  assert.equal(await works(c.clientId, c.clientSecret), false);
  assert.equal(await works(c.clientId, secret), true);

  const json = await cli(['clients', 'rotate', c.id, '--overlap', '1h', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const rotated = JSON.parse(json.stdout) as {
    clientId: string;
    clientSecret: string;
    previousSecretExpiresAt: string;
  };
  assert.equal(rotated.clientId, c.clientId);
  assert.ok(Date.parse(rotated.previousSecretExpiresAt) > Date.now() + 3500_000);
  assert.equal(await works(c.clientId, secret), true, 'the old one overlaps for an hour');
  assert.equal(await works(c.clientId, rotated.clientSecret), true);

  const missing = await cli(['clients', 'rotate', 'lk_pc_nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /404/);
});

test('latchkey apps rotate-secret --overlap 30m keeps the old secret for half an hour', async () => {
  const app = await env.createApp({ grantTypes: ['client_credentials'] });
  const r = await cli(['apps', 'rotate-secret', app.clientId, '--overlap', '30m']);
  assert.equal(r.code, 0, r.stderr);
  const secret = /client_secret: (lk_cs_\S+)/.exec(r.stdout)?.[1];
  assert.ok(secret);
  assert.match(r.stdout, /The old secret keeps working until \S+Z; then it stops/);
  assert.equal(await works(app.clientId, app.clientSecret), true);
  assert.equal(await works(app.clientId, secret), true);
  const bad = await cli(['apps', 'rotate-secret', app.clientId, '--overlap', '2d']);
  assert.equal(bad.code, 2);
});
