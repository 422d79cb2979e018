import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem } from '../helpers/api-client.js';
import { changeTenant } from '../helpers/oauth.js';
import { startUpstreamProvider } from '../helpers/oidc-upstream.js';

/** A discovery-document server on loopback that answers what it is told and counts the requests. */
async function startDocServer(answer: (issuer: string) => { status: number; type: string; body: string }) {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const a = answer(issuer);
    res.writeHead(a.status, { 'content-type': a.type }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const validDocument = (issuer: string) => ({
  status: 200,
  type: 'application/json',
  body: JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  }),
});

const base = {
  name: 'Acme',
  clientId: 'latchkey',
  clientSecret: 'a client secret',
  allowedEmailDomains: ['acme.test'],
};

for (const backend of await backends()) {
  describe(`identity providers are reached through the outbound guard (${backend})`, () => {
    let guarded: TestServer;
    let open: TestServer;
    let guardedAdmin: Awaited<ReturnType<typeof login>>;
    let openAdmin: Awaited<ReturnType<typeof login>>;

    before(async () => {
      guarded = await createTestServer(backend, { LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '0' });
      open = await createTestServer(backend, { LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '1' });
      for (const s of [guarded, open]) await changeTenant(s, { enterpriseEnabled: true });
      guardedAdmin = await login(guarded, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      openAdmin = await login(open, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
    });
    after(async () => {
      await guarded.close();
      await open.close();
    });

    test('with the guard on, an issuer on loopback is refused before any request, and nothing is saved', async () => {
      const doc = await startDocServer(validDocument);
      try {
        const res = await as(guarded, guardedAdmin).request('POST', '/t/demo/api/v1/identity-providers', {
          ...base,
          issuer: doc.issuer,
        });
        const detail = problem(res, 400);
        assert.equal(
          detail,
          `the issuer's discovery document (${doc.issuer}/.well-known/openid-configuration) could not be fetched: address not allowed`,
        );
        assert.match(res.json().type, /issuer-unreachable$/);
        assert.equal(doc.requests(), 0, 'no request reached the address');
        const tenant = (await guarded.store.tenants.bySlug('demo'))!;
        assert.equal((await guarded.store.identityProviders.list(tenant.id)).length, 0);
        assert.equal((await guarded.store.audit.list(tenant.id, { action: 'identity_provider.created' }, 5)).length, 0);
      } finally {
        await doc.close();
      }
    });

    test('with private addresses allowed, a failed discovery says only a coarse class', async () => {
      const manage = (body: object) => as(open, openAdmin).request('POST', '/t/demo/api/v1/identity-providers', body);
      // Nothing listens: the error names no code, address or port beyond the issuer itself.
      const closed = net.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const closedIssuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise<void>((r) => closed.close(() => r()));
      let res = await manage({ ...base, issuer: closedIssuer });
      assert.equal(
        problem(res, 400),
        `the issuer's discovery document (${closedIssuer}/.well-known/openid-configuration) could not be fetched: connection failed`,
      );

      const missing = await startDocServer(() => ({
        status: 404,
        type: 'text/html',
        body: '<h1>Not here: internal wiki 3.2</h1>',
      }));
      const html = await startDocServer(() => ({
        status: 200,
        type: 'application/json',
        body: '<html>internal admin console, build 7f3a</html>',
      }));
      try {
        res = await manage({ ...base, issuer: missing.issuer });
        assert.match(problem(res, 400), /could not be fetched: HTTP 404$/);
        res = await manage({ ...base, issuer: html.issuer });
        const detail = problem(res, 400);
        assert.match(res.json().type, /issuer-invalid$/);
        assert.match(detail, /^the issuer's discovery document is not valid: /);
        assert.doesNotMatch(detail, /internal|admin|7f3a|<html>/, 'nothing of the answer is quoted');
      } finally {
        await Promise.all([missing.close(), html.close()]);
      }
    });

    test('every later request to the provider (token, JWKS, userinfo) goes through the guard as well', async () => {
      const upstream = await startUpstreamProvider({
        redirectUris: [`${open.config.publicUrl}/t/demo/login/sso/callback`],
        accounts: [],
      });
      try {
        const res = await as(open, openAdmin).request('POST', '/t/demo/api/v1/identity-providers', {
          ...base,
          issuer: upstream.issuer,
          clientId: upstream.clientId,
          clientSecret: upstream.clientSecret,
        });
        assert.equal(res.statusCode, 201, res.body);
        const provider = (await open.store.identityProviders.byId(
          (await open.store.tenants.bySlug('demo'))!.id,
          res.json().id,
        ))!;
        const config = await open.services.ssoConfigs.get(provider);
        assert.equal(config[oidc.customFetch], open.services.outbound.fetch);
      } finally {
        await upstream.close();
      }
    });
  });
}
