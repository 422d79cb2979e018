import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startInteropEnv, peekJwt, SAMPLE_AUDIENCE, type InteropEnv } from './setup.js';

/**
 * Interop with panva's openid-client (v6), the most used Node OAuth/OIDC relying-party library,
 * against a real server process whose PUBLIC_URL is its own URL.
 */
describe('openid-client against a real Latchkey server', () => {
  let env: InteropEnv;
  /** Discovered with RFC 8414 ('oauth2'); default client authentication (client_secret_post). */
  let config: client.Configuration;

  const discover = (algorithm: 'oauth2' | 'oidc', auth?: client.ClientAuth) =>
    client.discovery(new URL(env.issuer), env.clientId, env.clientSecret, auth, {
      execute: [client.allowInsecureRequests],
      algorithm,
    });

  before(async () => {
    env = await startInteropEnv();
  });
  after(async () => {
    await env?.close();
  });

  test("discovery with algorithm 'oauth2' (RFC 8414) and 'oidc'", async () => {
    config = await discover('oauth2');
    const md = config.serverMetadata();
    assert.equal(md.issuer, env.issuer);
    assert.equal(md.token_endpoint, `${env.issuer}/oauth2/v1/token`);
    assert.equal(md.revocation_endpoint, `${env.issuer}/oauth2/v1/revoke`);
    assert.equal(md.introspection_endpoint, `${env.issuer}/oauth2/v1/introspect`);
    assert.equal(md.jwks_uri, `${env.issuer}/oauth2/v1/keys`);
    assert.equal(config.clientMetadata().client_id, env.clientId);

    const oidc = await discover('oidc');
    assert.deepEqual(oidc.serverMetadata(), md);
  });

  test('discovery refuses the http:// issuer without allowInsecureRequests (library sanity check)', async () => {
    await assert.rejects(
      client.discovery(new URL(env.issuer), env.clientId, env.clientSecret, undefined, { algorithm: 'oauth2' }),
      (err: Error & { code?: string }) => err.code === 'OAUTH_HTTP_REQUEST_FORBIDDEN',
    );
  });

  /** Records how the library authenticated each request (Authorization header or client_secret in the body). */
  function recordAuth(c: client.Configuration): Array<{ basic: boolean; postSecret: boolean }> {
    const seen: Array<{ basic: boolean; postSecret: boolean }> = [];
    c[client.customFetch] = async (url, options) => {
      const headers = new Headers(options.headers);
      const body = new URLSearchParams(typeof options.body === 'string' ? options.body : String(options.body ?? ''));
      seen.push({
        basic: (headers.get('authorization') ?? '').startsWith('Basic '),
        postSecret: body.has('client_secret'),
      });
      return fetch(url, options as RequestInit);
    };
    return seen;
  }

  test('clientCredentialsGrant (client_secret_post by default, then client_secret_basic)', async () => {
    const postConfig = await discover('oauth2');
    const postSeen = recordAuth(postConfig);
    const viaPost = await client.clientCredentialsGrant(postConfig, { scope: 'myservices' });
    assert.deepEqual(postSeen, [{ basic: false, postSecret: true }]);
    assert.equal(viaPost.token_type, 'bearer');
    assert.equal(viaPost.scope, 'myservices');
    assert.ok(viaPost.expiresIn()! > 3500 && viaPost.expiresIn()! <= 3600);
    assert.equal(viaPost.refresh_token, undefined);
    const claims = peekJwt(viaPost.access_token).payload;
    assert.equal(claims.iss, env.issuer);
    assert.equal(claims.aud, SAMPLE_AUDIENCE);
    assert.equal(claims.client_id, env.clientId);

    const basic = await discover('oauth2', client.ClientSecretBasic(env.clientSecret));
    const basicSeen = recordAuth(basic);
    const viaBasic = await client.clientCredentialsGrant(basic);
    assert.deepEqual(basicSeen, [{ basic: true, postSecret: false }]);
    assert.equal(viaBasic.scope, 'metering myservices', 'no scope asked: all the app may have');
  });

  test('clientCredentialsGrant with a wrong secret surfaces invalid_client', async () => {
    const wrong = await client.discovery(new URL(env.issuer), env.clientId, 'lk_cs_wrong', undefined, {
      execute: [client.allowInsecureRequests],
      algorithm: 'oauth2',
    });
    await assert.rejects(client.clientCredentialsGrant(wrong), (err: unknown) => {
      assert.ok(err instanceof client.ResponseBodyError, `expected ResponseBodyError, got ${err}`);
      assert.equal(err.error, 'invalid_client');
      assert.equal(err.status, 401);
      return true;
    });
  });

  test('refreshTokenGrant rotates; a retry gets the same answer; reuse is refused with invalid_grant', async () => {
    const seeded = await env.seedRefreshToken();
    const first = await client.refreshTokenGrant(config, seeded);
    assert.equal(first.scope, 'metering myservices');
    assert.ok(first.refresh_token?.startsWith('lk_rt_'));
    assert.notEqual(first.refresh_token, seeded);

    const narrowed = await client.refreshTokenGrant(config, first.refresh_token!, { scope: 'metering' });
    assert.equal(narrowed.scope, 'metering');
    assert.equal(peekJwt(narrowed.access_token).payload.scope, 'metering');

    // Within the grace window, the old token presented again while its successor is unused gets
    // the same answer (a retry after a lost response); once the successor was used, it is reuse.
    const retried = await client.refreshTokenGrant(config, first.refresh_token!, { scope: 'metering' });
    assert.equal(retried.refresh_token, narrowed.refresh_token);
    const third = await client.refreshTokenGrant(config, narrowed.refresh_token!);
    await assert.rejects(client.refreshTokenGrant(config, first.refresh_token!), (err: unknown) => {
      assert.ok(err instanceof client.ResponseBodyError, `expected ResponseBodyError, got ${err}`);
      assert.equal(err.error, 'invalid_grant');
      assert.equal(err.status, 400);
      return true;
    });
    // The reuse killed the whole family, including the newest token.
    await assert.rejects(
      client.refreshTokenGrant(config, third.refresh_token!),
      (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'invalid_grant',
    );
  });

  test('tokenIntrospection then tokenRevocation of an access token', async () => {
    const { access_token } = await client.clientCredentialsGrant(config, { scope: 'metering' });
    const active = await client.tokenIntrospection(config, access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, env.clientId);
    assert.equal(active.scope, 'metering');
    assert.equal(active.iss, env.issuer);
    assert.equal(active.sub, env.clientId);

    assert.equal(await client.tokenRevocation(config, access_token, { token_type_hint: 'access_token' }), undefined);
    const inactive = await client.tokenIntrospection(config, access_token);
    assert.deepEqual({ ...inactive }, { active: false });
  });

  test('tokenRevocation of a refresh token ends it', async () => {
    const rt = await env.seedRefreshToken(['myservices']);
    const before = await client.tokenIntrospection(config, rt, { token_type_hint: 'refresh_token' });
    assert.equal(before.active, true);
    assert.equal(before.scope, 'myservices');
    await client.tokenRevocation(config, rt);
    assert.equal((await client.tokenIntrospection(config, rt)).active, false);
    await assert.rejects(
      client.refreshTokenGrant(config, rt),
      (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'invalid_grant',
    );
  });
});
