import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import type { Announcement, Change } from '../../src/domain/changes.js';
import { encodeChanges, decodeChanges } from '../../src/store/change-notify.js';

const change = (clientId: string): Change => ({ type: 'client.changed', tenantId: 'changes-test', clientId });

for (const backend of await backends()) {
  test(`changes are announced after commit, never for a rollback (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const heard: Announcement[] = [];
    s.store.feed.subscribe((c) => {
      if (c.type === 'client.changed' && c.tenantId === 'changes-test') heard.push(c);
    });
    t.beforeEach(() => {
      heard.length = 0;
    });

    await t.test('delivered once the transaction has committed, nested transactions included', async () => {
      await s.store.transaction(async (tx) => {
        tx.changes.record(change('a'));
        await tx.transaction(async (inner) => inner.changes.record(change('b')));
        assert.deepEqual(heard, [], 'nothing before commit');
      });
      assert.deepEqual(heard, [change('a'), change('b')]);
    });

    await t.test('a transaction that rolls back announces nothing', async () => {
      await assert.rejects(
        s.store.transaction(async (tx) => {
          tx.changes.record(change('lost'));
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.deepEqual(heard, []);
    });

    await t.test('a change can only be recorded inside the transaction that makes it', () => {
      assert.throws(() => s.store.changes.record(change('x')), /inside the transaction/);
    });

    await t.test('a failing subscriber neither fails the write nor starves the others', async () => {
      const errors: unknown[] = [];
      s.store.feed.onListenerError((err) => errors.push(err));
      const stop = s.store.feed.subscribe(() => {
        throw new Error('subscriber bug');
      });
      try {
        await s.store.transaction(async (tx) => tx.changes.record(change('c')));
      } finally {
        stop();
      }
      assert.deepEqual(heard, [change('c')]);
      assert.ok(errors.length >= 1);
    });

    await t.test('a write through a use-case empties the cache entry it changed', async () => {
      const tenant = (await s.store.tenants.bySlug('demo'))!;
      const before = await s.services.tenants.get('demo');
      assert.equal(before!.accessTokenTtlSeconds, 3600);
      const { updateSettings } = await import('../../src/domain/tenants/settings.js');
      await updateSettings(s.store, tenant, { accessTokenTtlSeconds: 600 }, { type: 'system', id: null });
      assert.equal((await s.services.tenants.get('demo'))!.accessTokenTtlSeconds, 600);
    });
  });
}

test("notification payloads stay under PostgreSQL's limit and keep every change", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `family-${i}-${'x'.repeat(30)}`);
  const changes: Change[] = [
    { type: 'grant.ended', ids, until: 1 },
    ...Array.from({ length: 200 }, (_, i) => change(`c${i}`)),
  ];
  const payloads = encodeChanges('me', changes);
  assert.ok(payloads.length > 1);
  for (const p of payloads) assert.ok(Buffer.byteLength(p) < 8000, `${Buffer.byteLength(p)} bytes`);
  const back = payloads.flatMap((p) => decodeChanges(p)!.c);
  assert.deepEqual(
    back.flatMap((c) => (c.type === 'grant.ended' ? c.ids : [])),
    ids,
  );
  assert.equal(back.filter((c) => c.type === 'client.changed').length, 200);
  assert.equal(decodeChanges('not json'), null);
});
