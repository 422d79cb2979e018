import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildResourceServer } from '../../src/app.js';
import { createVerifier } from '../../src/verifier/verify.js';
import { AUDIENCE, FakeAuthorizationServer } from '../helpers/fake-as.js';

describe('sample API routes behind the verifier (inject, stand-in authorization server)', () => {
  const as = new FakeAuthorizationServer();
  let app: FastifyInstance;
  const get = (url: string, token?: string) =>
    app.inject({ url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  before(async () => {
    await as.start();
    await as.addTenant('demo');
    app = await buildResourceServer({ verifier: createVerifier({ latchkeyUrl: as.url, audience: AUDIENCE }) });
  });
  after(async () => {
    await app.close();
    await as.stop();
  });

  test('the token is checked before the query: no token and bad parameters is a 401, not a 400', async () => {
    const r = await get('/t/demo/metering/api/v1/usage?limit=-5&from=yesterday');
    assert.equal(r.statusCode, 401);
    assert.equal(r.headers['www-authenticate'], 'Bearer realm="latchkey-sample-api"');
    const ok = await get('/t/demo/metering/api/v1/usage?limit=-5', await as.mint('demo'));
    assert.equal(ok.statusCode, 400);
  });

  test('each list needs its scope', async () => {
    const metering = await as.mint('demo', { claims: { scope: 'metering' } });
    assert.equal((await get('/t/demo/metering/api/v1/usage?limit=1', metering)).statusCode, 200);
    for (const url of ['/t/demo/myservices/api/v1/serviceEntitlements', '/t/demo/myservices/api/v1/instances']) {
      const r = await get(url, metering);
      assert.equal(r.statusCode, 403, url);
      assert.match(String(r.headers['www-authenticate']), /scope="myservices"/);
    }
  });

  test('the health check needs no token', async () => {
    assert.equal((await get('/healthz')).statusCode, 200);
  });
});
