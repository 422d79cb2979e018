import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign } from 'node:crypto';
import { startServerProcess } from '../helpers/process.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';

// A real server process and a real key server on loopback: a leaked personal client secret, reported
// in GitHub's signed format, stops working at once; a forged report and a replay are refused.
test('a leaked secret reported to a running server is revoked; forged and replayed reports are refused', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keys = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        public_keys: [
          { key_identifier: 'e2e-key', key: publicKey.export({ type: 'spki', format: 'pem' }), is_current: true },
        ],
      }),
    );
  });
  await new Promise<void>((r) => keys.listen(0, '127.0.0.1', r));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-scan-'));
  const server = await startServerProcess({
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    GITHUB_SECRET_SCANNING_KEYS_URL: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys`,
  });
  t.after(async () => {
    await server.stop();
    await new Promise<void>((r) => keys.close(() => r()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const token = (params: Record<string, string>) =>
    fetch(`${server.url}/t/demo/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
  const pw = await (
    await token({ grant_type: 'password', client_id: 'latchkey-sdk', username: ADMIN_EMAIL, password: ADMIN_PASSWORD })
  ).json();
  const created = await fetch(`${server.url}/t/demo/api/v1/me/oauth2-clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${pw.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ci script', expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
  });
  assert.equal(created.status, 201);
  const { clientId, clientSecret } = await created.json();
  const cc = () => token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  assert.equal((await cc()).status, 200);

  const body = JSON.stringify([
    {
      token: clientSecret,
      type: 'latchkey_client_secret',
      url: 'https://github.com/o/r/blob/x/.env',
      source: 'content',
    },
  ]);
  const report = (signature: string) =>
    fetch(`${server.url}/secret-scanning/v1/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'github-public-key-identifier': 'e2e-key',
        'github-public-key-signature': signature,
      },
    });
  const forged = await report(
    sign('sha256', Buffer.from(body), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey).toString('base64'),
  );
  assert.equal(forged.status, 401);
  assert.equal((await cc()).status, 200, 'a forged report changes nothing');

  const signature = sign('sha256', Buffer.from(body), privateKey).toString('base64');
  const res = await report(signature);
  assert.equal(res.status, 200);
  assert.equal((await res.json())[0].label, 'true_positive');
  const after = await cc();
  assert.equal(after.status, 401);
  assert.equal((await after.json()).error, 'invalid_client');
  assert.equal((await report(signature)).status, 409, 'the same report again is a replay');
  assert.ok(!server.output().includes(clientSecret), 'the secret never reaches the logs');
});
