import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { generateTenantData } from '../../src/data/seed.js';
import { addTenant, bearer, clientCredentials, type AppCredentials } from '../helpers/latchkey.js';
import { startResourceServer, type ResourceProcess } from '../helpers/resource-process.js';

/**
 * The sample API configured by issuer (LATCHKEY_ISSUERS, no LATCHKEY_URL) next to a real Latchkey
 * process: the listed tenant's metadata is found at its issuer's RFC 8414 address, and nothing else
 * is trusted. A tenant host's issuer, with the server's URL beside it, is in host-issuer.test.ts.
 */
describe('sample API process trusting one listed issuer', () => {
  let env: InteropEnv;
  let rs: ResourceProcess;
  let acme: AppCredentials;

  const call = async (path: string, token: string) => {
    const r = await fetch(`${rs.url}${path}`, { headers: bearer(token) });
    return {
      status: r.status,
      body: (await r.json()) as { errorCode?: string; errorMessage?: string; items?: unknown },
    };
  };

  before(async () => {
    env = await startInteropEnv();
    acme = await addTenant(env, 'acme');
    rs = await startResourceServer({
      LATCHKEY_URL: '',
      LATCHKEY_ISSUERS: JSON.stringify({ demo: `${env.issuer}/` }),
      LOG_REQUESTS: '1',
    });
  });
  after(async () => {
    await rs?.stop();
    await env?.close();
  });

  test("the listed tenant's real token is served, its metadata fetched at the issuer's RFC 8414 address", async () => {
    const token = await clientCredentials(env.server.url, { clientId: env.clientId, clientSecret: env.clientSecret });
    const a = await call('/t/demo/myservices/api/v1/serviceEntitlements', token);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(a.body.items, generateTenantData('demo').entitlements);
    assert.deepEqual(
      rs.logs('sample API listening').map((l) => [l.latchkeyUrl, l.issuers]),
      [[null, { demo: [env.issuer] }]],
    );
    assert.equal((await rs.waitForLogs('authorization server metadata fetched', 1)).length, 1);
  });

  test('a tenant the server knows but this API does not list is refused without asking the server', async () => {
    const token = await clientCredentials(env.server.url, acme, 'myservices', 'acme');
    const a = await call('/t/acme/myservices/api/v1/serviceEntitlements', token);
    assert.equal(a.status, 401);
    assert.equal(a.body.errorCode, 'ERR_UNKNOWN_TENANT');
    assert.match(a.body.errorMessage!, /this API trusts no issuer for it/);
    // Its token on the listed tenant's route: not the listed issuer.
    const b = await call('/t/demo/myservices/api/v1/serviceEntitlements', token);
    assert.equal(b.body.errorCode, 'ERR_TOKEN_ISSUER');
    await rs.caughtUp();
    assert.equal(rs.logs('authorization server metadata fetched').length, 1, 'no metadata fetched for acme');
  });
});
