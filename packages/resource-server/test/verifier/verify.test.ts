import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, generateKeyPair, exportJWK } from 'jose';
import { createVerifier, type VerifierOptions } from '../../src/verifier/verify.js';
import {
  AuthorizationServerUnavailable,
  InsufficientScope,
  InvalidToken,
  type TokenErrorCode,
} from '../../src/verifier/errors.js';
import { AUDIENCE, FakeAuthorizationServer, deadUrl, manualClock, newKey } from '../helpers/fake-as.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function rejects(p: Promise<unknown>, code: TokenErrorCode, message?: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.equal((err as { code?: string }).code, code, `expected ${code}, got ${(err as Error).message}`);
    if (message) assert.match((err as Error).message, message);
    return true;
  });
}

describe('verify(): offline checks of Latchkey access tokens', () => {
  const as = new FakeAuthorizationServer();
  const verifier = (o: Partial<VerifierOptions> = {}) =>
    createVerifier({ latchkeyUrl: as.url, audience: AUDIENCE, ...o });

  before(async () => {
    await as.start();
    await as.addTenant('demo');
    await as.addTenant('acme');
  });
  after(() => as.stop());

  test('a valid token yields its claims and scopes', async () => {
    const token = await as.mint('demo', { claims: { sub: 'user-1', scope: 'myservices metering' } });
    const v = await verifier().verify(token, { tenant: 'demo', scopes: ['metering'] });
    assert.equal(v.tenant, 'demo');
    assert.equal(v.subject, 'user-1');
    assert.equal(v.clientId, 'lk_app_test');
    assert.deepEqual(v.scopes, ['myservices', 'metering']);
    assert.equal(v.claims.iss, as.issuer('demo'));
  });

  test('an audience list naming this API is accepted; typ application/at+jwt too', async () => {
    const token = await as.mint('demo', {
      claims: { aud: [AUDIENCE, as.issuer('demo')] },
      header: { typ: 'application/at+jwt' },
    });
    await verifier().verify(token, { tenant: 'demo' });
  });

  test('a missing scope is InsufficientScope (403) naming it', async () => {
    const token = await as.mint('demo', { claims: { scope: 'myservices' } });
    await assert.rejects(verifier().verify(token, { tenant: 'demo', scopes: ['metering'] }), (err: unknown) => {
      assert.ok(err instanceof InsufficientScope);
      assert.equal(err.status, 403);
      assert.deepEqual(err.required, ['metering']);
      assert.match(err.message, /"metering"/);
      return true;
    });
    const none = await as.mint('demo', { claims: { scope: '' } });
    await rejects(
      verifier().verify(none, { tenant: 'demo', scopes: ['myservices'] }),
      'ERR_INSUFFICIENT_SCOPE',
      /has none/,
    );
  });

  test('expired: past exp beyond the 30 s tolerance; within it still accepted; the message says Expired', async () => {
    const v = verifier();
    await v.verify(await as.mint('demo', { ttl: -20 }), { tenant: 'demo' });
    await rejects(
      v.verify(await as.mint('demo', { ttl: -31 }), { tenant: 'demo' }),
      'ERR_TOKEN_EXPIRED',
      /^Expired token: /,
    );
    await rejects(
      verifier({ clockToleranceSeconds: 0 }).verify(await as.mint('demo', { ttl: -2 }), { tenant: 'demo' }),
      'ERR_TOKEN_EXPIRED',
      /Expired/,
    );
  });

  test('the clock option: a fresh token is expired an hour and a half later', async () => {
    const clock = manualClock();
    const v = verifier({ now: clock.now });
    const token = await as.mint('demo', { ttl: 3600 });
    await v.verify(token, { tenant: 'demo' });
    clock.advance(3600 + 31);
    await rejects(v.verify(token, { tenant: 'demo' }), 'ERR_TOKEN_EXPIRED', /Expired/);
  });

  test('nbf in the future beyond the tolerance is not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    await verifier().verify(await as.mint('demo', { claims: { nbf: now + 20 } }), { tenant: 'demo' });
    await rejects(
      verifier().verify(await as.mint('demo', { claims: { nbf: now + 120 } }), { tenant: 'demo' }),
      'ERR_TOKEN_NOT_YET_VALID',
    );
  });

  test('wrong audience', async () => {
    const token = await as.mint('demo', { claims: { aud: as.issuer('demo') } });
    await rejects(
      verifier().verify(token, { tenant: 'demo' }),
      'ERR_TOKEN_AUDIENCE',
      /^This token grants no scope of this API \("urn:latchkey:sample-api"\): it is for "[^"]+\/t\/demo" only\. The roles of its user \(or the scopes chosen for its client\) include none of this API's scopes: ask a domain manager for a role that grants them, then get a new token$/,
    );
  });

  test("wrong issuer, and another tenant's token, are refused before any key is fetched", async () => {
    const v = verifier();
    const before = as.counters.jwks;
    const acme = await as.mint('acme');
    await rejects(v.verify(acme, { tenant: 'demo' }), 'ERR_TOKEN_ISSUER', /t\/acme/);
    await rejects(
      v.verify(await as.mint('demo', { claims: { iss: 'https://evil.example/t/demo' } }), { tenant: 'demo' }),
      'ERR_TOKEN_ISSUER',
    );
    assert.equal(as.counters.jwks, before, 'no JWKS fetch for a token that names another issuer');
    await v.verify(acme, { tenant: 'acme' });
  });

  test('typ must be at+jwt', async () => {
    await rejects(
      verifier().verify(await as.mint('demo', { header: { typ: 'JWT' } }), { tenant: 'demo' }),
      'ERR_TOKEN_TYPE',
    );
    await rejects(
      verifier().verify(await as.mint('demo', { header: { typ: undefined } }), { tenant: 'demo' }),
      'ERR_TOKEN_TYPE',
    );
  });

  test('required RFC 9068 claims: exp, client_id, jti, sub, iat', async () => {
    for (const claim of ['exp', 'client_id', 'jti', 'sub', 'iat']) {
      await rejects(
        verifier().verify(await as.mint('demo', { claims: { [claim]: undefined } }), { tenant: 'demo' }),
        'ERR_TOKEN_CLAIMS',
        new RegExp(claim),
      );
    }
  });

  test('a token signed by a foreign key with a published kid fails the signature check', async () => {
    const foreign = await newKey();
    const token = await as.mint('demo', { key: { ...foreign, kid: as.activeKey('demo').kid } });
    await rejects(verifier().verify(token, { tenant: 'demo' }), 'ERR_TOKEN_SIGNATURE');
    // Tampered payload, real signature.
    const real = await as.mint('demo', { claims: { scope: 'myservices' } });
    const [h, , s] = real.split('.');
    const tampered = `${h}.${b64({ ...JSON.parse(Buffer.from(real.split('.')[1], 'base64url').toString()), scope: 'metering myservices' })}.${s}`;
    await rejects(verifier().verify(tampered, { tenant: 'demo' }), 'ERR_TOKEN_SIGNATURE');
  });

  test('a foreign key with an unknown kid is an unknown key', async () => {
    const token = await as.mint('demo', { key: await newKey() });
    await rejects(verifier().verify(token, { tenant: 'demo' }), 'ERR_TOKEN_UNKNOWN_KEY');
  });

  test('alg none, HMAC with the public key (alg confusion) and RS256 are refused without fetching keys', async () => {
    const v = verifier();
    const before = { ...as.counters };
    const claims = JSON.parse(Buffer.from((await as.mint('demo')).split('.')[1], 'base64url').toString());
    const kid = as.activeKey('demo').kid;
    await rejects(
      v.verify(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims)}.`, { tenant: 'demo' }),
      'ERR_TOKEN_ALGORITHM',
    );
    // The classic confusion: HS256 keyed with the server's public key, which anyone can fetch.
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
    const mac = createHmac('sha256', JSON.stringify(as.activeKey('demo').publicJwk))
      .update(input)
      .digest('base64url');
    await rejects(v.verify(`${input}.${mac}`, { tenant: 'demo' }), 'ERR_TOKEN_ALGORITHM');
    const rsa = (await generateKeyPair('RS256')).privateKey;
    const rs = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(rsa);
    await rejects(v.verify(rs, { tenant: 'demo' }), 'ERR_TOKEN_ALGORITHM', /ES256/);
    assert.deepEqual(as.counters, before, 'nothing fetched for tokens refused by their header');
  });

  test('an RS256 key in the JWKS cannot verify an ES256 token, and RS256 stays out unless allowed', async () => {
    // A verifier that allows both: the key type must match the alg, so a kid collision cannot mix them.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaJwk = { ...(await exportJWK(publicKey)), kid: as.activeKey('demo').kid, alg: 'RS256' };
    const t = as.tenants.get('demo')!;
    const saved = t.keys;
    t.keys = [{ ...saved[saved.length - 1], publicJwk: rsaJwk }];
    try {
      const token = await as.mint('demo', { key: saved[saved.length - 1] });
      await rejects(
        verifier({ algorithms: ['ES256', 'RS256'] }).verify(token, { tenant: 'demo' }),
        'ERR_TOKEN_UNKNOWN_KEY',
      );
    } finally {
      t.keys = saved;
    }
  });

  test('the algorithm allow-list refuses none, HMAC and unknown algorithms at construction', () => {
    for (const algorithms of [['none'], ['HS256'], ['ES256', 'HS512'], [], ['XX1']]) {
      assert.throws(() => verifier({ algorithms }), TypeError, JSON.stringify(algorithms));
    }
    assert.throws(() => verifier({ clockToleranceSeconds: -1 }), TypeError);
    assert.throws(() => verifier({ audience: '' }), TypeError);
    assert.throws(() => createVerifier({ latchkeyUrl: 'not a url', audience: AUDIENCE }), TypeError);
  });

  test('malformed tokens are refused without any network call', async () => {
    const v = verifier();
    const before = { ...as.counters };
    for (const bad of [
      '',
      'abc',
      'a.b',
      'a.b.c.d.e',
      '!!!.###.$$$',
      `${b64({ alg: 'ES256' })}.not-json!.x`,
      'x'.repeat(9000),
    ]) {
      await rejects(v.verify(bad, { tenant: 'demo' }), 'ERR_TOKEN_MALFORMED');
    }
    assert.deepEqual(as.counters, before);
  });

  test('an unknown tenant is refused, and remembered for 30 s (no server call per request)', async () => {
    const clock = manualClock();
    const v = verifier({ now: clock.now });
    const token = await as.mint('demo');
    const before = as.counters.metadata;
    await rejects(v.verify(token, { tenant: 'nope' }), 'ERR_UNKNOWN_TENANT');
    await rejects(v.verify(token, { tenant: 'nope' }), 'ERR_UNKNOWN_TENANT');
    assert.equal(as.counters.metadata, before + 1);
    clock.advance(31);
    await rejects(v.verify(token, { tenant: 'nope' }), 'ERR_UNKNOWN_TENANT');
    assert.equal(as.counters.metadata, before + 2);
    // Not a slug at all: never sent to the server.
    await rejects(v.verify(token, { tenant: '../admin' }), 'ERR_UNKNOWN_TENANT');
    assert.equal(as.counters.metadata, before + 2);
  });

  test('an unreachable authorization server fails closed with a 503 error', async () => {
    const v = createVerifier({ latchkeyUrl: await deadUrl(), audience: AUDIENCE, timeoutMs: 2000 });
    await assert.rejects(v.verify(await as.mint('demo'), { tenant: 'demo' }), (err: unknown) => {
      assert.ok(err instanceof AuthorizationServerUnavailable);
      assert.equal(err.status, 503);
      return true;
    });
    as.failing = true;
    try {
      await assert.rejects(
        verifier().verify(await as.mint('demo'), { tenant: 'demo' }),
        AuthorizationServerUnavailable,
      );
    } finally {
      as.failing = false;
    }
  });

  test('a tenant that turned public signing-key access off: 503, the JWKS answer logged as HTTP 401', async () => {
    await as.addTenant('private');
    as.privateJwks.add('private');
    const events: string[] = [];
    const v = verifier({
      onEvent: (e) => {
        if (e.type === 'jwks') events.push(e.error ?? 'ok');
      },
    });
    await assert.rejects(v.verify(await as.mint('private'), { tenant: 'private' }), (err: unknown) => {
      assert.ok(err instanceof AuthorizationServerUnavailable);
      assert.match(err.detail!, /HTTP 401/);
      assert.doesNotMatch(err.message, /http:/, 'no internal URL in what clients see');
      return true;
    });
    assert.match(events[0], /HTTP 401/);
  });

  test('a token living longer than maxTokenLifetimeSeconds (default 24 h) is refused, as is one issued in the future', async () => {
    const v = verifier();
    await v.verify(await as.mint('demo', { ttl: 86_400 }), { tenant: 'demo' });
    const tenYears = await as.mint('demo', { ttl: 10 * 365 * 86_400 });
    await rejects(
      v.verify(tenYears, { tenant: 'demo' }),
      'ERR_TOKEN_LIFETIME',
      /^Token lifetime too long: issued for 315360000 s, at most 86400 s accepted/,
    );
    await rejects(v.verify(tenYears, { tenant: 'demo' }), 'ERR_TOKEN_LIFETIME', /too long/);
    const hourly = verifier({ maxTokenLifetimeSeconds: 3600 });
    await hourly.verify(await as.mint('demo', { ttl: 3600 }), { tenant: 'demo' });
    await rejects(hourly.verify(await as.mint('demo', { ttl: 7200 }), { tenant: 'demo' }), 'ERR_TOKEN_LIFETIME');
    const now = Math.floor(Date.now() / 1000);
    await rejects(
      v.verify(await as.mint('demo', { claims: { iat: now + 3600, exp: now + 7200 } }), { tenant: 'demo' }),
      'ERR_TOKEN_NOT_YET_VALID',
      /issued in the future/,
    );
    await v.verify(await as.mint('demo', { claims: { iat: now + 20, exp: now + 3600 } }), { tenant: 'demo' });
    for (const bad of [0, -1, 1.5, Number.NaN])
      assert.throws(() => verifier({ maxTokenLifetimeSeconds: bad }), /maxTokenLifetimeSeconds/);
  });

  test(
    'a token verified before is refused once its key has left the JWKS (a rotation after a leak)',
    { timeout: 10_000 },
    async () => {
      await as.addTenant('leak');
      const clock = manualClock();
      let refreshed!: () => void;
      const refresh = new Promise<void>((r) => {
        refreshed = r;
      });
      const v = verifier({
        now: clock.now,
        onEvent: (e) => {
          if (e.type === 'jwks' && e.reason === 'max-age') refreshed();
        },
      });
      const token = await as.mint('leak');
      await v.verify(token, { tenant: 'leak' });
      await as.rotate('leak');
      as.tenants.get('leak')!.keys.shift(); // the leaked key is unpublished
      clock.advance(601);
      await v.verify(token, { tenant: 'leak' }).catch(() => {}); // the cached keys are old: refreshed in the background
      await refresh;
      await rejects(v.verify(token, { tenant: 'leak' }), 'ERR_TOKEN_UNKNOWN_KEY');
      await v.verify(await as.mint('leak'), { tenant: 'leak' });
    },
  );

  test('errors are InvalidToken with status 401 and the invalid_token OAuth error', async () => {
    await assert.rejects(verifier().verify('a.b.c', { tenant: 'demo' }), (err: unknown) => {
      assert.ok(err instanceof InvalidToken);
      assert.equal(err.status, 401);
      assert.equal(err.oauthError, 'invalid_token');
      return true;
    });
  });
});
