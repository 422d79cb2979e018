import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import { prepared } from '../../src/store/prepared.js';
import { orderedUuid } from '../../src/lib/ordered-id.js';

for (const backend of await backends()) {
  test(`prepared queries run with new values each call (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const bySlug = prepared(1, (db, slug: string) =>
      db.selectFrom('tenants').select(['id', 'slug']).where('slug', '=', slug).limit(1),
    );
    const rename = prepared(2, (db, id: string, name: string) =>
      db.updateTable('tenants').set({ name }).where('id', '=', id),
    );

    const demo = (await bySlug(s.store.db, 'demo')).rows;
    assert.equal(demo.length, 1);
    assert.equal(demo[0].slug, 'demo');
    assert.deepEqual((await bySlug(s.store.db, 'nobody')).rows, [], 'the second call binds its own value');
    // Inside a transaction, on the transaction's connection; a constant (the limit) stays bound.
    await s.store.transaction(async (tx) => {
      assert.equal(Number((await rename(tx.db, demo[0].id, 'Renamed')).numAffectedRows), 1);
      assert.equal((await bySlug(tx.db, 'demo')).rows[0].id, demo[0].id);
    });
    const row = await s.store.db
      .selectFrom('tenants')
      .select('name')
      .where('id', '=', demo[0].id)
      .executeTakeFirstOrThrow();
    assert.equal(row.name, 'Renamed');
    assert.equal(Number((await rename(s.store.db, 'no-such-id', 'x')).numAffectedRows), 0);

    // An argument that does not reach the SQL as a parameter is refused, not silently ignored.
    const unused = prepared(2, (db, slug: string, _ignored: string) =>
      db.selectFrom('tenants').select('id').where('slug', '=', slug),
    );
    await assert.rejects(unused(s.store.db, 'demo', 'x'), /argument 1 is not a bound parameter/);
  });
}

test('ordered ids are RFC 9562 version 7 UUIDs that sort by creation time', () => {
  const a = orderedUuid(1_700_000_000_000);
  const b = orderedUuid(1_700_000_000_001);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(a.slice(0, 13), '018bcfe5-6800');
  assert.ok(a < b);
  assert.notEqual(orderedUuid(5), orderedUuid(5));
});
