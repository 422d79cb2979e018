import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { prepareStatements } from './pg-prepared.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface StoreHandle {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL: the connection pool, for its usage metrics. */
  pool?: PoolUsage;
  close(): Promise<void>;
}

export type PoolUsage = Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>;

// bigint columns hold epoch milliseconds, well inside Number's safe range.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL: an idle pooled connection died (server restart, failover, terminated by an administrator). */
  onConnectionError?: (err: Error) => void;
}

export function openStore(opts: OpenOptions): StoreHandle {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // The pool drops such a connection and the next query opens a new one; without a listener the
    // error would be uncaught and end the process.
    pool.on('error', (err) => opts.onConnectionError?.(err));
    prepareStatements(pool);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(opts.dataDir, 'latchkey.db');
  const sqlite = new SQLite(file);
  // Hashes and sealed keys live here: readable by the server's user only.
  fs.chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Checkpoints run in a worker; this connection only checkpoints itself past ~40 MB of WAL.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const checkpointer = startCheckpointer(file);
  cacheStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db, dialect: 'sqlite',
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; parsing SQL costs more than running it on the hot paths
 * (refresh, introspection). better-sqlite3 runs statements synchronously, so one prepared
 * statement per distinct SQL text can be reused safely.
 */
function cacheStatements(sqlite: SQLite.Database, max = 500): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, SQLite.Statement>();
  sqlite.prepare = ((source: string) => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = prepare(source);
      if (cache.size >= max) cache.clear(); // queries with variable `in (...)` lists stay bounded
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof sqlite.prepare;
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
