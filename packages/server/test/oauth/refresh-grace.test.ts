import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic } from '../helpers/harness.js';
import { makeApp, token, introspect, demo, changeTenant } from '../helpers/oauth.js';
import { generateAppTokens } from '../../src/domain/tokens/app-tokens.js';

// A dropped response or two parallel refreshes must not destroy a grant: the just-rotated token,
// presented again by its client while its successor is unused, gets the very same answer.
for (const backend of await backends()) {
  test(`refresh rotation is idempotent for a grace window (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);
    const auth = { authorization: basic(app.clientId, app.clientSecret) };
    const tokFile = async () =>
      (
        await generateAppTokens(
          s.services,
          await demo(s),
          app.id,
          { scopes: ['myservices'], includeRefreshToken: true },
          { type: 'system', id: null },
        )
      ).refresh_token!;
    const refresh = (rt: string, headers = auth) =>
      token(s, { grant_type: 'refresh_token', refresh_token: rt }, headers);
    const row = async (rt: string) =>
      s.store.db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', s.services.hasher.hash(rt))
        .executeTakeFirstOrThrow();

    await t.test('a retry after a lost response gets the very same answer, and the grant lives on', async () => {
      const rt0 = await tokFile();
      const first = await refresh(rt0);
      assert.equal(first.statusCode, 200, first.body);
      const retry = await refresh(rt0);
      assert.equal(retry.statusCode, 200, retry.body);
      assert.deepEqual(retry.json(), first.json(), 'the same access token and the same successor');
      assert.equal((await introspect(s, app.clientId, app.clientSecret, first.json().access_token)).active, true);
      const next = await refresh(first.json().refresh_token);
      assert.equal(next.statusCode, 200, next.body);
      // The stored answer is sealed: no plaintext successor in the row.
      const stored = await row(rt0);
      assert.ok(stored.answer_sealed === null || !stored.answer_sealed.includes(first.json().refresh_token));
    });

    await t.test("parallel refreshes of one token all get the winner's answer", async () => {
      for (let round = 0; round < 10; round++) {
        const rt = await tokFile();
        const results = await Promise.all([1, 2, 3].map(() => refresh(rt)));
        for (const r of results) assert.equal(r.statusCode, 200, r.body);
        const bodies = results.map((r) => r.json());
        assert.deepEqual(bodies[1], bodies[0]);
        assert.deepEqual(bodies[2], bodies[0]);
        const successor = await refresh(bodies[0].refresh_token);
        assert.equal(
          successor.statusCode,
          200,
          `round ${round}: the winner's successor still works: ${successor.body}`,
        );
        const members = await s.store.db
          .selectFrom('refresh_tokens')
          .select('id')
          .where('family_id', '=', (await row(rt)).family_id)
          .execute();
        assert.equal(members.length, 3, 'the seed, one successor, and its own successor');
      }
    });

    await t.test('once the successor was used, the old token is reuse: the family dies', async () => {
      const rt0 = await tokFile();
      const r1 = (await refresh(rt0)).json();
      const r2 = (await refresh(r1.refresh_token)).json();
      const replay = await refresh(rt0);
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().error, 'invalid_grant');
      assert.equal((await refresh(r2.refresh_token)).json().error, 'invalid_grant', 'the whole family is revoked');
      assert.equal((await row(rt0)).answer_sealed, null, 'the kept answer is deleted with the family');
    });

    await t.test('after the window it is reuse, and the kept answer is swept', async () => {
      const rt0 = await tokFile();
      const r1 = (await refresh(rt0)).json();
      assert.notEqual((await row(rt0)).answer_sealed, null);
      // Move the rotation 61 s into the past (the default window is 60 s).
      await s.store.db
        .updateTable('refresh_tokens')
        .set((eb) => ({ rotated_at: eb('rotated_at', '-', 61_000), answer_until: eb('answer_until', '-', 61_000) }))
        .where('token_hash', '=', s.services.hasher.hash(rt0))
        .execute();
      await s.store.refreshTokens.forgetAnswers(Date.now());
      assert.equal((await row(rt0)).answer_sealed, null, 'swept once the window is over');
      const replay = await refresh(rt0);
      assert.equal(replay.json().error, 'invalid_grant');
      assert.equal((await refresh(r1.refresh_token)).json().error, 'invalid_grant', 'reuse revoked the family');
    });

    await t.test('another client presenting the token gets nothing', async () => {
      const other = await makeApp(s, { name: 'other' });
      const rt0 = await tokFile();
      const r1 = (await refresh(rt0)).json();
      const stolen = await refresh(rt0, { authorization: basic(other.clientId, other.clientSecret) });
      assert.equal(stolen.statusCode, 400);
      assert.equal(stolen.json().error, 'invalid_grant');
      assert.doesNotMatch(stolen.body, /lk_rt_/);
      assert.equal((await refresh(r1.refresh_token)).statusCode, 200);
    });

    await t.test('the window is a tenant setting; 0 turns it off', async () => {
      await changeTenant(s, { refreshTokenGraceSeconds: 0 });
      const rt0 = await tokFile();
      const r1 = (await refresh(rt0)).json();
      assert.equal((await row(rt0)).answer_sealed, null, 'nothing kept');
      assert.equal((await refresh(rt0)).json().error, 'invalid_grant');
      assert.equal((await refresh(r1.refresh_token)).json().error, 'invalid_grant');
      await changeTenant(s, { refreshTokenGraceSeconds: 60 });
    });
  });
}
