import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `npm test` first makes sure what the tests need from Debian is there (scripts/test-prerequisites.mjs).
// Installing cannot be tested without removing packages from the machine; what can: nothing is said
// when everything is there, and a user who may not install gets one line with the command and no
// test runs.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const PREREQUISITES = path.join(root, 'scripts/test-prerequisites.mjs');
const TEST_COMMAND = path.join(root, 'scripts/test.mjs');

function run(args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000, ...opts });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** How to run as a user who may not install: nobody when we are root; ourselves without passwordless sudo. */
function unprivileged(): SpawnSyncOptions | undefined {
  if (process.getuid?.() === 0) return { uid: 65534, gid: 65534 };
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? undefined : {};
}

test('with everything installed the prerequisites check says nothing and succeeds', () => {
  const r = run([PREREQUISITES]);
  assert.deepEqual(r, { status: 0, stdout: '', stderr: '' });
});

test('a user who may not install is told the one command to run, and no test runs', (t) => {
  const as = unprivileged();
  if (!as) return t.skip('this user may install with sudo: the check would install instead');
  // The two scripts in a tree the unprivileged user can read (the checkout may sit in a private
  // home directory), with the Python client's folder, so that pytest would run if nothing stopped it.
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-prereq-'));
  t.after(() => fs.rmSync(tree, { recursive: true, force: true }));
  fs.mkdirSync(path.join(tree, 'scripts'));
  fs.mkdirSync(path.join(tree, 'packages/python/tests'), { recursive: true });
  fs.writeFileSync(
    path.join(tree, 'packages/python/tests/test_nothing.py'),
    'def test_ran():\n    print("PYTEST RAN")\n',
  );
  for (const f of [TEST_COMMAND, PREREQUISITES]) fs.copyFileSync(f, path.join(tree, 'scripts', path.basename(f)));
  // A module that fails to import stands for a missing package.
  fs.mkdirSync(path.join(tree, 'hide'));
  fs.writeFileSync(path.join(tree, 'hide/requests.py'), 'raise ImportError("hidden for the test")\n');
  execFileSync('chmod', ['-R', 'a+rX', tree]);
  const r = run([path.join(tree, 'scripts/test.mjs'), 'packages/python'], {
    ...as,
    cwd: tree,
    env: { ...process.env, PYTHONPATH: path.join(tree, 'hide') },
  });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    'npm test: the tests need python3-requests, which is missing; run: sudo apt-get update && sudo apt-get install -y python3-requests\n',
  );
  assert.equal(r.stdout, '', 'pytest did not start');
});

test('CHROMIUM_PATH naming nothing is refused before any browser test, since installing would not help', () => {
  const r = run([PREREQUISITES], { env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' } });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    "npm test: CHROMIUM_PATH=/nonexistent/chromium is not an executable file: correct it, or unset it to use Debian's chromium\n",
  );
});
