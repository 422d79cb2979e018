import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { backends, createTestServer, basic, ADMIN_EMAIL } from '../helpers/harness.js';
import { makeApp, token, clientCredentials, passwordGrant, demo, changeTenant } from '../helpers/oauth.js';

for (const backend of await backends()) {
  test(`token endpoint (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);

    await t.test('client_credentials with Basic returns an RFC 9068 JWT verifiable with the JWKS', async () => {
      const r = await clientCredentials(s, app.clientId, app.clientSecret);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['cache-control'], 'no-store');
      const body = r.json();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      assert.equal(body.scope, 'metering myservices');
      assert.equal(body.refresh_token, undefined);
      assert.equal(decodeProtectedHeader(body.access_token).typ, 'at+jwt');
      const jwks = (await s.app.inject({ url: '/t/demo/oauth2/v1/keys' })).json();
      const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
        issuer: 'http://latchkey.test/t/demo',
        audience: 'urn:latchkey:sample-api',
        typ: 'at+jwt',
      });
      assert.equal(payload.sub, app.clientId);
      assert.equal(payload.client_id, app.clientId);
      assert.equal(payload.scope, 'metering myservices');
      assert.equal(payload.exp! - payload.iat!, 3600);
      assert.ok(payload.jti);
    });

    await t.test('client_secret_post works and a narrower scope is granted', async () => {
      const r = await token(s, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        scope: 'metering',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().scope, 'metering');
    });

    await t.test('wrong secret: invalid_client 401 with WWW-Authenticate for Basic only', async () => {
      const r = await clientCredentials(s, app.clientId, app.clientSecret + 'x');
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().error, 'invalid_client');
      assert.match(String(r.headers['www-authenticate']), /^Basic /);
      assert.equal(r.headers['cache-control'], 'no-store');
      const p = await token(s, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: 'lk_cs_wrong',
      });
      assert.equal(p.statusCode, 401);
      assert.equal(p.json().error, 'invalid_client');
      assert.equal(p.headers['www-authenticate'], undefined);
      const unknown = await clientCredentials(s, 'lk_app_nobody', 'lk_cs_x');
      assert.equal(unknown.statusCode, 401);
      assert.equal(unknown.json().error_description, r.json().error_description);
    });

    await t.test('protocol errors follow RFC 6749 §5.2', async () => {
      const auth = { authorization: basic(app.clientId, app.clientSecret) };
      let r = await token(s, {}, auth);
      assert.equal(r.statusCode, 400);
      assert.deepEqual(r.json(), { error: 'invalid_request', error_description: 'missing parameter grant_type' });
      r = await token(s, { grant_type: 'authorization_code' }, auth);
      assert.equal(r.json().error, 'unsupported_grant_type');
      r = await s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
        payload: 'grant_type=client_credentials&scope=a&scope=b',
      });
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'invalid_request');
      assert.match(r.json().error_description, /scope is repeated/);
      r = await s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/token',
        headers: { 'content-type': 'application/json', ...auth },
        payload: { grant_type: 'client_credentials' },
      });
      assert.equal(r.json().error, 'invalid_request');
      r = await token(s, { grant_type: 'client_credentials', scope: 'admin' }, auth);
      assert.equal(r.json().error, 'invalid_scope');
      // RFC 6749 §5.2: a malformed scope is invalid_scope too (§3.3 scope-token syntax, at most 100 characters).
      for (const scope of ['my"services', 'back\\slash', 'x'.repeat(101)]) {
        r = await token(s, { grant_type: 'client_credentials', scope }, auth);
        assert.equal(r.statusCode, 400, scope);
        assert.equal(r.json().error, 'invalid_scope', scope);
        assert.match(r.json().error_description, /scope/);
      }
      r = await token(s, { grant_type: 'password', username: 'a@b.c', password: 'x' }, auth);
      assert.equal(r.json().error, 'unauthorized_client');
      r = await token(
        s,
        { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret },
        auth,
      );
      assert.equal(r.json().error, 'invalid_request', 'two authentication methods');
      r = await token(s, { grant_type: 'client_credentials' }, auth, 'nope');
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().error, 'invalid_request');
      r = await token(s, { grant_type: 'client_credentials', client_id: 'latchkey-sdk' });
      assert.equal(r.json().error, 'unauthorized_client');
    });

    await t.test('password grant issues a user token and a rotating refresh token', async () => {
      const r = await passwordGrant(s);
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json();
      assert.match(body.refresh_token, /^lk_rt_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
      const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
      const admin = await s.store.users.byEmail((await demo(s)).id, ADMIN_EMAIL);
      assert.equal(claims.sub, admin!.id);
      assert.equal(claims.client_id, 'latchkey-sdk');
      assert.deepEqual(claims.aud, ['urn:latchkey:sample-api', 'http://latchkey.test/t/demo']);
      const stored = await s.store.refreshTokens.byHash(admin!.tenantId, s.services.hasher.hash(body.refresh_token));
      assert.ok(stored, 'refresh token stored by hash');
      const raw = await s.store.db.selectFrom('refresh_tokens').select('token_hash').execute();
      assert.ok(
        raw.every((x) => !x.token_hash.includes(body.refresh_token.slice(6))),
        'never stored in clear',
      );
    });

    await t.test('password grant: bad password, throttling, SSO enforced', async () => {
      let r = await passwordGrant(s, 'victim@demo.test', 'wrong');
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'invalid_grant');
      for (let i = 0; i < 4; i++) await passwordGrant(s, 'victim@demo.test', 'wrong');
      r = await passwordGrant(s, 'victim@demo.test', 'wrong');
      assert.equal(r.statusCode, 429);
      assert.ok(Number(r.headers['retry-after']) > 0);
      await changeTenant(s, { ssoEnforced: true });
      r = await passwordGrant(s);
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error, 'invalid_grant');
      assert.match(r.json().error_description, /single sign-on/);
      await changeTenant(s, { ssoEnforced: false });
    });
  });
}
