import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import { backends, createTestServer } from '../helpers/harness.js';
import { makeApp, token } from '../helpers/oauth.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ISSUER = 'http://latchkey.test/t/demo';

async function keyPair() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'ES256';
  return { privateKey, jwk };
}

for (const backend of await backends()) {
  test(`jwt-bearer grant and private_key_jwt (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const k = await keyPair();
    const app = await makeApp(s, {
      grantTypes: [GRANT, 'client_credentials'],
      scopes: ['metering'],
      jwks: { keys: [k.jwk as never] },
    });
    const assertion = (claims: Record<string, unknown> = {}, expSeconds = 60, key = k.privateKey, kid = k.jwk.kid) =>
      new SignJWT({ jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer(app.clientId)
        .setSubject(app.clientId)
        .setAudience(`${ISSUER}/oauth2/v1/token`)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
        .sign(key);

    await t.test('a signed assertion gets a token for the application; its jti works once', async () => {
      const jwt = await assertion();
      const r = await token(s, { grant_type: GRANT, assertion: jwt });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().scope, 'metering');
      const claims = JSON.parse(Buffer.from(r.json().access_token.split('.')[1], 'base64url').toString());
      assert.equal(claims.sub, app.clientId);
      const replay = await token(s, { grant_type: GRANT, assertion: jwt });
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().error, 'invalid_grant');
      assert.match(replay.json().error_description, /already been used/);
    });

    await t.test(
      'aud may be the issuer; exp more than 5 minutes ahead, wrong aud, foreign key are refused',
      async () => {
        const r = await token(s, {
          grant_type: GRANT,
          assertion: await new SignJWT({ jti: randomUUID() })
            .setProtectedHeader({ alg: 'ES256' })
            .setIssuer(app.clientId)
            .setSubject(app.clientId)
            .setAudience(ISSUER)
            .setExpirationTime('2m')
            .sign(k.privateKey),
        });
        assert.equal(r.statusCode, 200, r.body);
        const far = await token(s, { grant_type: GRANT, assertion: await assertion({}, 600) });
        assert.equal(far.json().error, 'invalid_grant');
        assert.match(far.json().error_description, /300 seconds/);
        const wrongAud = await token(s, {
          grant_type: GRANT,
          assertion: await new SignJWT({ jti: randomUUID() })
            .setProtectedHeader({ alg: 'ES256' })
            .setIssuer(app.clientId)
            .setSubject(app.clientId)
            .setAudience('https://elsewhere')
            .setExpirationTime('2m')
            .sign(k.privateKey),
        });
        assert.equal(wrongAud.json().error, 'invalid_grant');
        const foreign = await keyPair();
        const forged = await token(s, {
          grant_type: GRANT,
          assertion: await assertion({}, 60, foreign.privateKey, k.jwk.kid),
        });
        assert.equal(forged.json().error, 'invalid_grant');
        const expired = await token(s, { grant_type: GRANT, assertion: await assertion({}, -120) });
        assert.equal(expired.json().error, 'invalid_grant');
        const missing = await token(s, { grant_type: GRANT });
        assert.equal(missing.json().error, 'invalid_request');
      },
    );

    await t.test('HS256 assertions are refused (no algorithm confusion)', async () => {
      const hs = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(app.clientId)
        .setSubject(app.clientId)
        .setAudience(ISSUER)
        .setExpirationTime('2m')
        .sign(new TextEncoder().encode(app.clientSecret));
      const r = await token(s, { grant_type: GRANT, assertion: hs });
      assert.equal(r.json().error, 'invalid_grant');
    });

    await t.test('private_key_jwt client authentication', async () => {
      const r = await token(s, {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(),
      });
      assert.equal(r.statusCode, 200, r.body);
      const jwt = await assertion();
      await token(s, {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
      });
      const replay = await token(s, {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
      });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().error, 'invalid_client');
      const badType = await token(s, {
        grant_type: 'client_credentials',
        client_assertion_type: 'x',
        client_assertion: await assertion(),
      });
      assert.equal(badType.json().error, 'invalid_request');
    });

    await t.test('an app without the grant is unauthorized_client', async () => {
      const other = await makeApp(s, { grantTypes: ['client_credentials'], jwks: { keys: [k.jwk as never] } });
      const jwt = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(other.clientId)
        .setSubject(other.clientId)
        .setAudience(ISSUER)
        .setExpirationTime('2m')
        .sign(k.privateKey);
      const r = await token(s, { grant_type: GRANT, assertion: jwt });
      assert.equal(r.json().error, 'unauthorized_client');
    });
  });
}
