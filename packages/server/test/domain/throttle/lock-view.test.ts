import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { anotherProcessStore, backends, createTestServer, PG_ADMIN_URL } from '../../helpers/harness.js';
import type { Store } from '../../../src/store/index.js';
import { LISTENER_APPLICATION_NAME } from '../../../src/store/change-listener.js';
import { PgThrottleBackend } from '../../../src/store/throttle-pg.js';
import { SharedThrottleStore } from '../../../src/domain/throttle/shared-store.js';
import { LockViewThrottleStore } from '../../../src/domain/throttle/lock-view.js';
import { CredentialThrottle } from '../../../src/domain/throttle/credential-throttle.js';
import { CLIENT_THROTTLE } from '../../../src/domain/throttle/policies.js';
import type { ThrottleStore } from '../../../src/domain/throttle/store.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return Date.now() - started;
}

/** The client-secret throttle of one process on `store`, counting the checks that reach the database. */
function clientThrottle(store: Store, maxLocks?: number) {
  const shared = new SharedThrottleStore(new PgThrottleBackend(store.db));
  const counted = Object.create(shared) as ThrottleStore;
  const reads = { n: 0, clears: 0 };
  counted.lockedUntil = (key, now) => {
    reads.n++;
    return shared.lockedUntil(key, now);
  };
  counted.clear = (key) => {
    reads.clears++;
    return shared.clear(key);
  };
  const view = new LockViewThrottleStore(
    counted,
    store.feed,
    (change) => store.transaction(async (tx) => tx.changes.record(change)),
    maxLocks,
  );
  return { view, reads, throttle: new CredentialThrottle(view, CLIENT_THROTTLE) };
}

const lockOut = async (throttle: CredentialThrottle, subject: string, ip: string) => {
  for (let i = 0; i < CLIENT_THROTTLE.pair.limit; i++) await throttle.fail(subject, ip);
};

if ((await backends()).includes('postgres')) {
  test('client-secret locks known in memory: two processes on one PostgreSQL database', async (t) => {
    const a = await createTestServer('postgres');
    // B: its own store, feed and listener on the same database, as another process has.
    const other = anotherProcessStore(a.databaseUrl!);
    const { store: bStore, listener } = other;
    assert.equal(bStore.feed.connected, false, 'not connected before LISTEN');
    await listener.start();
    t.after(async () => {
      await other.close();
      await a.close();
    });
    const A = clientThrottle(a.store);
    const B = clientThrottle(bStore);
    const ip = '198.51.100.80';

    await t.test(
      'once loaded, a check reads no database; a lock set through A is refused by B within milliseconds',
      async () => {
        assert.equal(
          B.throttle.retryAfterNow('t1:lk_one', ip),
          undefined,
          'not answered at once before the view is complete',
        );
        assert.equal(await B.throttle.retryAfter('t1:lk_one', ip), 0);
        assert.ok(B.reads.n > 0, 'the first check read the store while the view loaded');
        await until('B answers from memory', () => B.view.answering);
        const before = B.reads.n;
        assert.equal(await B.throttle.retryAfter('t1:lk_one', ip), 0);
        assert.equal(B.throttle.retryAfterNow('t1:lk_one', ip), 0, 'answered at once');
        assert.equal(B.reads.n, before, 'no read');

        await lockOut(A.throttle, 't1:lk_one', ip);
        assert.ok((await A.throttle.retryAfter('t1:lk_one', ip)) > 0, 'A refuses at once');
        const delay = await until('B refuses', async () => (await B.throttle.retryAfter('t1:lk_one', ip)) > 0, 1000);
        assert.equal(B.reads.n, before, 'B learnt of the lock from the announcement, not by reading');
        assert.equal(await B.throttle.retryAfter('t1:lk_one', '198.51.100.81'), 0, 'other addresses are not locked');
        t.diagnostic(`lock seen by the other process after ${delay} ms`);
      },
    );

    await t.test('a success writes nothing, unless this process counted failures of the pair', async () => {
      await until('A answers from memory', async () => {
        await A.throttle.retryAfter('t1:warm', ip);
        return A.view.answering;
      });
      const clears = A.reads.clears;
      await A.throttle.succeed('t1:lk_fine', ip);
      assert.equal(A.reads.clears, clears, 'no failures counted here: nothing to clear');
      await A.throttle.fail('t1:lk_once', ip);
      await A.throttle.succeed('t1:lk_once', ip);
      assert.equal(A.reads.clears, clears + 1, 'the failure counted here is forgotten');
      await A.throttle.succeed('t1:lk_once', ip);
      assert.equal(A.reads.clears, clears + 1, 'and only once');
    });

    await t.test(
      "a lock announced while B's notification connection was down is found when it reconnects",
      async () => {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        const dbName = new URL(a.databaseUrl!).pathname.slice(1);
        await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2',
          [dbName, LISTENER_APPLICATION_NAME],
        );
        await admin.end();
        await until('B notices the lost connection', () => !bStore.feed.connected);
        assert.equal(B.view.answering, false);
        await lockOut(A.throttle, 't1:lk_two', ip); // announced while B does not listen
        const readsWhileDown = B.reads.n;
        // Until it reconnects and reloads, B asks the store, and so refuses too.
        if (!bStore.feed.connected) {
          assert.ok((await B.throttle.retryAfter('t1:lk_two', ip)) > 0);
          assert.ok(B.reads.n > readsWhileDown, 'read from the store while not connected');
        }
        await until('B listens again', () => bStore.feed.connected);
        await B.throttle.retryAfter('t1:lk_other', ip); // starts the reload
        await until('B answers from memory again', () => B.view.answering);
        const before = B.reads.n;
        assert.ok((await B.throttle.retryAfter('t1:lk_two', ip)) > 0, 'the lock it never heard of was loaded');
        assert.ok((await B.throttle.retryAfter('t1:lk_one', ip)) > 0, 'the earlier lock is still known');
        assert.equal(B.reads.n, before);
      },
    );

    await t.test('more locks than the view holds: checks go back to the store, and still refuse', async () => {
      const small = clientThrottle(a.store, 2);
      await small.throttle.retryAfter('t2:warm', ip);
      await until('the small view answers from memory', () => small.view.answering);
      for (const n of [1, 2, 3]) await lockOut(small.throttle, `t2:lk_${n}`, ip);
      assert.equal(small.view.answering, false, 'overflowed');
      const before = small.reads.n;
      for (const n of [1, 2, 3]) assert.ok((await small.throttle.retryAfter(`t2:lk_${n}`, ip)) > 0, `lk_${n} refused`);
      assert.ok(small.reads.n > before, 'answered by the store');
    });
  });
}
