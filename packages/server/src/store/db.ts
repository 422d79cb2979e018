import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { namedStatementClient } from './pg-named-statements.js';
import {
  CONNECT_TIMEOUT_MS,
  isUnavailableError,
  OutageTracker,
  StoreUnavailable,
  type OutageLog,
} from './availability.js';

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
  /** PostgreSQL: a pooled connection died, idle or in use (server restart, failover, terminated by an administrator). */
  onConnectionError?: (err: Error) => void;
  /** PostgreSQL: the database became unreachable, and answers again; each told once per outage. */
  onOutage?: OutageLog;
}

export function openStore(opts: OpenOptions): StoreHandle {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      Client: namedStatementClient(),
    });
    // pg-pool re-emits an idle connection's error here, and an 'error' event nobody listens to
    // ends the process; the connection's own listener (guardConnections) reports it.
    pool.on('error', () => {});
    guardConnections(
      pool,
      new OutageTracker(opts.onOutage ?? { down: () => {}, up: () => {} }),
      opts.onConnectionError,
    );
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
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * A connection can fail at any time, idle or in use: when PostgreSQL stops it ends every session
 * (57P01), a socket can be reset. pg then emits 'error' on the client, and the pool listens only
 * while the client is idle, so a client in use (between the statements of a transaction, or when
 * its socket closes) would end the process. Every client gets a listener for its whole life; a
 * failed client is no longer queryable and the pool drops it on release, so the next query opens a
 * new connection. Errors of connecting and of queries that mean the database is unreachable leave
 * the store as StoreUnavailable (one condition for every handler), and the outage is told once.
 */
function guardConnections(pool: pg.Pool, outage: OutageTracker, onConnectionError?: (err: Error) => void): void {
  const unavailable = (err: unknown): unknown => {
    if (!isUnavailableError(err)) return err;
    outage.failed(err as Error);
    return err instanceof StoreUnavailable ? err : new StoreUnavailable(err);
  };
  pool.on('connect', (client) => {
    outage.connected();
    let reported = false; // a client in use says it twice: the server's FATAL, then the socket's end
    client.on('error', (err) => {
      if (reported) return;
      reported = true;
      onConnectionError?.(err);
      if (isUnavailableError(err)) outage.failed(err);
    });
    // Wraps namedStatementClient's query, which so still sees the driver's own errors.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      return result instanceof Promise
        ? result.catch((err: unknown) => {
            throw unavailable(err);
          })
        : result;
    };
  });
  const connect = pool.connect.bind(pool) as (callback?: unknown) => Promise<pg.PoolClient> | undefined;
  (pool as { connect: unknown }).connect = (callback?: unknown) => {
    if (callback) return connect(callback);
    return connect()!.catch((err: unknown) => {
      throw unavailable(err);
    });
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
