import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { backends, createScratchDatabase, createTestServer, PG_ADMIN_URL } from '../helpers/harness.js';
import { makeApp } from '../helpers/oauth.js';
import { parsePrometheus, sampleValue } from '../helpers/prometheus.js';
import { sql } from 'kysely';
import { openStore, migrateToLatest, Store, StoreUnavailable } from '../../src/store/index.js';
import { freePort } from '../helpers/process.js';
import { until } from '../helpers/until.js';

test(
  'PostgreSQL: idle connections killed by the server are reported and replaced, the process goes on',
  {
    skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
  },
  async () => {
    const scratch = await createScratchDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pg-'));
    const reported: Error[] = [];
    const handle = openStore({ databaseUrl: scratch.url, dataDir, onConnectionError: (err) => reported.push(err) });
    try {
      await migrateToLatest(handle.db);
      const store = new Store(handle.db, handle.dialect);
      await Promise.all([store.ping(), store.ping(), store.ping()]); // a few pooled connections, now idle

      const dbName = new URL(scratch.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      const killed = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and backend_type = 'client backend'",
        [dbName],
      );
      await admin.end();
      assert.ok(killed.rowCount! >= 1);

      // Every idle connection hears of its end in its own time; wait for all of them.
      for (let i = 0; i < 250 && reported.length < killed.rowCount!; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(reported.length, killed.rowCount, 'the pool reported each dead connection');
      assert.match(reported[0].message, /terminat/);
      await store.ping(); // a fresh connection serves the next query
    } finally {
      await handle.close();
      await scratch.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'PostgreSQL: a connection killed while in use fails its transaction as StoreUnavailable, the outage is told once, the process goes on',
  {
    skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
  },
  async () => {
    const scratch = await createScratchDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pg-'));
    const told: string[] = [];
    const handle = openStore({
      databaseUrl: scratch.url,
      dataDir,
      onOutage: {
        down: (err) => told.push(`down: ${err.message}`),
        up: (_ms, failures) => told.push(`up after ${failures} failures`),
      },
    });
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    try {
      await migrateToLatest(handle.db);
      const store = new Store(handle.db, handle.dialect);
      await admin.connect();
      const failed = store.transaction(async (tx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
        // Ended by the server between two statements of the transaction: the connection is checked
        // out, so the pool does not listen to it; its 'error' event would end the process.
        await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
        // The connection hears of its end while checked out (and the process lives on): the outage is told.
        await until("the killed connection's error", () => told.length === 1);
        await tx.ping();
      });
      await assert.rejects(
        failed,
        (err: Error) => err instanceof StoreUnavailable && /terminat|not queryable/.test(err.message),
      );
      assert.equal(told.length, 1, 'told once, however many errors the dead connection raised');
      assert.match(told[0], /^down: .*terminat/);
      await store.ping(); // a fresh connection serves the next query
      assert.equal(told.length, 2, 'and the end of the outage');
      assert.match(told[1], /^up after \d+ failures$/);
    } finally {
      await admin.end().catch(() => {});
      await handle.close();
      await scratch.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'PostgreSQL: a database nobody answers for fails fast as StoreUnavailable',
  {
    skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
  },
  async () => {
    // A loopback port nobody listens on (taken, then released).
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-pg-'));
    const handle = openStore({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`, dataDir });
    try {
      const store = new Store(handle.db, handle.dialect);
      await assert.rejects(
        store.ping(),
        (err: Error) => err instanceof StoreUnavailable && /ECONNREFUSED/.test(err.message),
      );
      await assert.rejects(
        store.transaction(async (tx) => tx.ping()),
        StoreUnavailable,
      );
    } finally {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'PostgreSQL: uses recorded while the database refuses connections are written, first use audited, by the next flush; the failed flush is counted on /metrics',
  {
    skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
  },
  async () => {
    const s = await createTestServer('postgres');
    const dbName = new URL(s.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const allow = (yes: boolean) => admin.query(`alter database ${dbName} allow_connections ${yes}`);
    try {
      const app = await makeApp(s, { name: 'first used during an outage' });
      // This database only: no new connection is accepted, and the pool's are ended.
      await allow(false);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [dbName]);
      for (let i = 0; i < 100; i++) {
        if (
          (await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [dbName])).rows[0]
            .n === 0
        )
          break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const flushFailures = async () =>
        sampleValue(
          parsePrometheus((await s.app.inject({ method: 'GET', url: '/metrics' })).body),
          'latchkey_usage_flush_failures_total',
        );
      assert.equal(await flushFailures(), 0);
      s.services.usage.touch(app.client, { address: '192.0.2.7', userAgent: 'outage-test' });
      await s.services.usage.flush(); // fails: the database refuses
      assert.equal(await flushFailures(), 1);
      await allow(true);
      const row = () =>
        s.store.db
          .selectFrom('clients')
          .select(['first_used_at', 'last_used_address'])
          .where('id', '=', app.id)
          .executeTakeFirstOrThrow();
      const audited = async () =>
        (
          await s.store.db
            .selectFrom('audit_events')
            .select('id')
            .where('action', '=', 'client.first_used')
            .where('target_id', '=', app.id)
            .execute()
        ).length;
      assert.deepEqual(
        await row(),
        { first_used_at: null, last_used_address: null },
        'nothing was written while it refused',
      );
      await s.services.usage.flush();
      const after = await row();
      assert.ok(after.first_used_at !== null, 'the kept use was written');
      assert.equal(after.last_used_address, '192.0.2.7');
      assert.equal(await audited(), 1, 'and its first use audited once');
      assert.equal(await flushFailures(), 1, 'a flush that succeeds is not counted');
    } finally {
      await allow(true).catch(() => {});
      await admin.end();
      await s.close();
    }
  },
);
