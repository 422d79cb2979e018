import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { backends, createScratchDatabase, ADMIN_EMAIL, ADMIN_PASSWORD, basic } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';

/**
 * Last use is kept in memory and written in batches every few seconds; a clean stop (SIGTERM) must
 * write what is pending, so a real process stopped right after a use still shows it after restart.
 */
for (const backend of await backends()) {
  test(`a clean stop writes the pending last uses (${backend})`, async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-usage-'));
    const scratch = backend === 'postgres' ? await createScratchDatabase() : undefined;
    const env: Record<string, string> = {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    };
    let server: ServerProcess | undefined;
    t.after(async () => {
      await server?.stop();
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    const call = async (
      method: string,
      url: string,
      opts: { auth?: string; form?: Record<string, string>; json?: unknown; headers?: Record<string, string> } = {},
    ) => {
      const res = await fetch(`${server!.url}/t/demo${url}`, {
        method,
        headers: {
          ...(opts.auth ? { authorization: opts.auth } : {}),
          ...(opts.json ? { 'content-type': 'application/json' } : {}),
          ...opts.headers,
        },
        body: opts.form ? new URLSearchParams(opts.form) : opts.json ? JSON.stringify(opts.json) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const userAgent = 'nightly-report/2.1 (usage test)';
    const clientCredentials = (id: string, secret: string) =>
      call('POST', '/oauth2/v1/token', {
        auth: basic(id, secret),
        form: { grant_type: 'client_credentials' },
        headers: { 'user-agent': userAgent },
      });

    server = await startServerProcess(env);
    const signIn = await call('POST', '/oauth2/v1/token', {
      form: { grant_type: 'password', client_id: 'latchkey-sdk', username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    const admin = `Bearer ${signIn.body.access_token}`;
    const personal = await call('POST', '/api/v1/me/oauth2-clients', {
      auth: admin,
      json: { name: 'usage-job', expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() },
    });
    assert.equal(personal.status, 201, JSON.stringify(personal.body));
    const app = await call('POST', '/api/v1/apps', {
      auth: admin,
      json: { name: 'Usage App', grantTypes: ['client_credentials'], scopes: ['myservices'] },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));

    assert.equal((await clientCredentials(personal.body.clientId, personal.body.clientSecret)).status, 200);
    assert.equal((await clientCredentials(app.body.clientId, app.body.clientSecret)).status, 200);
    const usedAt = Date.now();
    // Well inside the batch interval: nothing has been written yet, only the clean stop can write it.
    const before = await call('GET', `/api/v1/me/oauth2-clients/${personal.body.id}`, { auth: admin });
    assert.equal(before.status, 200);
    assert.equal(before.body.lastUsedAt, null, 'no store write on the token path');
    await server.stop();
    assert.equal(server.child.exitCode, 0, `a clean exit:\n${server.output()}`);

    server = await startServerProcess(env);
    const again = await call('POST', '/oauth2/v1/token', {
      form: { grant_type: 'password', client_id: 'latchkey-sdk', username: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const auth = `Bearer ${again.body.access_token}`;
    for (const [kind, url] of [
      ['personal client', `/api/v1/me/oauth2-clients/${personal.body.id}`],
      ['application', `/api/v1/apps/${app.body.id}`],
    ]) {
      const r = await call('GET', url, { auth });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.lastUsedAt, `${kind}: last use survived the stop`);
      assert.ok(Math.abs(Date.parse(r.body.lastUsedAt) - usedAt) < 60_000, `${kind}: ${r.body.lastUsedAt}`);
      assert.equal(r.body.lastUsedAddress, '127.0.0.1', kind);
      assert.equal(r.body.lastUsedUserAgent, userAgent, kind);
    }
    const audit = await call('GET', '/api/v1/audit?action=client.first_used', { auth });
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    const firstUses = audit.body.items.map((e: { targetId: string }) => e.targetId);
    assert.ok(firstUses.includes(personal.body.id) && firstUses.includes(app.body.id), JSON.stringify(firstUses));
  });
}
