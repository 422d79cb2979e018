import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { backends, createTestServer, basic, form } from '../helpers/harness.js';
import { makeApp, clientCredentials, passwordGrant, introspect, demo, token, changeTenant } from '../helpers/oauth.js';
import { setAppActive, regenerateAppSecret } from '../../src/domain/clients/apps.js';
import { issueTokens } from '../../src/domain/tokens/issue.js';

const SYSTEM = { type: 'system' as const, id: null };

for (const backend of await backends()) {
  test(`revoke, introspect, keys, metadata (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);
    const rs = await makeApp(s, { name: 'resource server', grantTypes: ['client_credentials'], scopes: [] });
    const revoke = (tok: string, clientId = app.clientId, secret = app.clientSecret) =>
      s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
        payload: form({ token: tok }),
      });

    await t.test('introspection reports active tokens with their claims', async () => {
      const at = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      const r = await introspect(s, rs.clientId, rs.clientSecret, at);
      assert.equal(r.active, true);
      assert.equal(r.client_id, app.clientId);
      assert.equal(r.scope, 'metering myservices');
      assert.equal(r.token_type, 'access_token');
      assert.deepEqual(await introspect(s, rs.clientId, rs.clientSecret, 'garbage'), { active: false });
      const anon = await s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/introspect',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ token: at, client_id: 'latchkey-sdk' }),
      });
      assert.equal(anon.statusCode, 401);
      assert.equal(anon.json().error, 'invalid_client');
    });

    await t.test('revoking an access token makes it inactive; revoking a refresh token kills its family', async () => {
      const at = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      assert.equal((await revoke(at)).statusCode, 200);
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, at)).active, false);
      const tenant = await demo(s);
      const rt = (
        await issueTokens(s.services, tenant, {
          client: app.client,
          userId: null,
          scopes: ['metering'],
          withRefresh: true,
        })
      ).refresh_token!;
      const r1 = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: rt },
        { authorization: basic(app.clientId, app.clientSecret) },
      );
      const rt1 = r1.json().refresh_token;
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, rt1)).active, true);
      assert.equal((await revoke(rt1)).statusCode, 200);
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, rt1)).active, false);
      // Another client cannot revoke (and is told nothing): the token of `app` stays live.
      const at2 = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      assert.equal((await revoke(at2, rs.clientId, rs.clientSecret)).statusCode, 200);
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, at2)).active, true);
      assert.equal((await revoke('not-a-token')).statusCode, 200);
      const events = await s.store.audit.list(tenant.id, { action: 'access_token.revoked' }, 10);
      assert.equal(events.length, 1);
    });

    await t.test('deactivation suspends an app; activation restores the same refresh tokens', async () => {
      const tenant = await demo(s);
      const a = await makeApp(s, { name: 'suspend me' });
      const at = (await clientCredentials(s, a.clientId, a.clientSecret)).json().access_token;
      const rt = (
        await issueTokens(s.services, tenant, {
          client: a.client,
          userId: null,
          scopes: ['metering'],
          withRefresh: true,
        })
      ).refresh_token!;
      await setAppActive(s.store, tenant, a.id, false, SYSTEM);
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, at)).active, false);
      const cc = await clientCredentials(s, a.clientId, a.clientSecret);
      assert.equal(cc.statusCode, 401);
      assert.match(cc.json().error_description, /deactivated/);
      await setAppActive(s.store, tenant, a.id, true, SYSTEM);
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, at)).active, true);
      const r = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: rt },
        { authorization: basic(a.clientId, a.clientSecret) },
      );
      assert.equal(r.statusCode, 200, r.body);
    });

    await t.test(
      'another method than POST on a POST endpoint says to POST a form, as an OAuth error (405, Allow: POST)',
      async () => {
        for (const [path, said] of [
          ['token', 'the token endpoint takes POST with a form-encoded body (grant_type and its parameters), not GET'],
          ['revoke', 'the revocation endpoint takes POST with a form-encoded body (token), not GET'],
          ['introspect', 'the introspection endpoint takes POST with a form-encoded body (token), not GET'],
        ]) {
          const r = await s.app.inject({
            method: 'GET',
            url: `/t/demo/oauth2/v1/${path}?grant_type=client_credentials`,
          });
          assert.equal(r.statusCode, 405, path);
          assert.equal(r.headers.allow, 'POST');
          assert.equal(r.headers['cache-control'], 'no-store');
          assert.deepEqual(r.json(), { error: 'invalid_request', error_description: said });
        }
        const del = await s.app.inject({ method: 'DELETE', url: '/t/demo/oauth2/v1/token' });
        assert.equal(
          del.json().error_description,
          'the token endpoint takes POST with a form-encoded body (grant_type and its parameters), not DELETE',
        );
        assert.equal(
          (await s.app.inject({ method: 'GET', url: '/t/nope/oauth2/v1/token' })).statusCode,
          404,
          'an unknown tenant is still unknown',
        );
      },
    );

    await t.test('regenerating the secret kills the old secret and every refresh token', async () => {
      const tenant = await demo(s);
      const a = await makeApp(s, { name: 'rotate me' });
      const rt = (
        await issueTokens(s.services, tenant, {
          client: a.client,
          userId: null,
          scopes: ['metering'],
          withRefresh: true,
        })
      ).refresh_token!;
      const { clientSecret } = await regenerateAppSecret(s.store, s.services.hasher, tenant, a.id, SYSTEM);
      assert.equal((await clientCredentials(s, a.clientId, a.clientSecret)).statusCode, 401);
      assert.equal((await clientCredentials(s, a.clientId, clientSecret)).statusCode, 200);
      const r = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: rt },
        { authorization: basic(a.clientId, clientSecret) },
      );
      assert.equal(r.statusCode, 400);
      // Says why, rather than "invalid, expired or revoked".
      assert.deepEqual(r.json(), {
        error: 'invalid_grant',
        error_description:
          "refresh token was invalidated when the application's secret was regenerated: a new token file (or refresh token) is needed",
      });
      const stored = await s.store.refreshTokens.byHash(tenant.id, s.services.hasher.hash(rt));
      assert.ok(stored?.revokedAt, 'the token stays revoked');
    });

    await t.test('JWKS is public by default and needs client authentication when the tenant turns it off', async () => {
      let r = await s.app.inject({ url: '/t/demo/oauth2/v1/keys' });
      assert.equal(r.statusCode, 200);
      const key = r.json().keys[0];
      assert.deepEqual(Object.keys(key).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      await changeTenant(s, { signingCertificatePublic: false });
      r = await s.app.inject({ url: '/t/demo/oauth2/v1/keys' });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().error, 'invalid_client');
      // RFC 6749 §5.2 / RFC 9110: a 401 names the scheme, and Basic is the only one a GET can use.
      assert.equal(r.headers['www-authenticate'], 'Basic realm="latchkey", charset="UTF-8"');
      r = await s.app.inject({
        url: '/t/demo/oauth2/v1/keys',
        headers: { authorization: basic(rs.clientId, 'a wrong secret') },
      });
      assert.equal(r.statusCode, 401);
      assert.equal(r.headers['www-authenticate'], 'Basic realm="latchkey", charset="UTF-8"');
      r = await s.app.inject({
        url: '/t/demo/oauth2/v1/keys',
        headers: { authorization: basic(rs.clientId, rs.clientSecret) },
      });
      assert.equal(r.statusCode, 200);
      await changeTenant(s, { signingCertificatePublic: true });
    });

    await t.test('key rotation keeps the previous key published until its tokens expire', async () => {
      const tenant = await demo(s);
      const before = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      const oldKid = decodeProtectedHeader(before).kid;
      const newKid = await s.services.keys.rotate(tenant, 'manual');
      assert.notEqual(newKid, oldKid);
      const after = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
      assert.equal(decodeProtectedHeader(after).kid, newKid);
      const jwks = (await s.app.inject({ url: '/t/demo/oauth2/v1/keys' })).json();
      assert.deepEqual(jwks.keys.map((k: { kid: string }) => k.kid).sort(), [oldKid, newKid].sort());
      for (const tok of [before, after])
        await jwtVerify(tok, createLocalJWKSet(jwks), { issuer: 'http://latchkey.test/t/demo' });
      const stored = await s.store.db
        .selectFrom('signing_keys')
        .selectAll()
        .where('kid', '=', oldKid!)
        .executeTakeFirstOrThrow();
      assert.equal(stored.status, 'retired');
      assert.ok(stored.expires_at! >= Date.now() + 3600_000, 'kept at least one access-token lifetime');
      assert.ok(!stored.private_key_enc.includes('"d"'), 'private key stored sealed');
      // Once expired the old key leaves the JWKS.
      await s.store.db
        .updateTable('signing_keys')
        .set({ expires_at: Date.now() - 1 })
        .where('kid', '=', oldKid!)
        .execute();
      const later = (await s.services.keys.reload(tenant)).jwks.keys.map((k) => k.kid);
      assert.deepEqual(later, [newKid]);
    });

    await t.test('RFC 8414 metadata at both paths', async () => {
      for (const url of [
        '/.well-known/oauth-authorization-server/t/demo',
        '/t/demo/.well-known/openid-configuration',
      ]) {
        const r = await s.app.inject({ url });
        assert.equal(r.statusCode, 200);
        const m = r.json();
        assert.equal(m.issuer, 'http://latchkey.test/t/demo');
        assert.equal(m.token_endpoint, 'http://latchkey.test/t/demo/oauth2/v1/token');
        assert.equal(m.jwks_uri, 'http://latchkey.test/t/demo/oauth2/v1/keys');
        assert.ok(m.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:jwt-bearer'));
        assert.deepEqual(m.scopes_supported, ['metering', 'myservices']);
      }
      const r = await s.app.inject({ url: '/.well-known/oauth-authorization-server/t/nope' });
      assert.equal(r.statusCode, 404);
    });

    await t.test('first use of a client is audited in a batch, not per request', async () => {
      const tenant = await demo(s);
      const a = await makeApp(s, { name: 'usage' });
      for (let i = 0; i < 3; i++) await clientCredentials(s, a.clientId, a.clientSecret);
      assert.equal((await s.store.clients.byId(tenant.id, a.id))!.lastUsedAt, null, 'no write on the hot path');
      await s.services.usage.flush();
      const c = (await s.store.clients.byId(tenant.id, a.id))!;
      assert.ok(c.firstUsedAt && c.lastUsedAt);
      const events = await s.store.audit.list(tenant.id, { action: 'client.first_used', targetId: a.id }, 10);
      assert.equal(events.length, 1);
      await clientCredentials(s, a.clientId, a.clientSecret);
      await s.services.usage.flush();
      assert.equal(
        (await s.store.audit.list(tenant.id, { action: 'client.first_used', targetId: a.id }, 10)).length,
        1,
      );
    });

    await t.test('password grant tokens carry the user role scopes', async () => {
      const r = (await passwordGrant(s, undefined, undefined, { scope: 'metering' })).json();
      assert.equal(r.scope, 'metering');
      const wide = await passwordGrant(s, undefined, undefined, { scope: 'metering admin' });
      assert.equal(wide.json().error, 'invalid_scope');
    });
  });
}
