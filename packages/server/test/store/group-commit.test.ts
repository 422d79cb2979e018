import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestServer } from '../helpers/harness.js';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { Store } from '../../src/store/index.js';
import type { Announcement } from '../../src/domain/changes.js';

for (const backend of await backends()) {
  test(`group commit (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    // Counts the transactions the group commit opens.
    let transactions = 0;
    const counting = Object.create(s.store) as Store;
    counting.transaction = (fn) => {
      transactions++;
      return s.store.transaction(fn);
    };
    const group = new GroupCommit(counting);
    const exp = Date.now() + 60_000;
    const isUsed = async (jti: string) => !(await s.store.replay.useAssertion('probe', jti, exp));

    await t.test('operations that arrive together share one transaction and decide races in order', async () => {
      const jti = randomUUID();
      const results = await Promise.all([1, 2, 3].map(() => group.run((tx) => tx.replay.useAssertion('c', jti, exp))));
      assert.deepEqual(results, [true, false, false]);
      assert.equal(transactions, 1);
    });

    await t.test('a failing operation fails alone: the others are committed, its own writes are not', async () => {
      transactions = 0;
      const [a, bad, c] = [randomUUID(), randomUUID(), randomUUID()];
      const outcomes = await Promise.allSettled([
        group.run((tx) => tx.replay.useAssertion('probe', a, exp)),
        group.run(async (tx) => {
          await tx.replay.useAssertion('probe', bad, exp);
          throw new Error('refused');
        }),
        group.run((tx) => tx.replay.useAssertion('probe', c, exp)),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal((outcomes[0] as PromiseFulfilledResult<boolean>).value, true);
      assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /refused/);
      assert.equal((outcomes[2] as PromiseFulfilledResult<boolean>).value, true);
      assert.equal(transactions, 4, 'the group, then each operation alone');
      assert.equal(await isUsed(bad), false, 'the write of the failing operation was rolled back');
      // The others' writes are stored exactly once (the retry saw them as new, since the group rolled back).
      assert.equal(await isUsed(a), true);
      assert.equal(await isUsed(c), true);
    });

    await t.test(
      'a group that rolls back announces nothing: each retry that commits announces its own change once',
      async () => {
        const heard: Announcement[] = [];
        const stop = s.store.feed.subscribe((c) => {
          if (c.type === 'client.changed' && c.tenantId === 'group') heard.push(c);
        });
        t.after(stop);
        const change = (clientId: string) => ({ type: 'client.changed' as const, tenantId: 'group', clientId });
        const outcomes = await Promise.allSettled([
          group.run(async (tx) => {
            tx.changes.record(change('a'));
            await tx.replay.useAssertion('probe', randomUUID(), exp);
          }),
          group.run(async (tx) => {
            tx.changes.record(change('bad'));
            throw new Error('refused');
          }),
          group.run(async (tx) => {
            tx.changes.record(change('c'));
            await tx.replay.useAssertion('probe', randomUUID(), exp);
          }),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ['fulfilled', 'rejected', 'fulfilled'],
        );
        assert.deepEqual(heard, [change('a'), change('c')]);
      },
    );
  });
}
