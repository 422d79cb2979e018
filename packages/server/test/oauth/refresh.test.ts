import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic } from '../helpers/harness.js';
import { makeApp, token, passwordGrant, introspect, demo } from '../helpers/oauth.js';
import { issueTokens } from '../../src/domain/tokens/issue.js';

for (const backend of await backends()) {
  test(`refresh tokens rotate (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);
    const auth = { authorization: basic(app.clientId, app.clientSecret) };
    const seed = async (scopes = ['metering', 'myservices']) =>
      (await issueTokens(s.services, await demo(s), { client: app.client, userId: null, scopes, withRefresh: true }))
        .refresh_token!;

    await t.test('each refresh returns a new token and kills the old one', async () => {
      const rt0 = await seed();
      const r1 = await token(s, { grant_type: 'refresh_token', refresh_token: rt0 }, auth);
      assert.equal(r1.statusCode, 200, r1.body);
      const b1 = r1.json();
      assert.equal(b1.token_type, 'Bearer');
      assert.equal(b1.expires_in, 3600);
      assert.notEqual(b1.refresh_token, rt0);
      assert.equal(b1.scope, 'metering myservices');
      const r2 = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: b1.refresh_token, scope: 'metering' },
        auth,
      );
      assert.equal(r2.statusCode, 200, r2.body);
      assert.equal(r2.json().scope, 'metering');
      const wider = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: r2.json().refresh_token, scope: 'metering myservices' },
        auth,
      );
      assert.equal(wider.statusCode, 400);
      assert.equal(wider.json().error, 'invalid_scope');
      // The refused attempt changed nothing: the token still works.
      const again = await token(s, { grant_type: 'refresh_token', refresh_token: r2.json().refresh_token }, auth);
      assert.equal(again.statusCode, 200, again.body);
    });

    await t.test('replaying a rotated token whose successor was used revokes the whole family', async () => {
      const rt0 = await seed();
      const r1 = (
        await token(
          s,
          {
            grant_type: 'refresh_token',
            refresh_token: (await token(s, { grant_type: 'refresh_token', refresh_token: rt0 }, auth)).json()
              .refresh_token,
          },
          auth,
        )
      ).json();
      const replay = await token(s, { grant_type: 'refresh_token', refresh_token: rt0 }, auth);
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().error, 'invalid_grant');
      const victim = await token(s, { grant_type: 'refresh_token', refresh_token: r1.refresh_token }, auth);
      assert.equal(victim.statusCode, 400, 'the thief and the victim both lose the family');
      assert.equal((await introspect(s, app.clientId, app.clientSecret, r1.refresh_token)).active, false);
      const events = await s.store.audit.list((await demo(s)).id, { action: 'refresh_token.reuse_detected' }, 10);
      assert.equal(events.length, 1);
    });

    await t.test(
      'concurrent refreshes with one token: exactly one rotation, every caller gets its answer',
      async () => {
        for (let round = 0; round < 5; round++) {
          const rt = await seed();
          const results = await Promise.all(
            [1, 2, 3].map(() => token(s, { grant_type: 'refresh_token', refresh_token: rt }, auth)),
          );
          for (const r of results) assert.equal(r.statusCode, 200, r.body);
          assert.equal(new Set(results.map((r) => r.body)).size, 1, 'one answer');
          const family = await s.store.refreshTokens.byHash((await demo(s)).id, s.services.hasher.hash(rt));
          const members = await s.store.db
            .selectFrom('refresh_tokens')
            .selectAll()
            .where('family_id', '=', family!.familyId)
            .execute();
          assert.equal(members.length, 2, 'the seed and exactly one successor');
        }
      },
    );

    await t.test('a token of another client, an unknown or an expired token is invalid_grant', async () => {
      const other = await makeApp(s, { name: 'other' });
      const rt = await seed();
      let r = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: rt },
        { authorization: basic(other.clientId, other.clientSecret) },
      );
      assert.equal(r.json().error, 'invalid_grant');
      r = await token(s, { grant_type: 'refresh_token', refresh_token: 'lk_rt_unknown' }, auth);
      assert.equal(r.json().error, 'invalid_grant');
      r = await token(s, { grant_type: 'refresh_token' }, auth);
      assert.equal(r.json().error, 'invalid_request');
      const expired = await seed();
      await s.store.db
        .updateTable('refresh_tokens')
        .set({ expires_at: Date.now() - 1 })
        .where('token_hash', '=', s.services.hasher.hash(expired))
        .execute();
      r = await token(s, { grant_type: 'refresh_token', refresh_token: expired }, auth);
      assert.equal(r.json().error, 'invalid_grant');
    });

    await t.test('the SDK public client refreshes a password-grant token without a secret', async () => {
      const p = (await passwordGrant(s)).json();
      const r = await token(s, {
        grant_type: 'refresh_token',
        client_id: 'latchkey-sdk',
        refresh_token: p.refresh_token,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(r.json().refresh_token, /^lk_rt_/);
    });

    await t.test('disabling the user kills their refresh tokens and access tokens', async () => {
      const tenant = await demo(s);
      const { createUser, updateUser } = await import('../../src/domain/users/service.js');
      const u = await createUser(
        s.store,
        tenant,
        { email: 'dev@demo.test', displayName: 'Dev', password: 'a long enough password' },
        { type: 'system', id: null },
      );
      const p = (await passwordGrant(s, 'dev@demo.test', 'a long enough password')).json();
      assert.equal((await introspect(s, app.clientId, app.clientSecret, p.access_token)).active, true);
      await updateUser(s.store, tenant, u.id, { status: 'disabled' }, { type: 'system', id: null });
      assert.equal((await introspect(s, app.clientId, app.clientSecret, p.access_token)).active, false);
      const r = await token(s, {
        grant_type: 'refresh_token',
        client_id: 'latchkey-sdk',
        refresh_token: p.refresh_token,
      });
      assert.equal(r.json().error, 'invalid_grant');
    });
  });
}
