import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { makeApp, introspect, demo } from '../helpers/oauth.js';
import { as, login, problem } from '../helpers/api-client.js';
import { signAccessToken } from '../../src/domain/tokens/access-token.js';

const TEN_YEARS = 10 * 365 * 86_400;

// A leaked signing key lets anyone sign any claims. The server bounds what it accepts by the
// tenant's access-token lifetime, on the first use and on every later (cached) one.
for (const backend of await backends()) {
  test(`access tokens whose lifetime exceeds the tenant's are refused (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const admin = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
    const rs = await makeApp(s);
    const issuer = s.services.issuer(tenant);
    const key = await s.services.keys.active(tenant);
    // Signed with the tenant's real active key, as a holder of the leaked key would.
    const forge = (claims: { ttlSeconds: number; iatOffset?: number }) => {
      const realNow = Date.now;
      Date.now = () => realNow() + (claims.iatOffset ?? 0) * 1000;
      try {
        return signAccessToken(key, {
          issuer,
          subject: admin.userId,
          audience: issuer,
          clientId: 'latchkey-sdk',
          scope: '',
          ttlSeconds: claims.ttlSeconds,
        }).token;
      } finally {
        Date.now = realNow;
      }
    };
    const me = (tok: string) => as(s, { bearer: tok }).request('GET', '/t/demo/api/v1/me');

    await t.test('a ten-year token is refused at the management API and by introspection', async () => {
      const forged = forge({ ttlSeconds: TEN_YEARS });
      problem(await me(forged), 401, /invalid/, 'token_invalid');
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, forged)).active, false);
    });

    await t.test('a token issued in the future is refused, even with an ordinary lifetime', async () => {
      const forged = forge({ ttlSeconds: 3600, iatOffset: 3600 });
      problem(await me(forged), 401, undefined, 'token_invalid');
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, forged)).active, false);
    });

    await t.test(
      'the tenant lifetime is the bound: 3,600 s plus a few seconds of skew pass, more does not',
      async () => {
        const ok = forge({ ttlSeconds: 3600 });
        assert.equal((await me(ok)).statusCode, 200);
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, ok)).active, true);
        const tooLong = forge({ ttlSeconds: 3600 + 120 });
        problem(await me(tooLong), 401, undefined, 'token_invalid');
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, tooLong)).active, false);
      },
    );

    await t.test('a raised tenant lifetime admits tokens issued under it', async () => {
      const patch = await as(s, admin).request('PATCH', '/t/demo/api/v1/settings', { accessTokenTtlSeconds: 7200 });
      assert.equal(patch.statusCode, 200, patch.body);
      const longer = forge({ ttlSeconds: 7200 });
      assert.equal((await me(longer)).statusCode, 200);
      problem(await me(forge({ ttlSeconds: 7200 + 120 })), 401, undefined, 'token_invalid');
    });
  });
}
