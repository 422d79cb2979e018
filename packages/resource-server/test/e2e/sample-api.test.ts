import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../../../server/test/helpers/harness.js';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { issueTokens } from '../../../server/src/domain/tokens/issue.js';
import { createUser } from '../../../server/src/domain/users/service.js';
import { generateTenantData } from '../../src/data/seed.js';
import {
  addTenant,
  bearer,
  clientCredentials,
  passwordGrant,
  signedWithRealKey,
  type AppCredentials,
} from '../helpers/latchkey.js';
import { startResourceServer, type ResourceProcess } from '../helpers/resource-process.js';

type Answer = {
  status: number;
  challenge: string | null;
  body: Record<string, unknown> & { errorMessage?: string; errorCode?: string };
};

/**
 * The sample API as a process next to a real Latchkey process: it knows only LATCHKEY_URL (for
 * RFC 8414 discovery) and its audience, and judges real tokens offline.
 */
describe('sample API process with tokens from a real authorization server', () => {
  let env: InteropEnv;
  let rs: ResourceProcess;
  let acme: AppCredentials;
  let app: AppCredentials;
  let full: string;

  async function call(path: string, token?: string): Promise<Answer> {
    const r = await fetch(`${rs.url}${path}`, { headers: token === undefined ? {} : bearer(token) });
    return { status: r.status, challenge: r.headers.get('www-authenticate'), body: (await r.json()) as Answer['body'] };
  }
  const ENTITLEMENTS = '/t/demo/myservices/api/v1/serviceEntitlements';
  const USAGE = '/t/demo/metering/api/v1/usage';

  function invalidToken(a: Answer, code: string) {
    assert.equal(a.status, 401, JSON.stringify(a.body));
    assert.equal(a.body.errorCode, code, a.body.errorMessage);
    assert.equal(typeof a.body.errorMessage, 'string');
    assert.match(a.challenge ?? '', /^Bearer error="invalid_token", error_description="[^"]+"$/);
  }

  before(async () => {
    env = await startInteropEnv();
    app = { clientId: env.clientId, clientSecret: env.clientSecret };
    acme = await addTenant(env, 'acme');
    rs = await startResourceServer({ LATCHKEY_URL: env.server.url });
    full = await clientCredentials(env.server.url, app, 'myservices metering');
  });
  after(async () => {
    await rs?.stop();
    await env?.close();
  });

  test("a real token reads every endpoint of its tenant, with the tenant's data", async () => {
    const data = generateTenantData('demo');
    const ents = await call(ENTITLEMENTS, full);
    assert.equal(ents.status, 200, JSON.stringify(ents.body));
    assert.deepEqual(ents.body, { items: data.entitlements, nextCursor: null });
    const inst = await call('/t/demo/myservices/api/v1/instances?limit=2', full);
    assert.equal(inst.status, 200);
    assert.deepEqual(inst.body.items, data.instances.slice(0, 2));
    const usage = await call(`${USAGE}?from=2025-02-01&to=2025-02-28&limit=500`, full);
    assert.equal(usage.status, 200);
    assert.deepEqual(
      usage.body.items,
      data.usage.filter((u) => u.date >= '2025-02-01' && u.date <= '2025-02-28').slice(0, 500),
    );
  });

  test("a user's token (password grant; audience = this API and the issuer) works too", async () => {
    const user = await passwordGrant(env.server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.equal((await call(USAGE, user)).status, 200);
  });

  test('no token: 401 with a bare realm challenge (RFC 6750 §3.1) and an errorMessage', async () => {
    const a = await call(ENTITLEMENTS);
    assert.equal(a.status, 401);
    assert.equal(a.challenge, 'Bearer realm="latchkey-sample-api"');
    assert.equal(a.body.errorCode, 'ERR_TOKEN_MISSING');
    assert.match(a.body.errorMessage!, /Bearer/);
    const basic = await fetch(`${rs.url}${ENTITLEMENTS}`, { headers: { authorization: 'Basic dTpw' } });
    assert.equal(basic.status, 401);
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer realm="latchkey-sample-api"');
  });

  test('malformed tokens', async () => {
    invalidToken(await call(ENTITLEMENTS, 'not-a-jwt'), 'ERR_TOKEN_MALFORMED');
    invalidToken(await call(ENTITLEMENTS, full.split('.').slice(0, 2).join('.')), 'ERR_TOKEN_MALFORMED');
  });

  test('badly signed: a foreign key under the real kid, and a foreign key with its own kid', async () => {
    const { kid } = decodeProtectedHeader(full);
    const claims = JSON.parse(Buffer.from(full.split('.')[1], 'base64url').toString());
    const { privateKey } = await generateKeyPair('ES256');
    invalidToken(
      await call(
        ENTITLEMENTS,
        await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey),
      ),
      'ERR_TOKEN_SIGNATURE',
    );
    invalidToken(
      await call(
        ENTITLEMENTS,
        await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' }).sign(privateKey),
      ),
      'ERR_TOKEN_UNKNOWN_KEY',
    );
  });

  test("wrong issuer: signed with the tenant's real key by the server's own code, for another PUBLIC_URL", async () => {
    const elsewhere = await env.contextFor('https://elsewhere.example');
    const token = (
      await issueTokens(elsewhere, env.tenant, {
        client: env.client,
        userId: null,
        scopes: ['myservices'],
        withRefresh: false,
      })
    ).access_token;
    assert.equal(
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).iss,
      'https://elsewhere.example/t/demo',
    );
    const a = await call(ENTITLEMENTS, token);
    invalidToken(a, 'ERR_TOKEN_ISSUER');
    assert.match(a.body.errorMessage!, /Wrong issuer/);
  });

  test('wrong audience: an app whose scopes belong to no resource gets aud = the issuer', async () => {
    const bare = await env.createApp({ name: 'no resource', grantTypes: ['client_credentials'], scopes: [] });
    const token = await clientCredentials(env.server.url, bare);
    assert.equal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud, env.issuer);
    const a = await call(ENTITLEMENTS, token);
    invalidToken(a, 'ERR_TOKEN_AUDIENCE');
    assert.match(a.body.errorMessage!, /urn:latchkey:sample-api/);
  });

  test('a user whose roles grant no scope of this API is told so, not just that the audience is wrong', async () => {
    await createUser(
      env.store,
      env.tenant,
      { email: 'no-roles@demo.test', displayName: 'No roles', password: 'a password of no roles' },
      { type: 'system', id: null },
    );
    const token = await passwordGrant(env.server.url, 'no-roles@demo.test', 'a password of no roles');
    const a = await call(ENTITLEMENTS, token);
    invalidToken(a, 'ERR_TOKEN_AUDIENCE');
    assert.equal(
      a.body.errorMessage,
      `This token grants no scope of this API ("urn:latchkey:sample-api"): it is for "${env.issuer}" only. ` +
        "The roles of its user (or the scopes chosen for its client) include none of this API's scopes: ask a domain manager for a role that grants them, then get a new token",
    );
  });

  test("another tenant's token is refused on this tenant's paths, and works on its own", async () => {
    const acmeToken = await clientCredentials(env.server.url, acme, 'myservices metering', 'acme');
    invalidToken(await call(ENTITLEMENTS, acmeToken), 'ERR_TOKEN_ISSUER');
    invalidToken(await call('/t/demo/metering/api/v1/usage', acmeToken), 'ERR_TOKEN_ISSUER');
    const own = await call('/t/acme/myservices/api/v1/serviceEntitlements', acmeToken);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.items, generateTenantData('acme').entitlements);
    invalidToken(await call('/t/acme/myservices/api/v1/serviceEntitlements', full), 'ERR_TOKEN_ISSUER');
  });

  test('an unknown tenant', async () => {
    invalidToken(await call('/t/nope/myservices/api/v1/serviceEntitlements', full), 'ERR_UNKNOWN_TENANT');
  });

  test('expired: signed with the tenant\'s real key, past the 30 s tolerance: 401 and "Expired"', async () => {
    const expired = await signedWithRealKey(env, -120);
    const a = await call(ENTITLEMENTS, expired);
    invalidToken(a, 'ERR_TOKEN_EXPIRED');
    assert.match(a.body.errorMessage!, /Expired/);
    assert.match(a.challenge!, /Expired/);
    // Within the clock-skew allowance it still passes.
    assert.equal((await call(ENTITLEMENTS, await signedWithRealKey(env, -10))).status, 200);
  });

  test('insufficient scope: 403, the challenge and the message name the scope needed', async () => {
    const myservices = await clientCredentials(env.server.url, app, 'myservices');
    assert.equal((await call(ENTITLEMENTS, myservices)).status, 200);
    const a = await call(USAGE, myservices);
    assert.equal(a.status, 403);
    assert.match(a.challenge!, /^Bearer error="insufficient_scope", scope="metering"/);
    assert.equal(a.body.errorCode, 'ERR_INSUFFICIENT_SCOPE');
    assert.match(a.body.errorMessage!, /metering/);
    const metering = await clientCredentials(env.server.url, app, 'metering');
    const b = await call(ENTITLEMENTS, metering);
    assert.equal(b.status, 403);
    assert.match(b.challenge!, /scope="myservices"/);
  });

  test('all of the above cost one metadata and one JWKS fetch per tenant, plus one refetch for the forged kid', async () => {
    const jwks = await rs.waitForLogs('jwks fetched', 3);
    const demo = jwks.filter((l) => String(l.jwksUri).includes('/t/demo/'));
    assert.deepEqual(
      demo.map((l) => l.reason),
      ['initial', 'unknown-kid'],
    );
    assert.deepEqual(
      jwks.filter((l) => String(l.jwksUri).includes('/t/acme/')).map((l) => l.reason),
      ['initial'],
    );
    const md = await rs.waitForLogs('authorization server metadata fetched', 3);
    assert.deepEqual(md.map((l) => `${l.tenant}:${l.outcome}`).sort(), ['acme:found', 'demo:found', 'nope:unknown']);
  });
});
