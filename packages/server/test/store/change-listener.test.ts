import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { anotherProcessStore, backends, createTestServer } from '../helpers/harness.js';
import { makeApp, demo } from '../helpers/oauth.js';
import type { Store } from '../../src/store/index.js';
import { buildServices } from '../../src/services.js';
import { LISTENER_APPLICATION_NAME } from '../../src/store/change-listener.js';
import type { Announcement, Change } from '../../src/domain/changes.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Two stores on one PostgreSQL database, as two processes would have: A writes, B listens. */
if ((await backends()).includes('postgres')) {
  test('PostgreSQL change notifications between processes', async (t) => {
    const a = await createTestServer('postgres');
    const other = anotherProcessStore(a.databaseUrl!);
    const { store: b, listener } = other;
    const bCtx = buildServices(a.config, b, randomBytes(32));
    const heard: Announcement[] = [];
    b.feed.subscribe((c) => heard.push(c));
    await listener.start();
    t.after(async () => {
      await other.close();
      await a.close();
    });
    const marker = (clientId: string): Change => ({ type: 'client.changed', tenantId: 'listener-test', clientId });
    const heardMarker = (clientId: string) => heard.some((c) => c.type === 'client.changed' && c.clientId === clientId);
    const commit = (store: Store, change: Change) => store.transaction(async (tx) => tx.changes.record(change));

    await t.test('a committed change of another process is heard; a rolled-back one never', async () => {
      await assert.rejects(
        a.store.transaction(async (tx) => {
          tx.changes.record(marker('rolled-back'));
          throw new Error('refused');
        }),
        /refused/,
      );
      await commit(a.store, marker('committed'));
      // Notifications arrive in commit order: once the later one is here, the earlier would have been.
      await until('the committed change', () => heardMarker('committed'));
      assert.equal(heardMarker('rolled-back'), false);
    });

    await t.test(
      'a process applies its own change once (at commit), not again when its notification comes back',
      async () => {
        heard.length = 0;
        await commit(b, marker('mine'));
        await commit(a.store, marker('after-mine'));
        await until('the later change', () => heardMarker('after-mine'));
        assert.equal(heard.filter((c) => c.type === 'client.changed' && c.clientId === 'mine').length, 1);
      },
    );

    await t.test('the listening connection killed by the server is re-established and the caches flushed', async () => {
      const tenant = await demo(a);
      const app = await makeApp(a, { name: 'cached elsewhere' });
      assert.equal((await bCtx.clients.get(tenant.id, app.clientId))?.status, 'active', 'B caches the client');
      heard.length = 0;
      const admin = new pg.Client({ connectionString: a.databaseUrl });
      await admin.connect();
      try {
        const killed = await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        );
        assert.equal(killed.rowCount, 1);
        // A change B cannot hear: its connection is gone (and this one is not even announced).
        await a.store.db.updateTable('clients').set({ status: 'inactive' }).where('id', '=', app.id).execute();
        await until('reconnected', () => heard.some((c) => c.type === 'changes.missed'));
        const listening = await admin.query(
          'select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        );
        assert.equal(listening.rows[0].n, 1, 'listening again');
      } finally {
        await admin.end();
      }
      assert.equal(
        (await bCtx.clients.get(tenant.id, app.clientId))?.status,
        'inactive',
        'the cache was flushed, well before its TTL',
      );
      await commit(a.store, marker('after-reconnect'));
      await until('a change after reconnecting', () => heardMarker('after-reconnect'));
    });
  });
}
