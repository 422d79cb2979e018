import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Config } from './config.js';

/**
 * A start-up refusal that the operator can act on: main.ts prints the message as one line naming
 * the setting and what to do, and exits with status 1. Anything else is a bug and keeps its trace.
 */
export class StartupError extends Error {}

/** The one wording for a port that is taken, from the probe and from the listen that may still race it. */
export function portInUse(host: string, port: number): StartupError {
  return new StartupError(
    `PORT=${port}: ${host}:${port} is already in use (another Latchkey?): stop what listens there, or set PORT to a free port`,
  );
}

/**
 * Refuses a port that cannot be listened on, before anything is migrated (or, from `npm start`,
 * rebuilt). Port 0 takes any free port, so there is nothing to check.
 */
export function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(portInUse(host, port));
      else if (err.code === 'EACCES')
        reject(
          new StartupError(
            `PORT=${port}: this user may not listen on port ${port} (ports below 1024 need privileges): set PORT to 1024 or above`,
          ),
        );
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN')
        reject(
          new StartupError(
            `HOST=${host} is not an address of this machine: set HOST to one of its addresses (127.0.0.1, 0.0.0.0 for all)`,
          ),
        );
      else reject(err);
    });
    // exclusive: bind for real, never through a cluster primary's shared handle.
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export interface DataDirLock {
  release(): void;
}

const LOCK_FILE = 'server.lock';
const PID_FILE = 'server.pid';

/**
 * One server process per SQLite data directory: a second one would serve from caches that the
 * first one's writes do not reach. The lock is SQLite's own exclusive lock on a small database
 * beside latchkey.db, held for the life of the process: the operating system drops it when the
 * process ends, however it ends, so a crash never leaves the directory locked.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LOCK_FILE);
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  const lock = new SQLite(file, { timeout: 0 });
  try {
    // In exclusive locking mode the lock taken by the first write is kept until the connection
    // closes. The file holds nothing worth a journal.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.pragma('journal_mode = OFF');
    lock.exec(
      'BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (since INTEGER); DELETE FROM held; INSERT INTO held VALUES (unixepoch()); COMMIT',
    );
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    const holder = livePid(path.join(dataDir, PID_FILE));
    throw new StartupError(
      `LATCHKEY_DATA_DIR=${dataDir} is in use by another Latchkey process${holder ? ` (pid ${holder})` : ''}: ` +
        'its SQLite database is served by one process; stop that one, set LATCHKEY_DATA_DIR to another directory, or use PostgreSQL (DATABASE_URL) to run several processes',
    );
  }
  // Only to name the holder in the refusal above: the lock itself is what counts.
  fs.writeFileSync(path.join(dataDir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
  return { release: () => lock.close() };
}

function livePid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

const DATABASE_CHECK_TIMEOUT_MS = 10_000;

/**
 * Connects to DATABASE_URL once before anything is migrated, so that a database that is missing,
 * down or refusing the account is said in one line naming the setting (never its password).
 */
export async function checkDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = Number(url.port || 5432);
  const user = decodeURIComponent(url.username) || process.env.PGUSER || process.env.USER || '';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: DATABASE_CHECK_TIMEOUT_MS });
  client.on('error', () => {
    /* reported through connect() or query() */
  });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    const e = err as { code?: string; message: string };
    const where = `${host}:${port}`;
    if (e.code === '3D000')
      throw new StartupError(
        `DATABASE_URL names the database "${database}", which does not exist on ${where}: create it (createdb -h ${host} -p ${port} ${database}) or correct DATABASE_URL`,
      );
    if (e.code === 'ECONNREFUSED')
      throw new StartupError(
        `DATABASE_URL: nothing accepts connections at ${where}: start PostgreSQL there, or correct the host and port in DATABASE_URL`,
      );
    if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
      throw new StartupError(`DATABASE_URL: the host "${host}" cannot be found: correct the host in DATABASE_URL`);
    if (e.code === '28P01' || e.code === '28000')
      throw new StartupError(
        `DATABASE_URL: PostgreSQL at ${where} refused the user "${user}" (${e.message}): correct the user or password in DATABASE_URL`,
      );
    if (/timeout/i.test(e.message))
      throw new StartupError(
        `DATABASE_URL: no answer from ${where} within ${DATABASE_CHECK_TIMEOUT_MS / 1000} s: check that PostgreSQL runs there and the network lets it through`,
      );
    throw new StartupError(`DATABASE_URL: cannot use PostgreSQL at ${where}: ${e.message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * What `npm start` checks before it rebuilds anything: the port, and the data directory's lock
 * (SQLite, let go at once) or the database (PostgreSQL). The server checks the same again itself.
 */
export async function preflight(config: Config): Promise<void> {
  await ensurePortFree(config.host, config.port);
  if (config.databaseUrl) await checkDatabase(config.databaseUrl);
  else lockDataDir(config.dataDir).release();
}
