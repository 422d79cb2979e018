import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { loopbackFetch } from '../../../sdk/test/helpers/loopback-names.js';
import { generateTenantData } from '../../src/data/seed.js';
import {
  addTenant,
  bearer,
  clientCredentials,
  clientCredentialsAtHost,
  setHosts,
  type AppCredentials,
} from '../helpers/latchkey.js';
import { startResourceServer, type ResourceProcess } from '../helpers/resource-process.js';

const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/loopback-names.mjs');
const byName = loopbackFetch('.id.test');

/**
 * The sample API process configured with a tenant host's issuer (LATCHKEY_ISSUERS) and the server's
 * URL for the path form (LATCHKEY_URL), next to a real Latchkey process whose tenant demo has the host
 * demo.id.test (registered through the platform API). A token asked for at the host's root carries
 * the host's issuer (http://demo.id.test:{port}: PUBLIC_URL's scheme and port) and is verified with
 * the metadata and keys the API fetched from the host itself; the path form keeps working beside it.
 * The process reaches the name on loopback through a test-only preload (helpers/loopback-names.mjs).
 */
describe('sample API process trusting a tenant host issuer', () => {
  let env: InteropEnv;
  let rs: ResourceProcess;
  let acme: AppCredentials;
  let hostUrl: string;
  let acmeHostUrl: string;
  const app = () => ({ clientId: env.clientId, clientSecret: env.clientSecret });

  const call = async (route: string, token: string) => {
    const r = await fetch(`${rs.url}${route}`, { headers: bearer(token) });
    return {
      status: r.status,
      body: (await r.json()) as { errorCode?: string; errorMessage?: string; items?: unknown },
    };
  };

  before(async () => {
    env = await startInteropEnv();
    acme = await addTenant(env, 'acme');
    await setHosts(env.server.url, 'demo', ['demo.id.test']);
    await setHosts(env.server.url, 'acme', ['acme.id.test']);
    hostUrl = `http://demo.id.test:${env.server.port}`;
    acmeHostUrl = `http://acme.id.test:${env.server.port}`;
    rs = await startResourceServer({
      LATCHKEY_URL: env.server.url,
      LATCHKEY_ISSUERS: JSON.stringify({ demo: hostUrl }),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${PRELOAD}`.trim(),
      LATCHKEY_TEST_LOOPBACK_SUFFIX: '.id.test',
    });
  });
  after(async () => {
    await rs?.stop();
    await env?.close();
  });

  test("a token asked for at the host's root, in the documented curl shape, is served; metadata and keys came from the host", async () => {
    const token = await clientCredentialsAtHost(hostUrl, app(), byName);
    assert.equal(
      (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss: string }).iss,
      hostUrl,
    );
    const a = await call('/t/demo/myservices/api/v1/serviceEntitlements', token);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.deepEqual(a.body.items, generateTenantData('demo').entitlements);
    assert.deepEqual(
      rs.logs('sample API listening').map((l) => l.issuers),
      [{ demo: [hostUrl] }],
    );
    const jwks = await rs.waitForLogs('jwks fetched', 1);
    assert.deepEqual(
      jwks.map((l) => l.jwksUri),
      [`${hostUrl}/oauth2/v1/keys`],
    );
  });

  test("the path form's token of the same tenant is served beside it (LATCHKEY_URL), with the path form's keys", async () => {
    const token = await clientCredentials(env.server.url, app());
    const a = await call('/t/demo/myservices/api/v1/serviceEntitlements', token);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const jwks = await rs.waitForLogs('jwks fetched', 2);
    assert.equal(jwks.at(-1)!.jwksUri, `${env.issuer}/oauth2/v1/keys`);
  });

  test("a tenant host's token is refused on another tenant's route, and for a tenant whose host issuer is not listed", async () => {
    const demoAtHost = await clientCredentialsAtHost(hostUrl, app(), byName);
    const a = await call('/t/acme/myservices/api/v1/serviceEntitlements', demoAtHost);
    assert.equal(a.status, 401);
    assert.equal(a.body.errorCode, 'ERR_TOKEN_ISSUER');
    // acme's host issuer is not listed: only its path form is trusted (through LATCHKEY_URL).
    const acmeAtHost = await clientCredentialsAtHost(acmeHostUrl, acme, byName);
    const b = await call('/t/acme/myservices/api/v1/serviceEntitlements', acmeAtHost);
    assert.equal(b.status, 401);
    assert.equal(b.body.errorCode, 'ERR_TOKEN_ISSUER');
    const c = await call(
      '/t/acme/myservices/api/v1/serviceEntitlements',
      await clientCredentials(env.server.url, acme, 'myservices', 'acme'),
    );
    assert.equal(c.status, 200, JSON.stringify(c.body));
  });
});
