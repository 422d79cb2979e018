import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SignJWT,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type JWK,
} from 'jose';
import { basic, form } from '../helpers/harness.js';
import { startInteropEnv, SAMPLE_AUDIENCE, type InteropEnv } from './setup.js';
import type { ServerProcess } from '../helpers/process.js';
import { issueTokens } from '../../src/domain/tokens/issue.js';

/**
 * Resource-server-side verification with jose (what any RFC 9068 resource server does): the tenant's
 * JWKS from the real server's metadata, tokens from the real token endpoint, and key rotation.
 */
describe('jose verifies real Latchkey access tokens from the published JWKS', () => {
  let env: InteropEnv;
  let jwksUri: string;

  const verifyOptions = (issuer: string) => ({
    issuer,
    audience: SAMPLE_AUDIENCE,
    typ: 'at+jwt',
    algorithms: ['ES256'],
  });

  async function clientCredentials(server: ServerProcess, scope = 'myservices'): Promise<string> {
    const r = await fetch(`${server.url}/t/demo/oauth2/v1/token`, {
      method: 'POST',
      headers: {
        authorization: basic(env.clientId, env.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({ grant_type: 'client_credentials', scope }),
    });
    const body = (await r.json()) as Record<string, unknown>;
    assert.equal(r.status, 200, JSON.stringify(body));
    return body.access_token as string;
  }

  async function introspectAt(
    server: ServerProcess,
    token: string,
  ): Promise<Record<string, unknown> & { active: boolean }> {
    const r = await fetch(`${server.url}/t/demo/oauth2/v1/introspect`, {
      method: 'POST',
      headers: {
        authorization: basic(env.clientId, env.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({ token }),
    });
    assert.equal(r.status, 200);
    return (await r.json()) as Record<string, unknown> & { active: boolean };
  }

  async function jwks(server: ServerProcess): Promise<JWK[]> {
    const r = await fetch(`${server.url}/t/demo/oauth2/v1/keys`);
    assert.equal(r.status, 200);
    return ((await r.json()) as { keys: JWK[] }).keys;
  }

  before(async () => {
    env = await startInteropEnv();
    const md = (await (
      await fetch(`${env.server.url}/.well-known/oauth-authorization-server/t/demo`)
    ).json()) as Record<string, string>;
    assert.equal(md.issuer, env.issuer);
    jwksUri = md.jwks_uri!;
    assert.equal(jwksUri, `${env.issuer}/oauth2/v1/keys`);
  });
  after(async () => {
    await env?.close();
  });

  test('the JWKS is a proper public EC key set whose kids are RFC 7638 thumbprints', async () => {
    const r = await fetch(jwksUri);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/jwk-set\+json/);
    const { keys } = (await r.json()) as { keys: JWK[] };
    assert.equal(keys.length, 1);
    for (const k of keys) {
      assert.equal(k.kty, 'EC');
      assert.equal(k.crv, 'P-256');
      assert.equal(k.alg, 'ES256');
      assert.equal(k.use, 'sig');
      assert.equal(k.d, undefined, 'no private key material in the JWKS');
      assert.equal(k.kid, await calculateJwkThumbprint(k, 'sha256'));
    }
  });

  test('a real access token verifies with createRemoteJWKSet + jwtVerify and carries the RFC 9068 claims', async () => {
    const token = await clientCredentials(env.server, 'myservices');
    const JWKS = createRemoteJWKSet(new URL(jwksUri));
    const { payload, protectedHeader } = await jwtVerify(token, JWKS, verifyOptions(env.issuer));
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(typeof protectedHeader.kid, 'string');
    assert.equal(payload.iss, env.issuer);
    assert.equal(payload.aud, SAMPLE_AUDIENCE);
    assert.equal(payload.sub, env.clientId);
    assert.equal(payload.client_id, env.clientId);
    assert.equal(payload.scope, 'myservices');
    assert.equal(typeof payload.jti, 'string');
    assert.ok(payload.iat! <= Math.floor(Date.now() / 1000) + 1);
    assert.equal(payload.exp! - payload.iat!, 3600);
  });

  test('the verifier options bite: wrong audience, wrong issuer, wrong typ are rejected', async () => {
    const token = await clientCredentials(env.server);
    const JWKS = createRemoteJWKSet(new URL(jwksUri));
    await assert.rejects(
      jwtVerify(token, JWKS, { ...verifyOptions(env.issuer), audience: 'urn:other' }),
      (err: unknown) => err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud',
    );
    await assert.rejects(
      jwtVerify(token, JWKS, verifyOptions(`${env.server.url}/t/other`)),
      (err: unknown) => err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss',
    );
    await assert.rejects(
      jwtVerify(token, JWKS, { ...verifyOptions(env.issuer), typ: 'JWT' }),
      (err: unknown) => err instanceof errors.JWTClaimValidationFailed && err.claim === 'typ',
    );
  });

  test('a token signed by a foreign ES256 key with the same kid, iss, aud and typ fails verification', async () => {
    const real = await clientCredentials(env.server);
    const { kid } = decodeProtectedHeader(real);
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    const JWKS = createRemoteJWKSet(new URL(jwksUri));
    await assert.rejects(
      jwtVerify(forged, JWKS, verifyOptions(env.issuer)),
      (err: unknown) => err instanceof errors.JWSSignatureVerificationFailed,
    );

    // A token whose kid is unknown to the JWKS is rejected too (no key matches).
    const { privateKey: other, publicKey } = await generateKeyPair('ES256');
    const otherKid = await calculateJwkThumbprint(await exportJWK(publicKey));
    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: otherKid })
      .sign(other);
    await assert.rejects(
      jwtVerify(unknownKid, JWKS, verifyOptions(env.issuer)),
      (err: unknown) => err instanceof errors.JWKSNoMatchingKey,
    );

    // And the server itself does not take the forgery for one of its tokens (the real one is active).
    assert.equal((await introspectAt(env.server, real)).active, true);
    assert.deepEqual(await introspectAt(env.server, forged), { active: false });
  });

  test('after an on-demand key rotation the old kid stays published and old tokens still verify', async () => {
    const oldToken = await clientCredentials(env.server, 'metering');
    const oldKid = decodeProtectedHeader(oldToken).kid!;
    const before = await jwks(env.server);
    assert.deepEqual(
      before.map((k) => k.kid),
      [oldKid],
    );

    // Rotate store-side, as an administrator's "rotate now" would from any process.
    const newKid = await env.services.keys.rotate(env.tenant, 'manual');
    assert.notEqual(newKid, oldKid);
    const live = await env.store.signingKeys.live(env.tenant.id, Date.now());
    const retired = live.find((k) => k.kid === oldKid);
    assert.ok(retired, 'the retired key is still live in the store');
    assert.equal(retired.status, 'retired');
    assert.ok(
      retired.expiresAt! >= Date.now() + env.tenant.accessTokenTtlSeconds * 1000,
      'the retired key is kept at least as long as the tokens it signed can live',
    );
    assert.equal(live.find((k) => k.status === 'active')?.kid, newKid);

    // The running server (which may still have the old key set cached) keeps publishing the old kid,
    // and a fresh remote key set built from it verifies the token issued before the rotation.
    assert.ok((await jwks(env.server)).some((k) => k.kid === oldKid));
    await jwtVerify(oldToken, createRemoteJWKSet(new URL(jwksUri)), verifyOptions(env.issuer));

    // A server process started after the rotation (on a copy of the store: one process serves a
    // SQLite data directory) loads fresh: it publishes both keys and signs with the new one.
    const fresh = await env.startOnCopy();
    const freshIssuer = `${fresh.url}/t/demo`;
    const freshKeys = await jwks(fresh);
    assert.deepEqual(new Set(freshKeys.map((k) => k.kid)), new Set([oldKid, newKid]));
    const freshJWKS = createRemoteJWKSet(new URL(`${freshIssuer}/oauth2/v1/keys`));
    const newToken = await clientCredentials(fresh, 'metering');
    assert.equal(decodeProtectedHeader(newToken).kid, newKid);
    // One remote key set serves both generations: the token from before the rotation and the new one.
    const a = await jwtVerify(oldToken, freshJWKS, verifyOptions(env.issuer));
    const b = await jwtVerify(newToken, freshJWKS, verifyOptions(freshIssuer));
    assert.equal(a.protectedHeader.kid, oldKid);
    assert.equal(b.protectedHeader.kid, newKid);

    // The first server, which may still hold the pre-rotation key set, meets a new-key token for its
    // own issuer (signed store-side, as another process of a cluster would): the unknown kid makes it
    // reload, so the token is active, and from then on its JWKS publishes both keys.
    const sameIssuer = await env.contextFor(env.server.url);
    const crossProcess = (
      await issueTokens(sameIssuer, env.tenant, {
        client: env.client,
        userId: null,
        scopes: ['metering'],
        withRefresh: false,
      })
    ).access_token;
    assert.equal(decodeProtectedHeader(crossProcess).kid, newKid);
    assert.equal((await introspectAt(env.server, crossProcess)).active, true);
    assert.deepEqual(new Set((await jwks(env.server)).map((k) => k.kid)), new Set([oldKid, newKid]));
    await jwtVerify(crossProcess, createRemoteJWKSet(new URL(jwksUri)), verifyOptions(env.issuer));
    // After that reload the first server signs with the new key too.
    assert.equal(decodeProtectedHeader(await clientCredentials(env.server)).kid, newKid);
    // Tokens of both generations stay active at the server whose issuer they name.
    assert.equal((await introspectAt(env.server, oldToken)).active, true);
    assert.equal((await introspectAt(fresh, newToken)).active, true);
    // A token names its issuer: the first server does not take the fresh server's token as its own.
    assert.equal((await introspectAt(env.server, newToken)).active, false);
  });
});
