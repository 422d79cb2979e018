import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { startServerOnOwnPort } from '../interop/setup.js';

// The README's JWT assertion examples (examples/jwt-assertion), run as they are against a real server:
// an application with the jwt-bearer grant and a registered public key gets access tokens with them.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

test('the JWT assertion examples (jose, SDK) get access tokens from a real server; a key that is not registered is refused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-assertion-'));
  const server = await startServerOnOwnPort({
    LATCHKEY_DATA_DIR: path.join(dir, 'data'),
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
  });
  t.after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const issuer = `${server.url}/t/demo`;
  const signIn = await (
    await fetch(`${issuer}/oauth2/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      }),
    })
  ).json();

  // As the README says: an EC P-256 key, its public half registered on the application with a kid.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = path.join(dir, 'app-key.pem');
  fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'app-key-1', alg: 'ES256', use: 'sig' };
  const created = await fetch(`${issuer}/api/v1/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${signIn.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'assertion example',
      grantTypes: [GRANT],
      scopes: ['metering'],
      jwks: { keys: [jwk] },
    }),
  });
  assert.equal(created.status, 201);
  const app = await created.json();

  const run = (example: string, keyPath = keyFile) =>
    spawnSync(process.execPath, [path.join(root, 'examples/jwt-assertion', example)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        LATCHKEY_URL: server.url,
        LATCHKEY_TENANT: 'demo',
        LATCHKEY_CLIENT_ID: app.clientId,
        LATCHKEY_PRIVATE_KEY_FILE: keyPath,
        LATCHKEY_KEY_ID: 'app-key-1',
      },
    });
  const jwks = createRemoteJWKSet(new URL(`${issuer}/oauth2/v1/keys`));
  for (const example of ['jose.mjs', 'sdk.mjs']) {
    const r = run(example);
    assert.equal(r.status, 0, `${example}: ${r.stderr}`);
    const { payload } = await jwtVerify(r.stdout.trim(), jwks, { issuer, typ: 'at+jwt' });
    assert.equal(payload.client_id, app.clientId, example);
    assert.equal(payload.sub, app.clientId, example);
    assert.equal(payload.scope, 'metering', example);
  }

  const otherKey = path.join(dir, 'other-key.pem');
  fs.writeFileSync(
    otherKey,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const refused = run('jose.mjs', otherKey);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^400 invalid_grant: assertion rejected: signature verification failed\n$/);
});
