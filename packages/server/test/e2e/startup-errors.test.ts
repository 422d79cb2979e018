import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { backends, PG_ADMIN_URL } from '../helpers/harness.js';
import { SERVER_ENTRY, freePort, startServerProcess } from '../helpers/process.js';
import { parseDatabaseUrl } from '../../src/config.js';

// What an operator can fix is refused at start-up in one line on stderr naming the setting and what
// to do, with exit status 1, before anything is migrated, and from `npm start` before anything is
// rebuilt. Real processes: the server as `node dist/main.js` runs it (through tsx), and npm start's
// first half (scripts/start.mjs).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const START_SCRIPT = path.join(root, 'scripts/start.mjs');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runToExit(args: string[], env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', LATCHKEY_WORKERS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const server = (env: Record<string, string>) => runToExit(['--import', 'tsx', SERVER_ENTRY], env);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-startup-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a second server on the same port or the same SQLite data directory is refused in one line; a crashed one leaves no lock behind', async (t) => {
  const dataDir = tempDir(t);
  const first = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
  t.after(() => first.stop());

  const otherDir = path.join(tempDir(t), 'data');
  const samePort = await server({ PORT: String(first.port), LATCHKEY_DATA_DIR: otherDir });
  assert.equal(samePort.code, 1);
  assert.equal(
    samePort.stderr,
    `Latchkey cannot start: PORT=${first.port}: 127.0.0.1:${first.port} is already in use (another Latchkey?): stop what listens there, or set PORT to a free port\n`,
  );
  assert.equal(fs.existsSync(otherDir), false, 'nothing was created or migrated');

  // npm start's first half says the same and rebuilds nothing under the running server.
  const stamp = path.join(root, 'packages/server/dist/.built');
  const builtBefore = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : undefined;
  const npmStart = await runToExit([START_SCRIPT], { PORT: String(first.port), LATCHKEY_DATA_DIR: otherDir });
  assert.equal(npmStart.code, 1);
  assert.equal(npmStart.stderr, samePort.stderr);
  assert.equal(npmStart.stdout, '', 'no build ran');
  assert.equal(fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : undefined, builtBefore);

  const sameDir = await server({ PORT: String(await freePort()), LATCHKEY_DATA_DIR: dataDir });
  assert.equal(sameDir.code, 1);
  assert.equal(
    sameDir.stderr,
    `Latchkey cannot start: LATCHKEY_DATA_DIR=${dataDir} is in use by another Latchkey process (pid ${first.child.pid}): ` +
      'its SQLite database is served by one process; stop that one, set LATCHKEY_DATA_DIR to another directory, or use PostgreSQL (DATABASE_URL) to run several processes\n',
  );
  assert.equal(
    (await runToExit([START_SCRIPT], { PORT: String(await freePort()), LATCHKEY_DATA_DIR: dataDir })).stderr,
    sameDir.stderr,
  );
  assert.equal((await fetch(`${first.url}/readyz`)).status, 200, 'the first server goes on');

  // A killed server's lock goes with it.
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const next = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
  t.after(() => next.stop());
  assert.equal((await fetch(`${next.url}/readyz`)).status, 200);
});

test('DATABASE_URL of another database is refused by its scheme, before any connection', async (t) => {
  const dataDir = tempDir(t);
  const r = await server({ PORT: '0', LATCHKEY_DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' });
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'Latchkey cannot start: DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database, not mysql://…; unset it to use the embedded SQLite database\n',
  );
  assert.deepEqual(fs.readdirSync(dataDir), []);

  assert.equal(parseDatabaseUrl(''), undefined);
  assert.equal(parseDatabaseUrl('postgresql://u@db/x'), 'postgresql://u@db/x');
  assert.throws(
    () => parseDatabaseUrl('postgres://u:pa ss@db:x/y'),
    /^Error: DATABASE_URL is not a valid URL: write it as postgres:\/\/user:password@host:5432\/database \(percent-encode special characters in the password\)$/,
  );
  assert.throws(
    () => parseDatabaseUrl('/var/lib/db.sqlite'),
    /^Error: DATABASE_URL must be a PostgreSQL URL such as postgres:\/\/user:password@host:5432\/database; unset it/,
  );
  assert.throws(
    () => parseDatabaseUrl('mysql://root:hunter2@x/db'),
    (err: Error) => !err.message.includes('hunter2'),
    'the password is never echoed',
  );
});

if ((await backends()).includes('postgres')) {
  test('a PostgreSQL database that does not exist, or a server that is not there, is said in one line (postgres)', async (t) => {
    const dataDir = tempDir(t);
    const missing = new URL(PG_ADMIN_URL);
    const name = `lk_missing_${randomBytes(4).toString('hex')}`;
    missing.pathname = `/${name}`;
    const host = missing.hostname;
    const port = missing.port || '5432';
    const r = await server({ PORT: '0', LATCHKEY_DATA_DIR: dataDir, DATABASE_URL: missing.toString() });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `Latchkey cannot start: DATABASE_URL names the database "${name}", which does not exist on ${host}:${port}: create it (createdb -h ${host} -p ${port} ${name}) or correct DATABASE_URL\n`,
    );

    const closed = await freePort();
    const down = await server({
      PORT: '0',
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/test`,
    });
    assert.equal(down.code, 1);
    assert.equal(
      down.stderr,
      `Latchkey cannot start: DATABASE_URL: nothing accepts connections at 127.0.0.1:${closed}: start PostgreSQL there, or correct the host and port in DATABASE_URL\n`,
    );

    // LATCHKEY_WORKERS: the primary checks before it starts any worker.
    const workers = await server({
      PORT: '0',
      LATCHKEY_DATA_DIR: dataDir,
      DATABASE_URL: missing.toString(),
      LATCHKEY_WORKERS: '2',
    });
    assert.equal(workers.code, 1);
    assert.equal(workers.stderr, r.stderr);
  });
}
