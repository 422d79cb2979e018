import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { loopbackFetch } from '../../../sdk/test/helpers/loopback-names.js';
import type { Tenant } from '../../../server/src/domain/tenants/model.js';
import { createVerifier, type VerifierOptions } from '../../src/verifier/verify.js';
import { AuthorizationServerUnavailable, type TokenErrorCode } from '../../src/verifier/errors.js';
import {
  SAMPLE_AUDIENCE,
  addTenant,
  clientCredentials,
  clientCredentialsAtHost,
  setHosts,
  signedWithRealKey,
  type AppCredentials,
} from '../helpers/latchkey.js';

async function rejects(p: Promise<unknown>, code: TokenErrorCode, message?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as { code?: string }).code, code, `expected ${code}, got ${(err as Error).message}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  });
}

/**
 * The verifier's `issuers` option against a real Latchkey server whose tenants demo and acme have
 * hosts of their own (demo.id.test, acme.id.test: registered through the platform API, reached on
 * loopback with the Host header kept). Tokens are the server's own, asked for at a host's root or in
 * the path form. Two refusals need a token the server would never issue: those are signed with the
 * tenant's real key (the server's signer on its store, helpers/latchkey.ts signedWithRealKey) and
 * checked against the keys and metadata the real server serves.
 */
describe('verify() with issuers, against tenant hosts of a real server', () => {
  let env: InteropEnv;
  let acme: AppCredentials & { tenant: Tenant };
  let hostUrl: string;
  let acmeHostUrl: string;
  const byName = loopbackFetch('.id.test');
  /** Every URL the verifiers fetched, in order. */
  const seen: string[] = [];
  const verifier = (o: Partial<VerifierOptions>) =>
    createVerifier({
      audience: SAMPLE_AUDIENCE,
      fetch: (input, init) => {
        seen.push(String(input));
        return byName(input, init);
      },
      ...o,
    });
  const app = () => ({ clientId: env.clientId, clientSecret: env.clientSecret });

  before(async () => {
    env = await startInteropEnv();
    acme = await addTenant(env, 'acme');
    await setHosts(env.server.url, 'demo', ['demo.id.test']);
    await setHosts(env.server.url, 'acme', ['acme.id.test']);
    hostUrl = `http://demo.id.test:${env.server.port}`;
    acmeHostUrl = `http://acme.id.test:${env.server.port}`;
  });
  after(() => env?.close());

  test("a tenant host's token: metadata and keys fetched at the host's root, iss exactly the host", async () => {
    const v = verifier({ issuers: { demo: `${hostUrl}/` } });
    const token = await clientCredentialsAtHost(hostUrl, app(), byName);
    const from = seen.length;
    const ok = await v.verify(token, { tenant: 'demo', scopes: ['metering'] });
    assert.equal(ok.subject, env.clientId);
    assert.equal(ok.claims.iss, hostUrl);
    assert.deepEqual(seen.slice(from), [
      `${hostUrl}/.well-known/oauth-authorization-server`,
      `${hostUrl}/oauth2/v1/keys`,
    ]);
    await v.verify(token, { tenant: 'demo' });
    assert.equal(seen.length, from + 2, 'cached');
  });

  test('without latchkeyUrl, only the listed issuers: the path form of the same tenant, other tenants, refused before any fetch', async () => {
    const v = verifier({ issuers: { demo: hostUrl } });
    const pathToken = await clientCredentials(env.server.url, app());
    const acmeToken = await clientCredentialsAtHost(acmeHostUrl, acme, byName);
    const from = seen.length;
    await rejects(
      v.verify(pathToken, { tenant: 'demo' }),
      'ERR_TOKEN_ISSUER',
      new RegExp(`issued by "${env.issuer}", tenant "demo" expects "${hostUrl}"`),
    );
    await rejects(v.verify(acmeToken, { tenant: 'acme' }), 'ERR_UNKNOWN_TENANT', /this API trusts no issuer for it/);
    assert.equal(seen.length, from);
  });

  test("one tenant's host token on another tenant's route is refused, even signed by a key the other publishes", async () => {
    const v = verifier({ issuers: { demo: hostUrl, acme: acmeHostUrl } });
    const acmeToken = await clientCredentialsAtHost(acmeHostUrl, acme, byName);
    assert.equal((await v.verify(acmeToken, { tenant: 'acme' })).claims.iss, acmeHostUrl);
    await rejects(v.verify(acmeToken, { tenant: 'demo' }), 'ERR_TOKEN_ISSUER');
    // acme's real key, demo's host as issuer: the issuer decides the tenant, and demo's keys (as its
    // host serves them) do not include acme's.
    const forged = await signedWithRealKey(env, 600, 'metering', { tenant: acme.tenant, issuer: hostUrl });
    await rejects(v.verify(forged, { tenant: 'acme' }), 'ERR_TOKEN_ISSUER');
    await rejects(v.verify(forged, { tenant: 'demo' }), 'ERR_TOKEN_UNKNOWN_KEY');
  });

  test('both forms for one tenant: its host issuer listed and latchkeyUrl for the path form', async () => {
    const v = verifier({ latchkeyUrl: env.server.url, issuers: { demo: hostUrl } });
    await v.verify(await clientCredentialsAtHost(hostUrl, app(), byName), { tenant: 'demo' });
    await v.verify(await clientCredentials(env.server.url, app()), { tenant: 'demo' });
    // Tenants not listed keep the path form through latchkeyUrl, and only it.
    await v.verify(await clientCredentials(env.server.url, acme, 'myservices', 'acme'), { tenant: 'acme' });
    await rejects(
      v.verify(await clientCredentialsAtHost(acmeHostUrl, acme, byName), { tenant: 'acme' }),
      'ERR_TOKEN_ISSUER',
    );
  });

  test('a listed path-form issuer is found at its RFC 8414 address without latchkeyUrl', async () => {
    const v = verifier({ issuers: { acme: `${env.server.url}/t/acme` } });
    const token = await clientCredentials(env.server.url, acme, 'myservices', 'acme');
    const from = seen.length;
    await v.verify(token, { tenant: 'acme' });
    assert.equal(seen[from], `${env.server.url}/.well-known/oauth-authorization-server/t/acme`);
  });

  test('metadata naming another issuer than the one listed is not trusted (503, fails closed): the server reached by a name it does not call itself', async () => {
    // At `localhost` (a direct address) the server serves path tenancy under PUBLIC_URL's issuer,
    // http://127.0.0.1:{port}/t/demo. The token claims the listed issuer; only the metadata can tell.
    const listed = `http://localhost:${env.server.port}/t/demo`;
    const v = createVerifier({
      audience: SAMPLE_AUDIENCE,
      fetch: loopbackFetch('localhost'),
      issuers: { demo: listed },
    });
    const token = await signedWithRealKey(env, 600, 'metering', { tenant: env.tenant, issuer: listed });
    await assert.rejects(v.verify(token, { tenant: 'demo' }), (err: unknown) => {
      assert.ok(err instanceof AuthorizationServerUnavailable);
      assert.match(err.detail ?? '', new RegExp(`its issuer "${env.issuer}" is not "${listed}"`));
      return true;
    });
  });
});
