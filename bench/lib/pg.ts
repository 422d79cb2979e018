// Scratch PostgreSQL databases for the bench (created empty, dropped afterwards even on error) and
// the growth curve's seeding: rows made by the database itself (generate_series), in batches inside
// one transaction, never through the HTTP API.
import pg from 'pg';
import { BenchError } from './errors.js';

const created = new Set<string>();
let counter = 0;

function withDatabase(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = '/' + db;
  return u.toString();
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  try {
    await c.connect();
  } catch (err) {
    throw new BenchError(
      `PostgreSQL at ${adminUrl} is not reachable (${(err as Error).message}); set BENCH_PG_URL or leave out the PostgreSQL parts (BENCH_ONLY)`,
    );
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** An empty database of its own; its URL. */
export async function scratchDatabase(adminUrl: string): Promise<string> {
  const name = `latchkey_bench_${process.pid}_${++counter}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  created.add(name);
  return withDatabase(adminUrl, name);
}

/** Drops every scratch database made by this run (closing whatever still uses them). */
export async function dropScratchDatabases(adminUrl: string): Promise<void> {
  if (created.size === 0) return;
  await admin(adminUrl, async (c) => {
    for (const name of [...created]) {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      created.delete(name);
    }
  });
}

export interface Seeded {
  clients: number;
  refreshTokens: number;
  seconds: number;
}

/**
 * Adds filler rows to tenant `demo` until it has `clients` seeded clients (apps without a secret)
 * and `refreshTokens` seeded refresh tokens (live, spread over the seeded clients, 4 per family):
 * generate_series in batches of 100,000 rows, all in one transaction, then VACUUM (ANALYZE) and CHECKPOINT.
 */
export async function seed(
  url: string,
  have: { clients: number; refreshTokens: number },
  want: { clients: number; refreshTokens: number },
): Promise<Seeded> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const started = performance.now();
  try {
    const t = await c.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'demo'`);
    const tenantId = t.rows[0]?.id;
    if (!tenantId) throw new BenchError('growth: tenant demo not found in the scratch database');
    const now = Date.now();
    const BATCH = 100_000;
    await c.query('BEGIN');
    for (let from = have.clients + 1; from <= want.clients; from += BATCH) {
      const to = Math.min(want.clients, from + BATCH - 1);
      await c.query(
        `INSERT INTO clients (id, tenant_id, client_id, kind, name, description, owner_user_id, secret_hash, secret_version,
          grant_types, scopes, jwks, status, expires_at, created_at, updated_at)
        SELECT 'seedc_' || g, $1, 'seed_' || g, 'app', 'seed ' || g, '', NULL, NULL, 1,
          '["client_credentials"]', '["myservices"]', NULL, 'active', NULL, $2::bigint, $2::bigint
        FROM generate_series($3::int, $4::int) g`,
        [tenantId, now, from, to],
      );
    }
    const clients = Math.max(1, want.clients);
    for (let from = have.refreshTokens + 1; from <= want.refreshTokens; from += BATCH) {
      const to = Math.min(want.refreshTokens, from + BATCH - 1);
      await c.query(
        `INSERT INTO refresh_tokens (id, tenant_id, token_hash, family_id, client_id, user_id, scope, secret_version, created_at, expires_at)
        SELECT 'seedr_' || g, $1, md5('seed' || g) || g, 'seedf_' || (g / 4), 'seedc_' || (g % $5::int + 1), NULL, 'myservices', 1,
          $2::bigint, $2::bigint + 86400000
        FROM generate_series($3::int, $4::int) g`,
        [tenantId, now, from, to, clients],
      );
    }
    await c.query('COMMIT');
    // A deployment gathers these rows over months; the bench writes them in seconds. Settle the
    // background work that bulk load leaves (the insert-driven autovacuum, the checkpoint of its WAL)
    // before measuring, or a stage measures the seeding's aftermath instead of the table's size.
    await c.query('VACUUM (ANALYZE) clients');
    await c.query('VACUUM (ANALYZE) refresh_tokens');
    await c.query('CHECKPOINT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
  return { clients: want.clients, refreshTokens: want.refreshTokens, seconds: (performance.now() - started) / 1000 };
}

export { withDatabase };
