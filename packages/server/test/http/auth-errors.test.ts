import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, bearer, login, problem } from '../helpers/api-client.js';
import { clientCredentials, passwordGrant } from '../helpers/oauth.js';

// Every 401 of the management API names its cause in `code`, so that clients know whether a new
// access token can mend it (token_expired, token_unknown_key) or not (everything else).
const INVALID_TOKEN = 'Bearer realm="latchkey", error="invalid_token"';

for (const backend of await backends()) {
  describe(`401 codes of the management API (${backend})`, () => {
    let s: TestServer;
    let admin: Awaited<ReturnType<typeof login>>;
    const me = (token: string) => as(s, { bearer: token }).request('GET', '/t/demo/api/v1/me');

    before(async () => {
      s = await createTestServer(backend);
      admin = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
    });
    after(() => s.close());

    test('no credentials, a malformed header, an expired token and a forged one each say so', async () => {
      const none = await as(s, null).request('GET', '/t/demo/api/v1/me');
      problem(none, 401, /sign in, or send an access token/, 'authentication_required');
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="latchkey"');

      const basic = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/me',
        headers: { authorization: 'Basic YTpi' },
      });
      problem(basic, 401, /must be "Bearer <access token>"/, 'authentication_required');
      const broken = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/me',
        headers: { authorization: 'Bearer "x"' },
      });
      problem(broken, 401, /must be "Bearer <access token>"/, 'token_invalid');
      assert.equal(broken.headers['www-authenticate'], INVALID_TOKEN);

      const expired = await bearer(s, 'demo', admin.userId, -60);
      const res = await me(expired);
      problem(res, 401, /^Expired access token/, 'token_expired');
      assert.equal(res.headers['www-authenticate'], INVALID_TOKEN);

      // A bad signature is invalid, however long ago the forged exp: only a genuine token is "expired".
      const [h, p, sig] = expired.split('.');
      const forged = `${h}.${p}.${sig!.slice(0, -4)}${sig!.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      const detail = problem(await me(forged), 401, undefined, 'token_invalid');
      assert.doesNotMatch(detail, /expired/i);
      problem(await me('not.a.jwt'), 401, undefined, 'token_invalid');
    });

    test('a revoked client, a disabled user and a withdrawn key: distinct codes and specific messages', async () => {
      const created = await as(s, admin).request('POST', '/t/demo/api/v1/me/oauth2-clients', {
        name: 'auth errors',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      assert.equal(created.statusCode, 201, created.body);
      const { id, clientId, clientSecret } = created.json();
      const cc = await clientCredentials(s, clientId, clientSecret);
      assert.equal(cc.statusCode, 200, cc.body);
      const clientToken = cc.json().access_token as string;
      assert.equal((await me(clientToken)).statusCode, 200);
      assert.equal((await as(s, admin).request('DELETE', `/t/demo/api/v1/me/oauth2-clients/${id}`)).statusCode, 204);
      const revoked = await me(clientToken);
      problem(
        revoked,
        401,
        /^the client of this access token can no longer be used: client has been revoked$/,
        'client_revoked',
      );
      assert.equal(revoked.headers['www-authenticate'], INVALID_TOKEN);
      assert.equal(
        (await s.store.clients.byClientId((await s.store.tenants.bySlug('demo'))!.id, clientId))?.status,
        'revoked',
      );

      const invited = await as(s, admin).request('POST', '/t/demo/api/v1/users', {
        email: 'disabled@demo.test',
        password: 'a long enough password',
      });
      assert.equal(invited.statusCode, 201, invited.body);
      const pg = await passwordGrant(s, 'disabled@demo.test', 'a long enough password');
      assert.equal(pg.statusCode, 200, pg.body);
      const userToken = pg.json().access_token as string;
      assert.equal(
        (await as(s, admin).request('PATCH', `/t/demo/api/v1/users/${invited.json().id}`, { status: 'disabled' }))
          .statusCode,
        200,
      );
      problem(await me(userToken), 401, /^the account is disabled or no longer exists$/, 'user_disabled');

      const fresh = await bearer(s, 'demo', admin.userId);
      assert.equal((await me(fresh)).statusCode, 200);
      const rotated = await as(s, admin).request('POST', '/t/demo/api/v1/signing-keys/rotate', { compromised: true });
      assert.equal(rotated.statusCode, 200, rotated.body);
      problem(await me(fresh), 401, /names a signing key this tenant does not publish/, 'token_unknown_key');
      // A new token works at once.
      assert.equal((await me(await bearer(s, 'demo', admin.userId))).statusCode, 200);
    });

    test('an ended console session', async () => {
      const res = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/me',
        cookies: { lk_session: 'lk_ss_nosuchsession' },
      });
      problem(res, 401, /session has expired or ended/, 'session_expired');
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="latchkey"');
    });
  });
}
