import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic, form, type TestServer } from '../helpers/harness.js';
import { makeApp, demo } from '../helpers/oauth.js';

const LONG = 12 * 1024;

/** Everything the process keeps per identifier: the caches and the throttle state. */
function footprint(s: TestServer) {
  const { clients, principals, tenants, resources, throttle } = s.services;
  // Hits grow with every legitimate request of the known application; entries, bytes and misses (a
  // lookup of something not cached) must not move.
  const stored = ({ hits: _hits, ...rest }: { hits: number; entries: number; bytes: number; misses: number }) => rest;
  return {
    clients: stored(clients.stats()),
    principals: stored(principals.stats()),
    tenants: stored(tenants.stats()),
    resources: stored(resources.stats()),
    throttle: throttle.store.stats(),
  };
}

function post(
  s: TestServer,
  path: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  remoteAddress = '198.51.100.77',
) {
  return s.app.inject({
    method: 'POST',
    url: path,
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(params),
  });
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unsignedJwt = (claims: Record<string, unknown>) =>
  `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims)}.${'A'.repeat(86)}`;

function oauthError(r: Awaited<ReturnType<typeof post>>, status: number, error: string, description?: RegExp) {
  assert.equal(r.statusCode, status, r.body.slice(0, 300));
  assert.equal(r.json().error, error, r.body.slice(0, 300));
  if (description) assert.match(r.json().error_description, description);
  assert.equal(r.headers['cache-control'], 'no-store');
}

for (const backend of await backends()) {
  test(`over-long identifiers are refused before any lookup, cache or throttle (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);
    const tenant = await demo(s);
    const TOKEN = '/t/demo/oauth2/v1/token';
    const long = (prefix: string, n = LONG) => prefix + 'x'.repeat(n - prefix.length);
    // Warm the caches with the legitimate entries, so what follows can only add attacker-chosen ones.
    assert.equal(
      (
        await post(
          s,
          TOKEN,
          { grant_type: 'client_credentials' },
          { authorization: basic(app.clientId, app.clientSecret) },
        )
      ).statusCode,
      200,
    );
    const auditBefore = (await s.store.audit.list(tenant.id, {}, 1000)).length;
    const before = footprint(s);

    await t.test('each over-long value gets its RFC 6749 error', async () => {
      let r = await post(
        s,
        TOKEN,
        { grant_type: 'client_credentials' },
        { authorization: basic(long('lk_app_'), 'lk_cs_x') },
      );
      oauthError(r, 401, 'invalid_client', /client_id is too long/);
      assert.match(String(r.headers['www-authenticate']), /^Basic /);
      r = await post(s, TOKEN, {
        grant_type: 'client_credentials',
        client_id: long('lk_app_'),
        client_secret: 'lk_cs_x',
      });
      oauthError(r, 401, 'invalid_client', /client_id is too long/);
      r = await post(s, TOKEN, {
        grant_type: 'password',
        client_id: long('latchkey-sdk'),
        username: 'a@demo.test',
        password: 'x',
      });
      oauthError(r, 401, 'invalid_client', /client_id is too long/);
      r = await post(
        s,
        TOKEN,
        { grant_type: 'client_credentials' },
        { authorization: basic(app.clientId, long('lk_cs_')) },
      );
      oauthError(r, 401, 'invalid_client', /client_secret is too long/);
      r = await post(s, TOKEN, {
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: unsignedJwt({ iss: app.clientId, pad: 'x'.repeat(20_000) }),
      });
      oauthError(r, 401, 'invalid_client', /client_assertion is too long/);
      r = await post(s, TOKEN, {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: unsignedJwt({ iss: long('lk_app_', 4000) }),
      });
      oauthError(r, 401, 'invalid_client', /client_id is too long/);
      // jwt-bearer without client authentication: the assertion's issuer names the client.
      r = await post(s, TOKEN, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: unsignedJwt({ iss: long('lk_app_', 4000) }),
      });
      oauthError(r, 400, 'invalid_grant');
      r = await post(s, TOKEN, {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: unsignedJwt({ iss: app.clientId, pad: 'x'.repeat(20_000) }),
      });
      oauthError(r, 400, 'invalid_grant', /assertion is too long/);
      r = await post(s, TOKEN, {
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: long('user@') + '.test',
        password: 'x',
      });
      oauthError(r, 400, 'invalid_grant', /username is too long/);
      r = await post(s, TOKEN, {
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: 'a@demo.test',
        password: long('p'),
      });
      oauthError(r, 400, 'invalid_grant', /password is too long/);
      r = await post(
        s,
        TOKEN,
        { grant_type: 'refresh_token', refresh_token: long('lk_rt_') },
        { authorization: basic(app.clientId, app.clientSecret) },
      );
      oauthError(r, 400, 'invalid_grant', /refresh_token is too long/);
      for (const endpoint of ['introspect', 'revoke']) {
        r = await post(
          s,
          `/t/demo/oauth2/v1/${endpoint}`,
          { token: long('eyJ', 20_000) },
          { authorization: basic(app.clientId, app.clientSecret) },
        );
        oauthError(r, 400, 'invalid_request', /token is too long/);
      }
      const me = await s.app.inject({
        url: '/t/demo/api/v1/me',
        headers: { authorization: 'Bearer ' + long('eyJ', 17_000) },
      });
      assert.equal(me.statusCode, 401);
      assert.match(me.json().detail, /bearer token is too long/);
      // Fastify refuses path parameters over 100 characters (414); shorter strings that are no slug
      // name no tenant, without a lookup.
      assert.equal(
        (await post(s, `/t/${'x'.repeat(LONG)}/oauth2/v1/token`, { grant_type: 'client_credentials' })).statusCode,
        414,
      );
      for (const slug of ['x'.repeat(99), 'Not_A_Slug', '-demo']) {
        oauthError(
          await post(s, `/t/${slug}/oauth2/v1/token`, { grant_type: 'client_credentials' }),
          404,
          'invalid_request',
          /unknown tenant/,
        );
        const meta = await s.app.inject({ url: `/.well-known/oauth-authorization-server/t/${slug}` });
        assert.equal(meta.statusCode, 404);
        const api = await s.app.inject({ url: `/t/${slug}/api/v1/me` });
        assert.equal(api.statusCode, 404);
      }
    });

    await t.test(
      'a flood of distinct long client_ids from rotating addresses leaves no trace in the caches or throttles',
      async () => {
        for (let i = 0; i < 200; i++) {
          const id = `lk_app_${i}_` + 'x'.repeat(LONG);
          const r = await post(
            s,
            TOKEN,
            { grant_type: 'client_credentials' },
            { authorization: basic(id, 'lk_cs_x') },
            `10.77.${i >> 8}.${i & 255}`,
          );
          assert.equal(r.statusCode, 401);
        }
      },
    );

    await t.test('nothing was cached, throttled or audited for any of them', async () => {
      assert.deepEqual(footprint(s), before);
      assert.equal((await s.store.audit.list(tenant.id, {}, 1000)).length, auditBefore);
      // The application still works, from the flooding addresses too.
      const r = await post(
        s,
        TOKEN,
        { grant_type: 'client_credentials' },
        { authorization: basic(app.clientId, app.clientSecret) },
        '10.77.0.1',
      );
      assert.equal(r.statusCode, 200, r.body);
    });
  });
}
