import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { GRANT_JWT_BEARER } from '../../src/domain/clients/model.js';
import { startInteropEnv, peekJwt, SAMPLE_AUDIENCE, type InteropEnv } from './setup.js';

/**
 * Interop with panva's oauth4webapi (v3), a strict RFC client nobody here wrote, against a real
 * server process whose PUBLIC_URL is its own URL.
 */
describe('oauth4webapi against a real Latchkey server', () => {
  let env: InteropEnv;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  const insecure = { [oauth.allowInsecureRequests]: true } as const;

  before(async () => {
    env = await startInteropEnv();
    client = { client_id: env.clientId };
  });
  after(async () => {
    await env?.close();
  });

  test('refuses an http:// issuer unless insecure requests are allowed (library sanity check)', async () => {
    await assert.rejects(
      oauth.discoveryRequest(new URL(env.issuer), { algorithm: 'oauth2' }),
      (err: Error & { code?: string }) => err.code === oauth.HTTP_REQUEST_FORBIDDEN,
    );
  });

  test("RFC 8414 discovery (algorithm 'oauth2') at /.well-known/oauth-authorization-server/t/demo", async () => {
    const issuer = new URL(env.issuer);
    const response = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure });
    assert.equal(response.status, 200);
    assert.equal(new URL(response.url).pathname, '/.well-known/oauth-authorization-server/t/demo');
    as = await oauth.processDiscoveryResponse(issuer, response);
    assert.equal(as.issuer, env.issuer);
    assert.equal(as.token_endpoint, `${env.issuer}/oauth2/v1/token`);
    assert.equal(as.revocation_endpoint, `${env.issuer}/oauth2/v1/revoke`);
    assert.equal(as.introspection_endpoint, `${env.issuer}/oauth2/v1/introspect`);
    assert.equal(as.jwks_uri, `${env.issuer}/oauth2/v1/keys`);
    assert.ok(as.grant_types_supported?.includes('client_credentials'));
    assert.ok(as.grant_types_supported?.includes('refresh_token'));
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('client_secret_basic'));
    assert.ok(as.token_endpoint_auth_methods_supported?.includes('client_secret_post'));
  });

  test('OIDC-style discovery (default algorithm) at /t/demo/.well-known/openid-configuration', async () => {
    const issuer = new URL(env.issuer);
    const response = await oauth.discoveryRequest(issuer, insecure);
    assert.equal(response.status, 200);
    assert.equal(new URL(response.url).pathname, '/t/demo/.well-known/openid-configuration');
    const oidc = await oauth.processDiscoveryResponse(issuer, response);
    assert.deepEqual(oidc, as, 'both well-known documents describe the same server');
  });

  test('discovery of an unknown tenant fails, and a wrong expected issuer is caught', async () => {
    const unknown = new URL(`${env.server.url}/t/no-such-tenant`);
    const r = await oauth.discoveryRequest(unknown, { algorithm: 'oauth2', ...insecure });
    assert.equal(r.status, 404);
    await assert.rejects(oauth.processDiscoveryResponse(unknown, r));
    // The metadata's issuer must equal the URL discovered from; a mismatch is refused by the library.
    const r2 = await oauth.discoveryRequest(new URL(env.issuer), { algorithm: 'oauth2', ...insecure });
    await assert.rejects(
      oauth.processDiscoveryResponse(new URL('http://127.0.0.1:1/t/demo'), r2),
      (err: Error & { code?: string }) => err.code === oauth.JSON_ATTRIBUTE_COMPARISON,
    );
  });

  for (const [name, auth] of [
    ['client_secret_basic', () => oauth.ClientSecretBasic(env.clientSecret)],
    ['client_secret_post', () => oauth.ClientSecretPost(env.clientSecret)],
  ] as const) {
    test(`client_credentials with ${name}`, async () => {
      const response = await oauth.clientCredentialsGrantRequest(as, client, auth(), { scope: 'myservices' }, insecure);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const result = await oauth.processClientCredentialsResponse(as, client, response);
      assert.equal(result.token_type, 'bearer', 'oauth4webapi lower-cases token_type');
      assert.equal(result.scope, 'myservices');
      assert.equal(typeof result.expires_in, 'number');
      assert.ok(result.expires_in! > 0 && result.expires_in! <= 3600);
      assert.equal(result.refresh_token, undefined, 'RFC 6749 §4.4.3: no refresh token for client_credentials');
      const { header, payload } = peekJwt(result.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.equal(payload.iss, env.issuer);
      assert.equal(payload.aud, SAMPLE_AUDIENCE);
      assert.equal(payload.client_id, env.clientId);
      assert.equal(payload.sub, env.clientId);
    });
  }

  test('client_credentials with a wrong secret: invalid_client (post → ResponseBodyError 401, basic → WWW-Authenticate challenge)', async () => {
    const post = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('lk_cs_wrong'),
      {},
      insecure,
    );
    assert.equal(post.status, 401);
    await assert.rejects(oauth.processClientCredentialsResponse(as, client, post), (err: unknown) => {
      assert.ok(err instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${err}`);
      assert.equal(err.error, 'invalid_client');
      assert.equal(err.status, 401);
      return true;
    });
    const basic = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic('lk_cs_wrong'),
      {},
      insecure,
    );
    assert.equal(basic.status, 401);
    await assert.rejects(oauth.processClientCredentialsResponse(as, client, basic), (err: unknown) => {
      // oauth4webapi surfaces a 401 with WWW-Authenticate as a challenge error, carrying the scheme.
      assert.ok(
        err instanceof oauth.WWWAuthenticateChallengeError,
        `expected WWWAuthenticateChallengeError, got ${err}`,
      );
      assert.equal(err.status, 401);
      assert.equal(err.cause[0]?.scheme, 'basic');
      return true;
    });
  });

  test('client_credentials asking for a scope the app does not have: invalid_scope', async () => {
    const r = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(env.clientSecret),
      { scope: 'admin' },
      insecure,
    );
    assert.equal(r.status, 400);
    await assert.rejects(
      oauth.processClientCredentialsResponse(as, client, r),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_scope',
    );
  });

  test('refresh_token grant rotates; the old refresh token is then refused with invalid_grant', async () => {
    const seeded = await env.seedRefreshToken();
    const auth = oauth.ClientSecretBasic(env.clientSecret);
    const r1 = await oauth.refreshTokenGrantRequest(as, client, auth, seeded, insecure);
    assert.equal(r1.status, 200);
    const first = await oauth.processRefreshTokenResponse(as, client, r1);
    assert.equal(first.token_type, 'bearer');
    assert.equal(first.scope, 'metering myservices');
    assert.ok(first.refresh_token?.startsWith('lk_rt_'));
    assert.notEqual(first.refresh_token, seeded, 'refresh tokens rotate');

    // Narrowing the scope on refresh is allowed (RFC 6749 §6), through the library's additionalParameters.
    const r2 = await oauth.refreshTokenGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(env.clientSecret),
      first.refresh_token!,
      { additionalParameters: { scope: 'myservices' }, ...insecure },
    );
    const second = await oauth.processRefreshTokenResponse(as, client, r2);
    assert.equal(second.scope, 'myservices');
    assert.equal(peekJwt(second.access_token).payload.scope, 'myservices');

    // The first refresh token is dead now.
    const replay = await oauth.refreshTokenGrantRequest(as, client, auth, seeded, insecure);
    assert.equal(replay.status, 400);
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, replay), (err: unknown) => {
      assert.ok(err instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${err}`);
      assert.equal(err.error, 'invalid_grant');
      assert.equal(err.status, 400);
      assert.equal(typeof err.error_description, 'string');
      return true;
    });
    // Reuse revoked the whole family (RFC 9700 §4.14.2): even the newest token no longer works.
    const newest = await oauth.refreshTokenGrantRequest(as, client, auth, second.refresh_token!, insecure);
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, newest),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant',
    );
  });

  test('widening the scope on refresh is refused with invalid_scope', async () => {
    const seeded = await env.seedRefreshToken(['myservices']);
    const r = await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic(env.clientSecret), seeded, {
      additionalParameters: { scope: 'myservices metering' },
      ...insecure,
    });
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, r),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_scope',
    );
  });

  test('introspection (RFC 7662) then revocation (RFC 7009) of an access token', async () => {
    const auth = oauth.ClientSecretBasic(env.clientSecret);
    const cc = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'metering' }, insecure),
    );

    const i1 = await oauth.introspectionRequest(as, client, auth, cc.access_token, insecure);
    assert.equal(i1.status, 200);
    const active = await oauth.processIntrospectionResponse(as, client, i1);
    assert.equal(active.active, true);
    assert.equal(active.client_id, env.clientId);
    assert.equal(active.scope, 'metering');
    assert.equal(active.token_type, 'access_token');
    assert.equal(active.iss, env.issuer);
    assert.equal(active.aud, SAMPLE_AUDIENCE);
    assert.ok(typeof active.exp === 'number' && active.exp > Date.now() / 1000);

    const rv = await oauth.revocationRequest(as, client, oauth.ClientSecretPost(env.clientSecret), cc.access_token, {
      additionalParameters: { token_type_hint: 'access_token' },
      ...insecure,
    });
    assert.equal(rv.status, 200);
    assert.equal(await oauth.processRevocationResponse(rv), undefined);

    const i2 = await oauth.introspectionRequest(as, client, auth, cc.access_token, insecure);
    const inactive = await oauth.processIntrospectionResponse(as, client, i2);
    assert.deepEqual(inactive, { active: false });
  });

  test('revocation of a refresh token; introspection sees it inactive and refresh is refused', async () => {
    const auth = oauth.ClientSecretPost(env.clientSecret);
    const rt = await env.seedRefreshToken();
    const before = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, rt, {
        additionalParameters: { token_type_hint: 'refresh_token' },
        ...insecure,
      }),
    );
    assert.equal(before.active, true);
    assert.equal(before.token_type, 'refresh_token');
    assert.equal(before.client_id, env.clientId);

    const rv = await oauth.revocationRequest(as, client, auth, rt, insecure);
    await oauth.processRevocationResponse(rv);

    const afterRevoke = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, rt, insecure),
    );
    assert.equal(afterRevoke.active, false);
    const refresh = await oauth.refreshTokenGrantRequest(as, client, auth, rt, insecure);
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, client, refresh),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant',
    );

    // RFC 7009 §2.2: revoking an unknown or already-revoked token still answers 200.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, rt, insecure));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, 'not-a-token', insecure));
  });

  test('revocation with an unsupported token_type_hint: unsupported_token_type', async () => {
    const rv = await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(env.clientSecret), 'whatever', {
      additionalParameters: { token_type_hint: 'id_token' },
      ...insecure,
    });
    assert.equal(rv.status, 400);
    await assert.rejects(
      oauth.processRevocationResponse(rv),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'unsupported_token_type',
    );
  });

  test('introspection requires client authentication', async () => {
    const r = await oauth.introspectionRequest(as, client, oauth.ClientSecretPost('lk_cs_wrong'), 'x', insecure);
    assert.equal(r.status, 401);
    await assert.rejects(
      oauth.processIntrospectionResponse(as, client, r),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_client',
    );
  });
  test('private_key_jwt client authentication (RFC 7523 §2.2) at the token, introspection and revocation endpoints', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
    jwk.kid = await calculateJwkThumbprint(jwk);
    const app = await env.createApp({
      name: 'interop pkjwt',
      grantTypes: ['client_credentials', GRANT_JWT_BEARER],
      scopes: ['metering'],
      jwks: { keys: [jwk] },
    });
    const pkClient: oauth.Client = { client_id: app.clientId };
    const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid });

    const r = await oauth.clientCredentialsGrantRequest(as, pkClient, auth, {}, insecure);
    assert.equal(r.status, 200);
    const cc = await oauth.processClientCredentialsResponse(as, pkClient, r);
    assert.equal(cc.scope, 'metering');
    assert.equal(peekJwt(cc.access_token).payload.client_id, app.clientId);

    const active = await oauth.processIntrospectionResponse(
      as,
      pkClient,
      await oauth.introspectionRequest(as, pkClient, auth, cc.access_token, insecure),
    );
    assert.equal(active.active, true);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, pkClient, auth, cc.access_token, insecure));
    const inactive = await oauth.processIntrospectionResponse(
      as,
      pkClient,
      await oauth.introspectionRequest(as, pkClient, auth, cc.access_token, insecure),
    );
    assert.equal(inactive.active, false);

    // The JWT-bearer authorization grant (RFC 7523 §2.1), sent as a generic grant with the library's
    // private_key_jwt client authentication; the assertion works once.
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .setIssuer(app.clientId)
      .setSubject(app.clientId)
      .setAudience(as.token_endpoint!)
      .setIssuedAt(now)
      .setExpirationTime(now + 120)
      .sign(privateKey);
    const grant = () =>
      oauth.genericTokenEndpointRequest(as, pkClient, auth, GRANT_JWT_BEARER, { assertion }, insecure);
    const jb = await oauth.processGenericTokenEndpointResponse(as, pkClient, await grant());
    assert.equal(jb.scope, 'metering');
    assert.equal(jb.refresh_token, undefined);
    await assert.rejects(
      async () => oauth.processGenericTokenEndpointResponse(as, pkClient, await grant()),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_grant',
    );

    // A client assertion signed by a key that is not registered: invalid_client.
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const bad = await oauth.clientCredentialsGrantRequest(
      as,
      pkClient,
      oauth.PrivateKeyJwt({ key: stranger, kid: jwk.kid }),
      {},
      insecure,
    );
    assert.equal(bad.status, 401);
    await assert.rejects(
      oauth.processClientCredentialsResponse(as, pkClient, bad),
      (err: unknown) => err instanceof oauth.ResponseBodyError && err.error === 'invalid_client',
    );
  });

  test('metadata: RFC 8414 §2 conditional members for private_key_jwt at revocation/introspection', async () => {
    const r = await oauth.discoveryRequest(new URL(env.issuer), { algorithm: 'oauth2', ...insecure });
    const md = await oauth.processDiscoveryResponse(new URL(env.issuer), r);
    // "MUST be present if either of the private_key_jwt or client_secret_jwt authentication methods
    // are specified in the *_endpoint_auth_methods_supported entry."
    for (const ep of ['token', 'revocation', 'introspection'] as const) {
      const methods = md[`${ep}_endpoint_auth_methods_supported`] as string[] | undefined;
      if (methods?.includes('private_key_jwt') || methods?.includes('client_secret_jwt')) {
        const algs = md[`${ep}_endpoint_auth_signing_alg_values_supported`] as string[] | undefined;
        assert.ok(
          Array.isArray(algs) && algs.length > 0,
          `${ep}_endpoint_auth_signing_alg_values_supported is missing`,
        );
        assert.ok(!algs.includes('none'));
      }
    }
  });
});
