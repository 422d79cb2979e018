import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startSdkEnv, type SdkEnv } from '../helpers/env.js';
import { main } from '../../src/cli/main.js';

let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

/** The CLI in this process (no spawn), as the administrator by environment variables. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
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
      LATCHKEY_EMAIL: ADMIN_EMAIL,
      LATCHKEY_PASSWORD: ADMIN_PASSWORD,
    },
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

test('clients create --scope: a subset of your scopes, shown by list and show; scopes you do not hold are refused', async () => {
  // The administrator holds only built-in roles (no scopes): give him one that grants metering and myservices.
  const role = await env.admin.request<{ id: string }>(`${env.admin.issuer}/api/v1/roles`, {
    method: 'POST',
    body: { name: 'cli scoped readers', scopes: ['metering', 'myservices'] },
  });
  const me = await env.admin.me();
  await env.admin.users.update(me.id, { roleIds: [...me.roles.map((r) => r.id), role.id] });

  const created = await cli(['clients', 'create', '--name', 'metering only', '--scope', 'metering', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const c = JSON.parse(created.stdout) as {
    id: string;
    clientId: string;
    clientSecret: string;
    scopes: string[] | null;
  };
  assert.deepEqual(c.scopes, ['metering']);
  const everything = await cli(['clients', 'create', '--name', 'everything']);
  assert.equal(everything.code, 0, everything.stderr);
  assert.match(everything.stdout, /scopes: +all \(your permissions\)\n/);

  const list = await cli(['clients', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID\s+CLIENTID\s+NAME\s+STATUS\s+SCOPES/);
  assert.match(list.stdout, new RegExp(`${c.clientId}\\s+metering only\\s+active\\s+metering\\s`));
  assert.match(list.stdout, /everything\s+active\s+all \(your permissions\)/);
  const shown = await cli(['clients', 'show', c.clientId]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^scopes: +metering$/m);
  assert.ok(!shown.stdout.includes('lk_cs_'));
  const json = JSON.parse((await cli(['clients', 'show', c.id, '--json'])).stdout) as { scopes: string[] | null };
  assert.deepEqual(json.scopes, ['metering']);

  // The SDK with the new client: its token carries the subset only.
  const asClient = env.client({ credentials: { clientId: c.clientId, clientSecret: c.clientSecret } });
  const claims = JSON.parse(Buffer.from((await asClient.getAccessToken()).split('.')[1]!, 'base64url').toString()) as {
    scope: string;
  };
  assert.equal(claims.scope, 'metering');

  const refused = await cli(['clients', 'create', '--name', 'too wide', '--scope', 'metering,billing']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /400 .*scopes you do not hold: billing/);
  const names = (JSON.parse((await cli(['clients', 'list', '--json'])).stdout) as { name: string }[]).map(
    (x) => x.name,
  );
  assert.ok(!names.includes('too wide'), 'nothing created');
});

test('clients stale: a manager lists credentials expiring soon (and says why); a stale query needs a condition', async () => {
  const soon = await cli(['clients', 'create', '--name', 'expires soon', '--days', '2', '--json']);
  assert.equal(soon.code, 0, soon.stderr);
  const { clientId } = JSON.parse(soon.stdout) as { clientId: string };
  const r = await cli(['clients', 'stale', '--expiring-days', '5']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^KIND\s+CLIENTID\s+NAME\s+OWNER\s+LASTUSEDAT\s+LASTUSEDADDRESS\s+EXPIRESAT\s+REASONS$/);
  assert.equal(lines.length, 2, r.stdout);
  assert.match(
    lines[1]!,
    new RegExp(
      `^personal\\s+${clientId}\\s+expires soon\\s+${ADMIN_EMAIL.replace('.', '\\.')}\\s+never\\s+-\\s+\\S+\\s+expiring$`,
    ),
  );
  const json = JSON.parse(
    (await cli(['clients', 'stale', '--expiring-days', '5', '--never-used', '--kind', 'personal', '--json'])).stdout,
  ) as { clientId: string; reasons: string[] }[];
  assert.deepEqual(json.find((c) => c.clientId === clientId)!.reasons, ['never_used', 'expiring']);
  const none = await cli(['clients', 'stale']);
  assert.equal(none.code, 2, 'a usage error');
  assert.match(none.stderr, /--never-used, --unused-days N and\/or --expiring-days N/);
  const bad = await cli(['clients', 'stale', '--unused-days', 'ten']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--unused-days must be a whole number of days, got "ten"/);
});
