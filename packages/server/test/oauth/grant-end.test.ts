import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { backends, createTestServer, basic, ADMIN_EMAIL } from '../helpers/harness.js';
import { makeApp, token, introspect, passwordGrant, clientCredentials, demo } from '../helpers/oauth.js';
import { as } from '../helpers/api-client.js';
import { generateAppTokens } from '../../src/domain/tokens/app-tokens.js';
import { createUser } from '../../src/domain/users/service.js';
import { createPersonalClient } from '../../src/domain/clients/personal.js';

// "Every token of this grant has been revoked" must hold for access tokens too (at introspection
// and at the management API, at once), and a password change, reset or disable ends the
// password-grant refresh tokens for good. Tokens never outlive their client.
for (const backend of await backends()) {
  test(`ending a grant ends its access tokens; tokens never outlive their client (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const api = await makeApp(s, { name: 'resource api' }); // introspects as a resource server would
    const active = async (tok: string) => (await introspect(s, api.clientId, api.clientSecret, tok)).active;
    const me = (tok: string) => as(s, { bearer: tok }).request('GET', '/t/demo/api/v1/me');
    const sdkRefresh = (rt: string) =>
      token(s, { grant_type: 'refresh_token', client_id: 'latchkey-sdk', refresh_token: rt });
    const admin = (await passwordGrant(s)).json().access_token as string;
    let n = 0;
    const newUser = async () => {
      const email = `dev${++n}@demo.test`;
      const u = await createUser(
        s.store,
        await demo(s),
        { email, displayName: 'Dev', password: 'a long enough password' },
        { type: 'system', id: null },
      );
      const grant = (await passwordGrant(s, email, 'a long enough password')).json();
      assert.ok(grant.refresh_token);
      return { id: u.id, email, grant };
    };

    await t.test('reuse detection: every access token of the family is dead at once', async () => {
      const p0 = (await passwordGrant(s)).json();
      const p1 = (await sdkRefresh(p0.refresh_token)).json();
      const p2 = (await sdkRefresh(p1.refresh_token)).json();
      assert.equal(await active(p2.access_token), true);
      assert.equal((await sdkRefresh(p0.refresh_token)).json().error, 'invalid_grant'); // replay: reuse
      for (const at of [p0.access_token, p1.access_token, p2.access_token]) assert.equal(await active(at), false);
      assert.equal((await me(p2.access_token)).statusCode, 401);
      assert.equal((await me(admin)).statusCode, 200, 'another grant of the same user is untouched');
    });

    await t.test('revoking a refresh token ends the access tokens of its grant', async () => {
      const p = (await passwordGrant(s)).json();
      const r = await s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `client_id=latchkey-sdk&token=${p.refresh_token}`,
      });
      assert.equal(r.statusCode, 200);
      assert.equal(await active(p.access_token), false);
      assert.equal((await me(p.access_token)).statusCode, 401);
    });

    await t.test("secret regeneration: every access token of the app's old secret is dead", async () => {
      const app = await makeApp(s, { name: 'reports' });
      const tok = await generateAppTokens(
        s.services,
        await demo(s),
        app.id,
        { scopes: ['myservices'], includeRefreshToken: true },
        { type: 'system', id: null },
      );
      const refreshed = (
        await token(
          s,
          { grant_type: 'refresh_token', refresh_token: tok.refresh_token },
          { authorization: basic(app.clientId, app.clientSecret) },
        )
      ).json();
      assert.equal(await active(refreshed.access_token), true);
      const own = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      assert.equal(await active(own), true);
      const regen = await as(s, { bearer: admin }).request('POST', `/t/demo/api/v1/apps/${app.id}/secret`);
      assert.equal(regen.statusCode, 200, regen.body);
      assert.equal(await active(tok.app_access_token), false, "the .tok file's access token");
      assert.equal(await active(refreshed.access_token), false, 'the refreshed access token');
      assert.equal(await active(own), false, 'a client_credentials token of the old secret');
      const renewed = (await clientCredentials(s, app.clientId, regen.json().clientSecret)).json().access_token;
      assert.equal(await active(renewed), true, "the new secret's tokens work");
    });

    await t.test("a password reset by a manager ends the user's password-grant tokens", async () => {
      const u = await newUser();
      const r = await as(s, { bearer: admin }).request('PATCH', `/t/demo/api/v1/users/${u.id}`, {
        password: 'another long password',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await sdkRefresh(u.grant.refresh_token)).json().error, 'invalid_grant');
      assert.equal(await active(u.grant.access_token), false);
      assert.equal((await me(u.grant.access_token)).statusCode, 401);
      const fresh = await passwordGrant(s, u.email, 'another long password');
      assert.equal(fresh.statusCode, 200, 'the new password works at once');
      assert.equal(await active(fresh.json().access_token), true);
      assert.equal((await me(fresh.json().access_token)).statusCode, 200);
    });

    await t.test('disabled then enabled: the old grant stays dead', async () => {
      const u = await newUser();
      const admins = as(s, { bearer: admin });
      assert.equal(
        (await admins.request('PATCH', `/t/demo/api/v1/users/${u.id}`, { status: 'disabled' })).statusCode,
        200,
      );
      assert.equal(
        (await admins.request('PATCH', `/t/demo/api/v1/users/${u.id}`, { status: 'active' })).statusCode,
        200,
      );
      assert.equal(await active(u.grant.access_token), false);
      assert.equal((await me(u.grant.access_token)).statusCode, 401);
      assert.equal((await sdkRefresh(u.grant.refresh_token)).json().error, 'invalid_grant');
      const stored = await s.store.refreshTokens.byHash(
        (await demo(s)).id,
        s.services.hasher.hash(u.grant.refresh_token),
      );
      assert.notEqual(stored!.revokedAt, null, 'revoked in the store, not only refused');
    });

    await t.test('a personal client that expires in 75 s issues tokens that expire with it', async () => {
      const tenant = await demo(s);
      const owner = (await s.services.principals.get(
        tenant.id,
        (await s.store.users.byEmail(tenant.id, ADMIN_EMAIL))!.id,
      ))!;
      const expiresAt = Date.now() + 75_000;
      const { client, clientSecret } = await createPersonalClient(s.store, s.services.hasher, tenant, owner, {
        name: 'short-lived',
        expiresAt,
      });
      const r = await clientCredentials(s, client.clientId, clientSecret);
      assert.equal(r.statusCode, 200, r.body);
      const { exp } = decodeJwt(r.json().access_token);
      assert.ok(exp! <= Math.floor(expiresAt / 1000), `exp ${exp} is after the client's expiry ${expiresAt / 1000}`);
      assert.ok(r.json().expires_in <= 75 && r.json().expires_in >= 70, `expires_in ${r.json().expires_in}`);
    });
  });
}
