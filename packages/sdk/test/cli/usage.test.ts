import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../server/test/helpers/process.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/env.js';
import { BIN, ok, runCli } from '../helpers/cli.js';

const cli = (args: string[]) =>
  runCli(args, { HOME: os.tmpdir(), XDG_CONFIG_HOME: path.join(os.tmpdir(), 'latchkey-cli-usage-none') });

test('--help, --version and usage errors (exit 2)', async () => {
  const [help, version, unknown, missing, sub] = await Promise.all([
    cli(['--help']),
    cli(['--version']),
    cli(['frobnicate']),
    cli(['clients', 'create']),
    cli(['apps', 'token', '--help']),
  ]);
  ok(help);
  assert.match(help.stdout, /Usage: latchkey/);
  for (const word of ['serve', 'login', 'clients', 'apps', 'token', 'api', 'LATCHKEY_TOKEN_FILE', 'Exit codes'])
    assert.ok(help.stdout.includes(word), word);
  ok(version);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--name <name>'/);
  ok(sub);
  assert.match(sub.stdout, /--out <file>/);
});

test('no credentials is a configuration error (exit 2) that says what to set', async () => {
  const r = await cli(['token', 'get']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^latchkey: no credentials: .*LATCHKEY_CLIENT_ID/);
  assert.equal(r.stdout, '');
});

test("configuration errors name the CLI's own flags and commands, never the SDK's option names", async () => {
  const none = await cli(['token', 'get']);
  assert.match(none.stderr, /--token-file/);
  assert.match(none.stderr, /run `latchkey login`/);
  const secretless = await runCli(['token', 'get', '--token-file', '/nowhere/app.tok'], {
    HOME: os.tmpdir(),
    XDG_CONFIG_HOME: path.join(os.tmpdir(), 'latchkey-cli-usage-none'),
  });
  assert.equal(secretless.code, 2);
  assert.match(
    secretless.stderr,
    /^latchkey: the application's client secret is missing: use LATCHKEY_CLIENT_SECRET or the profile's clientSecret\n/,
  );
  for (const r of [none, secretless]) assert.doesNotMatch(r.stderr, /`credentials|credentials\.|an option|overwrite/);
});

test('serve starts the authorization server and stops it on SIGTERM', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cli-serve-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const dataDir = path.join(dir, 'serve-data');
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: {
      ...process.env,
      LATCHKEY_CLI_FROM_SOURCE: '1',
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    assert.ok(Date.now() < deadline && child.exitCode === null, `server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(output, /Latchkey is initialised/);
  assert.ok(fs.existsSync(dataDir));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(
    await fetch(`${url}/readyz`).then(
      () => 'up',
      () => 'down',
    ),
    'down',
  );
});
