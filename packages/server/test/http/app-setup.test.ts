import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { token } from '../helpers/oauth.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ISSUER = 'http://latchkey.test/t/demo';

// The application set-up as the README documents it: grants "JWT assertion" and "Refresh token",
// then a token file; keys for assertions may come later.
for (const backend of await backends()) {
  describe(`application set-up (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;

    before(async () => {
      s = await createTestServer(backend);
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
    });
    after(() => s.close());

    test('JWT assertion + refresh token without keys: created, .tok generated, assertions refused until keys are added', async () => {
      const made = await admin.request('POST', '/t/demo/api/v1/apps', {
        name: 'Reports',
        grantTypes: [JWT_BEARER, 'refresh_token'],
        scopes: ['metering'],
      });
      assert.equal(made.statusCode, 201, made.body);
      const app = made.json();
      assert.deepEqual(app.grantTypes, [JWT_BEARER, 'refresh_token']);
      assert.equal(app.jwks, null);
      const tok = await admin.request('POST', `/t/demo/api/v1/apps/${app.id}/tokens`, {
        scopes: ['metering'],
        includeRefreshToken: true,
      });
      assert.equal(tok.statusCode, 200, tok.body);
      assert.match(tok.json().refresh_token, /^lk_rt_/);

      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const assertion = () =>
        new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(app.clientId)
          .setSubject(app.clientId)
          .setAudience(`${ISSUER}/oauth2/v1/token`)
          .setExpirationTime('2m')
          .sign(privateKey);
      const refused = await token(s, { grant_type: JWT_BEARER, assertion: await assertion() });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().error, 'invalid_grant');
      assert.match(refused.json().error_description, /no keys registered.*jwks/);

      const keyed = await admin.request('PATCH', `/t/demo/api/v1/apps/${app.id}`, {
        jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] },
      });
      assert.equal(keyed.statusCode, 200, keyed.body);
      const ok = await token(s, { grant_type: JWT_BEARER, assertion: await assertion() });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().scope, 'metering');
    });

    test('"jwt-bearer" is accepted as a short name and stored as the URN', async () => {
      const made = await admin.request('POST', '/t/demo/api/v1/apps', {
        name: 'Short',
        grantTypes: ['jwt-bearer', 'refresh_token'],
        scopes: [],
      });
      assert.equal(made.statusCode, 201, made.body);
      assert.deepEqual(made.json().grantTypes, [JWT_BEARER, 'refresh_token']);
      const stored = await s.store.clients.byId((await s.store.tenants.bySlug('demo'))!.id, made.json().id);
      assert.deepEqual(stored!.grantTypes, [JWT_BEARER, 'refresh_token']);
      // The short name and the URN are one grant.
      const both = await admin.request('PATCH', `/t/demo/api/v1/apps/${made.json().id}`, {
        grantTypes: ['jwt-bearer', JWT_BEARER],
      });
      assert.equal(both.statusCode, 200, both.body);
      assert.deepEqual(both.json().grantTypes, [JWT_BEARER]);
    });

    test('a value outside a fixed set is refused with the allowed values listed', async () => {
      const before = (await admin.request('GET', '/t/demo/api/v1/apps')).json().items.length;
      problem(
        await admin.request('POST', '/t/demo/api/v1/apps', { name: 'x', grantTypes: ['password'], scopes: [] }),
        400,
        /^body\.grantTypes\.0 must be one of: client_credentials, refresh_token, urn:ietf:params:oauth:grant-type:jwt-bearer, jwt-bearer$/,
      );
      assert.equal((await admin.request('GET', '/t/demo/api/v1/apps')).json().items.length, before);
      problem(
        await admin.request('GET', '/t/demo/api/v1/apps?sort=secret'),
        400,
        /^querystring\.sort must be one of: name, createdAt, lastUsedAt$/,
      );
      problem(
        await admin.request('GET', '/t/demo/api/v1/apps?status=gone'),
        400,
        /^querystring\.status must be one of: active, inactive$/,
      );
      problem(
        await admin.request('GET', '/t/demo/api/v1/users?sort=password'),
        400,
        /^querystring\.sort must be one of: email, displayName, createdAt$/,
      );
      problem(
        await admin.request('GET', '/t/demo/api/v1/oauth2-clients?status=lost'),
        400,
        /^querystring\.status must be one of: active, expired, revoked$/,
      );
      problem(
        await admin.request('GET', '/t/demo/api/v1/me/oauth2-clients?order=up'),
        400,
        /^querystring\.order must be one of: asc, desc$/,
      );
    });
  });
}
