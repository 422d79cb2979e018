import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestServer } from '../helpers/harness.js';
import { demo, makeApp } from '../helpers/oauth.js';
import type { RefreshTokenRecord } from '../../src/domain/tokens/model.js';

// Rotations and lookups made together (under load, many arrive in the same turn of the event loop):
// every caller gets exactly its own answer, and of two rotations of one token exactly one wins.
for (const backend of await backends()) {
  test(`refresh tokens rotated and looked up together (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const app = await makeApp(s);
    const repo = s.store.refreshTokens;
    const record = (familyId = randomUUID()): RefreshTokenRecord => {
      const now = Date.now();
      return {
        id: randomUUID(),
        tenantId: tenant.id,
        tokenHash: randomUUID(),
        familyId,
        clientId: app.id,
        userId: null,
        scope: 'a b',
        secretVersion: 1,
        createdAt: now,
        expiresAt: now + 60_000,
        rotatedAt: null,
        revokedAt: null,
        successorId: null,
        answerSealed: null,
        answerUntil: null,
      };
    };
    const stored = async (n: number) => {
      const rs = Array.from({ length: n }, () => record());
      for (const r of rs) await repo.insert(r);
      return rs;
    };
    // The store's own statements, in a transaction, run one at a time: the batches are for the root store.
    const rotate = (r: RefreshTokenRecord, successor = record(r.familyId), answer: string | null = null) =>
      (repo.rotatesAlone
        ? repo.rotate(r.id, Date.now(), successor, answer, answer ? Date.now() + 1000 : null)
        : s.store.transaction((tx) =>
            tx.refreshTokens.rotate(r.id, Date.now(), successor, answer, answer ? Date.now() + 1000 : null),
          )
      ).then((won) => ({ won, successor }));

    await t.test(
      'each of several rotations made together wins, marks its token and stores its own successor',
      async () => {
        const tokens = await stored(5);
        const results = await Promise.all(tokens.map((r, i) => rotate(r, undefined, i % 2 ? `sealed-${i}` : null)));
        assert.deepEqual(
          results.map((r) => r.won),
          [true, true, true, true, true],
        );
        for (const [i, r] of tokens.entries()) {
          const old = await repo.byId(tenant.id, r.id);
          assert.equal(old?.successorId, results[i].successor.id);
          assert.ok(old?.rotatedAt);
          assert.equal(old?.answerSealed, i % 2 ? `sealed-${i}` : null);
          const next = await repo.byId(tenant.id, results[i].successor.id);
          assert.deepEqual(next, results[i].successor);
        }
      },
    );

    await t.test(
      'of rotations of one token made together exactly one wins; a rotated token among others loses alone',
      async () => {
        const [a, b, c] = await stored(3);
        assert.equal((await rotate(b)).won, true);
        const [a1, a2, b1, c1, a3] = await Promise.all([rotate(a), rotate(a), rotate(b), rotate(c), rotate(a)]);
        assert.equal(b1.won, false, 'b was rotated before');
        assert.equal(c1.won, true);
        const ofA = [a1, a2, a3].filter((r) => r.won);
        assert.equal(ofA.length, 1, 'exactly one rotation of a');
        const winner = ofA[0];
        const results = [a1, a2, b1, c1, a3];
        assert.equal((await repo.byId(tenant.id, a.id))?.successorId, winner.successor.id);
        for (const [i, r] of results.entries()) {
          if (!r.won)
            assert.equal(
              await repo.byId(tenant.id, r.successor.id),
              undefined,
              `no successor stored for the loser ${i}`,
            );
        }
      },
    );

    await t.test('lookups made together each get their own token, none of another tenant', async () => {
      const tokens = await stored(4);
      const found = await Promise.all([
        ...tokens.map((r) => repo.byHash(tenant.id, r.tokenHash)),
        repo.byHash('another-tenant', tokens[0].tokenHash),
        repo.byHash(tenant.id, 'no-such-hash'),
      ]);
      assert.deepEqual(
        found.slice(0, 4).map((r) => r?.id),
        tokens.map((r) => r.id),
      );
      assert.deepEqual(found.slice(4), [undefined, undefined]);
    });
  });
}
