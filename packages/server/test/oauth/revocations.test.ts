import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, createTestServer } from '../helpers/harness.js';
import { makeApp, clientCredentials, introspect, demo } from '../helpers/oauth.js';
import { RevokedAccessTokens } from '../../src/domain/tokens/revocations.js';

for (const backend of await backends()) {
  test(`revoked access tokens are checked in memory and read back from the store (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const hour = () => Date.now() + 3_600_000;

    await t.test("another process's revocation counts from the next look; this process's at once", async () => {
      // A long interval: nothing is read back unless asked, so each step below is deterministic.
      const list = new RevokedAccessTokens(s.store, 3_600_000);
      const [mine, theirs, late, expired] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      assert.equal(await list.has(theirs), false); // the first call looks (nothing stored yet)

      await s.store.replay.revokeAccessToken(tenant.id, theirs, hour());
      assert.equal(await list.has(theirs), false, 'not looked again yet');
      list.remember(mine, hour());
      assert.equal(await list.has(mine), true, 'a local revocation counts at once');
      await list.sync();
      assert.equal(await list.has(theirs), true);

      // A transaction that committed after the previous look although its timestamp is older
      // (or a host whose clock runs 30 s behind): still seen, thanks to the overlap.
      await s.store.replay.revokeAccessToken(tenant.id, late, hour(), Date.now() - 30_000);
      await s.store.replay.revokeAccessToken(tenant.id, expired, Date.now() - 1, Date.now());
      await list.sync();
      assert.equal(await list.has(late), true);
      assert.equal(await list.has(expired), false, 'an expired token needs no revocation entry');
      assert.equal(await list.has(randomUUID()), false);
    });

    await t.test(
      'a revocation written by another process makes introspection inactive within the interval',
      async () => {
        const app = await makeApp(s);
        const rs = await makeApp(s, { name: 'resource server', grantTypes: ['client_credentials'], scopes: [] });
        const at = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
        const intro = await introspect(s, rs.clientId, rs.clientSecret, at);
        assert.equal(intro.active, true);
        await s.store.replay.revokeAccessToken(tenant.id, intro.jti, (intro.exp + 60) * 1000);
        // The default interval is one second; give it ten before calling it broken.
        let active = true;
        for (let i = 0; i < 100 && active; i++) {
          active = (await introspect(s, rs.clientId, rs.clientSecret, at)).active;
          if (active) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(active, false);
      },
    );

    await t.test('a failed look fails the check instead of answering "not revoked"', async () => {
      const broken = new RevokedAccessTokens({
        replay: {
          revokedSince: async () => {
            throw new Error('database down');
          },
        },
      } as never);
      await assert.rejects(broken.has(randomUUID()), /database down/);
    });
  });
}
