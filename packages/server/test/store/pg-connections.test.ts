import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { backends, createScratchDatabase, PG_ADMIN_URL } from '../helpers/harness.js';
import { openStore, migrateToLatest, Store } from '../../src/store/index.js';

test('PostgreSQL: idle connections killed by the server are reported and replaced, the process goes on', {
  skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
}, async () => {
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
    const killed = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and backend_type = 'client backend'", [dbName]);
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
});
