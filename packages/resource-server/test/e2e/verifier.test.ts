import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { createVerifier, latchkeyExpress, latchkeyFastify, type Verifier } from '../../src/verifier/index.js';
import { deadUrl } from '../helpers/fake-as.js';
import {
  SAMPLE_AUDIENCE,
  bearer,
  clientCredentials,
  signedWithRealKey,
  type AppCredentials,
} from '../helpers/latchkey.js';

/**
 * The reusable verifier in a user's own API, against a real authorization server: the plain
 * function, the Fastify plugin and the Express middleware.
 */
describe('the verifier embedded in your own API, with real Latchkey tokens', () => {
  let env: InteropEnv;
  let app: AppCredentials;
  let verifier: Verifier;
  let metering: string;
  let myservices: string;

  before(async () => {
    env = await startInteropEnv();
    app = { clientId: env.clientId, clientSecret: env.clientSecret };
    verifier = createVerifier({ latchkeyUrl: env.server.url, audience: SAMPLE_AUDIENCE });
    metering = await clientCredentials(env.server.url, app, 'metering');
    myservices = await clientCredentials(env.server.url, app, 'myservices');
  });
  after(() => env?.close());

  describe('plain function', () => {
    test('verify() returns the claims of a real token', async () => {
      const v = await verifier.verify(metering, { tenant: 'demo', scopes: ['metering'] });
      assert.equal(v.claims.iss, env.issuer);
      assert.equal(v.subject, env.clientId);
      assert.equal(v.clientId, env.clientId);
      assert.deepEqual(v.scopes, ['metering']);
      assert.equal(v.claims.aud, SAMPLE_AUDIENCE);
    });

    test('the clock option: the same real token is expired once its hour (plus 30 s) has passed', async () => {
      const later = createVerifier({
        latchkeyUrl: env.server.url,
        audience: SAMPLE_AUDIENCE,
        now: () => Date.now() + 3631_000,
      });
      await assert.rejects(later.verify(metering, { tenant: 'demo' }), (err: unknown) => {
        assert.equal((err as { code: string }).code, 'ERR_TOKEN_EXPIRED');
        assert.match((err as Error).message, /^Expired token/);
        return true;
      });
      const earlier = createVerifier({
        latchkeyUrl: env.server.url,
        audience: SAMPLE_AUDIENCE,
        now: () => Date.now() + 3500_000,
      });
      await earlier.verify(metering, { tenant: 'demo' });
    });

    test('another audience is refused', async () => {
      const other = createVerifier({ latchkeyUrl: env.server.url, audience: 'urn:other-api' });
      await assert.rejects(other.verify(metering, { tenant: 'demo' }), { code: 'ERR_TOKEN_AUDIENCE' });
    });

    test('many forged-kid tokens: at most one JWKS refetch per 30 s (counted with a fetch wrapper)', async () => {
      let jwksFetches = 0;
      const counted = createVerifier({
        latchkeyUrl: env.server.url,
        audience: SAMPLE_AUDIENCE,
        fetch: (input, init) => {
          if (String(input).endsWith('/oauth2/v1/keys')) jwksFetches++;
          return fetch(input, init);
        },
      });
      await counted.verify(metering, { tenant: 'demo' });
      assert.equal(jwksFetches, 1);
      const claims = JSON.parse(Buffer.from(metering.split('.')[1], 'base64url').toString());
      const forged = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const { privateKey, publicKey } = await generateKeyPair('ES256');
          const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
          return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
        }),
      );
      const burst = await Promise.allSettled(forged.map((t) => counted.verify(t, { tenant: 'demo' })));
      for (const t of forged)
        await assert.rejects(counted.verify(t, { tenant: 'demo' }), { code: 'ERR_TOKEN_UNKNOWN_KEY' });
      assert.ok(burst.every((r) => r.status === 'rejected'));
      assert.equal(jwksFetches, 2, '80 forged kids, one refetch');
      await counted.verify(myservices, { tenant: 'demo' });
      assert.equal(jwksFetches, 2, 'real tokens keep verifying from the cache');
    });
  });

  describe('Fastify plugin', () => {
    let api: FastifyInstance;
    before(async () => {
      api = Fastify();
      // A single-tenant API of the user's own: fixed tenant, scopes per route, one public route.
      await api.register(async (scope) => {
        await scope.register(latchkeyFastify, { verifier, tenant: 'demo', realm: 'reports' });
        scope.get('/reports', { config: { requiredScopes: ['metering'] } }, async (request) => ({
          subject: request.accessToken!.subject,
          scopes: request.accessToken!.scopes,
        }));
        scope.get('/catalogue', { config: { requiredScopes: ['myservices'] } }, async () => ({ ok: true }));
        scope.get('/status', { config: { skipAuth: true } }, async (request) => ({ token: request.accessToken }));
      });
      await api.ready();
    });
    after(() => api?.close());

    test('a valid token reaches the handler with request.accessToken', async () => {
      const r = await api.inject({ url: '/reports', headers: bearer(metering) });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { subject: env.clientId, scopes: ['metering'] });
    });

    test('missing, insufficient, expired', async () => {
      const missing = await api.inject({ url: '/reports' });
      assert.equal(missing.statusCode, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="reports"');
      assert.equal(missing.json().errorCode, 'ERR_TOKEN_MISSING');

      const scope = await api.inject({ url: '/reports', headers: bearer(myservices) });
      assert.equal(scope.statusCode, 403);
      assert.match(String(scope.headers['www-authenticate']), /^Bearer error="insufficient_scope", scope="metering"/);
      assert.match(scope.json().errorMessage, /metering/);
      assert.equal((await api.inject({ url: '/catalogue', headers: bearer(myservices) })).statusCode, 200);

      const expired = await api.inject({ url: '/reports', headers: bearer(await signedWithRealKey(env, -120)) });
      assert.equal(expired.statusCode, 401);
      assert.match(expired.json().errorMessage, /Expired/);
      assert.match(String(expired.headers['www-authenticate']), /^Bearer error="invalid_token"/);
    });

    test('skipAuth routes need no token', async () => {
      const r = await api.inject({ url: '/status' });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(r.json(), { token: null });
    });
  });

  describe('Express middleware', () => {
    let server: Server;
    let base: string;
    before(async () => {
      const ex = express();
      ex.get('/t/:tenant/reports', latchkeyExpress({ verifier, scopes: ['metering'] }), (req, res) => {
        res.json({ tenant: req.accessToken!.tenant, subject: req.accessToken!.subject });
      });
      const down = createVerifier({ latchkeyUrl: await deadUrl(), audience: SAMPLE_AUDIENCE, timeoutMs: 2000 });
      ex.get('/down', latchkeyExpress({ verifier: down, tenant: 'demo' }), (_req, res) => {
        res.json({});
      });
      server = await new Promise<Server>((resolve) => {
        const s = ex.listen(0, '127.0.0.1', () => resolve(s));
      });
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(
      () =>
        new Promise<void>((r) => {
          server?.closeAllConnections();
          if (server) server.close(() => r());
          else r();
        }),
    );

    const get = async (path: string, token?: string) => {
      const r = await fetch(base + path, { headers: token ? bearer(token) : {} });
      return {
        status: r.status,
        challenge: r.headers.get('www-authenticate'),
        body: (await r.json()) as Record<string, string>,
      };
    };

    test('a valid token reaches the handler with req.accessToken; the tenant comes from the route', async () => {
      const r = await get('/t/demo/reports', metering);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { tenant: 'demo', subject: env.clientId });
      const other = await get('/t/acme/reports', metering);
      assert.equal(other.status, 401, 'unknown tenant acme');
    });

    test('missing, insufficient, expired', async () => {
      const missing = await get('/t/demo/reports');
      assert.equal(missing.status, 401);
      assert.equal(missing.challenge, 'Bearer realm="api"');
      const scope = await get('/t/demo/reports', myservices);
      assert.equal(scope.status, 403);
      assert.match(scope.challenge!, /^Bearer error="insufficient_scope", scope="metering"/);
      const expired = await get('/t/demo/reports', await signedWithRealKey(env, -120));
      assert.equal(expired.status, 401);
      assert.match(expired.body.errorMessage, /Expired/);
    });

    test('an unreachable authorization server: 503, never let through', async () => {
      const r = await get('/down', metering);
      assert.equal(r.status, 503);
      assert.equal(r.body.errorCode, 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE');
    });
  });
});
