import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { createVerifier, type Verifier } from '../../src/verifier/verify.js';
import { SAMPLE_AUDIENCE, bearer, clientCredentials, revoke, type AppCredentials } from '../helpers/latchkey.js';
import { startResourceServer, type ResourceProcess } from '../helpers/resource-process.js';

/**
 * Introspection mode against the real authorization server: the sample API authenticates as its own
 * confidential client and sees a revocation that offline verification cannot.
 */
describe('introspection mode sees revocations immediately', () => {
  let env: InteropEnv;
  let app: AppCredentials;
  let uncached: ResourceProcess;
  let cached: ResourceProcess;
  let offline: Verifier;
  let apiClient: AppCredentials;

  const call = async (rs: ResourceProcess, token: string) => {
    const r = await fetch(`${rs.url}/t/demo/myservices/api/v1/instances`, { headers: bearer(token) });
    return {
      status: r.status,
      body: (await r.json()) as { errorMessage?: string; errorCode?: string },
      challenge: r.headers.get('www-authenticate'),
    };
  };

  before(async () => {
    env = await startInteropEnv();
    app = { clientId: env.clientId, clientSecret: env.clientSecret };
    // The API's own client in tenant demo: it only ever introspects.
    apiClient = await env.createApp({ name: 'sample API', grantTypes: ['client_credentials'], scopes: [] });
    const credentials = JSON.stringify({ demo: apiClient });
    [uncached, cached] = await Promise.all([
      startResourceServer({
        LATCHKEY_URL: env.server.url,
        INTROSPECTION_CREDENTIALS: credentials,
        INTROSPECTION_CACHE_SECONDS: '0',
      }),
      startResourceServer({ LATCHKEY_URL: env.server.url, INTROSPECTION_CREDENTIALS: credentials }),
    ]);
    offline = createVerifier({ latchkeyUrl: env.server.url, audience: SAMPLE_AUDIENCE });
  });
  after(async () => {
    await Promise.all([uncached, cached].map((p) => p?.stop()));
    await env?.close();
  });

  test('a token revoked after use is refused on the next request; offline verification still accepts it', async () => {
    const token = await clientCredentials(env.server.url, app, 'myservices');
    assert.equal((await call(uncached, token)).status, 200);
    await offline.verify(token, { tenant: 'demo' });
    await revoke(env.server.url, app, token);
    const a = await call(uncached, token);
    assert.equal(a.status, 401);
    assert.equal(a.body.errorCode, 'ERR_TOKEN_INACTIVE');
    assert.match(a.challenge!, /^Bearer error="invalid_token"/);
    // The trade-off introspection exists for: offline, a revoked token lives until it expires.
    await offline.verify(token, { tenant: 'demo' });
  });

  test('with the default 10 s positive cache: revoked before first use is refused at once', async () => {
    const token = await clientCredentials(env.server.url, app, 'myservices');
    await revoke(env.server.url, app, token);
    assert.equal((await call(cached, token)).status, 401);
    assert.equal((await call(cached, token)).status, 401, 'refusals are not cached as anything else');
  });

  test('with the default cache, a token already seen active is reused for up to 10 s', async () => {
    const token = await clientCredentials(env.server.url, app, 'myservices');
    assert.equal((await call(cached, token)).status, 200);
    await revoke(env.server.url, app, token);
    assert.equal((await call(cached, token)).status, 200, 'inside the documented 10 s window');
    assert.equal((await call(uncached, token)).status, 401);
  });

  test('credentials the server refuses fail closed (503), with the reason kept for logs', async () => {
    const token = await clientCredentials(env.server.url, app, 'myservices');
    const wrong = createVerifier({
      latchkeyUrl: env.server.url,
      audience: SAMPLE_AUDIENCE,
      introspection: { credentials: { demo: { clientId: apiClient.clientId, clientSecret: 'lk_cs_wrong' } } },
    });
    await assert.rejects(wrong.verify(token, { tenant: 'demo' }), (err: unknown) => {
      const e = err as { status: number; code: string; detail: string };
      assert.equal(e.status, 503);
      assert.equal(e.code, 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE');
      assert.match(e.detail, /refused this API's client credentials/);
      return true;
    });
  });
});
