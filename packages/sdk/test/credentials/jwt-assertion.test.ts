import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Latchkey, LatchkeyAuthError, LatchkeyConfigError } from '../../src/index.js';
import { startSdkEnv, type SdkEnv } from '../helpers/env.js';

// The jwt-bearer grant (RFC 7523) through the SDK, against a real server: the application's public
// keys are registered on it, the SDK signs a fresh assertion with the private one for every token.
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

test('EC, RSA and Ed25519 keys, as PEM, KeyObject or JWK, each buy access tokens; an unregistered key is refused', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const pub = (k: KeyObject, kid: string) => ({ ...k.export({ format: 'jwk' }), kid });
  const app = await env.createApp({
    grantTypes: [GRANT],
    scopes: ['metering', 'myservices'],
    jwks: { keys: [pub(ec.publicKey, 'ec'), pub(rsa.publicKey, 'rsa'), pub(ed.publicKey, 'ed')] },
  });
  const client = (privateKey: KeyObject | string | object, keyId?: string, scope?: string) =>
    env.client({ credentials: { clientId: app.clientId, privateKey: privateKey as KeyObject, keyId, scope } });

  const viaPem = client(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'ec');
  assert.equal(viaPem.credentialKind, 'jwt_assertion');
  const first = await viaPem.getAccessToken();
  assert.equal(claims(first).client_id, app.clientId);
  assert.equal(claims(first).scope, 'metering myservices');
  // Every new token costs a new assertion (each jti is accepted once).
  assert.notEqual(await viaPem.getAccessToken({ forceRefresh: true }), first);
  assert.equal(claims(await client(rsa.privateKey, 'rsa', 'metering').getAccessToken()).scope, 'metering');
  assert.equal(
    claims(await client({ ...ed.privateKey.export({ format: 'jwk' }), kid: 'ed' }).getAccessToken()).client_id,
    app.clientId,
  );

  await assert.rejects(
    client(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ec').getAccessToken(),
    (err: unknown) =>
      err instanceof LatchkeyAuthError && err.error === 'invalid_grant' && /assertion rejected/.test(err.message),
  );
  assert.throws(
    () =>
      new Latchkey({
        baseUrl: env.url,
        env: {},
        profile: false,
        credentials: { clientId: app.clientId, privateKey: ec.publicKey },
      }),
    (err: unknown) => err instanceof LatchkeyConfigError && /must be the private key/.test(err.message),
  );
  assert.throws(
    () =>
      new Latchkey({
        baseUrl: env.url,
        env: {},
        profile: false,
        credentials: { clientId: app.clientId, privateKey: 'not a key' },
      }),
    (err: unknown) => err instanceof LatchkeyConfigError && /is not a private key/.test(err.message),
  );
});
