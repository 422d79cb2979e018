import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { verifyWebhook } from '../../src/domain/webhooks/signature.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { startSmtp } from '../helpers/smtp.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;

const GITLAB_TOKEN = 'gitlab-revocation-token-for-this-test';

test('webhooks and emails from a real server process: expiry warnings on the moved clock, a pending delivery survives a restart, leaks announced', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-hooks-'));
  const clockFile = path.join(dataDir, 'clock-offset');
  const smtp = await startSmtp();
  const receiver = await startReceiver();
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.stop();
    await receiver.close();
    await smtp.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const env = {
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    LATCHKEY_TEST_CLOCK_FILE: clockFile,
    LATCHKEY_MAINTENANCE_INTERVAL_MS: '200',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    SMTP_FROM: 'Latchkey <noreply@latchkey.test>',
    GITLAB_REVOCATION_TOKEN: GITLAB_TOKEN,
  };
  const moveClock = (ms: number) => fs.writeFileSync(clockFile, String(ms));
  server = await startServerProcess(env);

  const signInAdmin = async (): Promise<{ access_token: string; refresh_token: string }> =>
    (
      await fetch(`${server!.url}/t/demo/oauth2/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'latchkey-sdk',
          username: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        }),
      })
    ).json();
  let auth = { authorization: `Bearer ${(await signInAdmin()).access_token}`, 'content-type': 'application/json' };
  const api = async (method: string, url: string, body?: object) => {
    const r = await fetch(`${server!.url}/t/demo/api/v1${url}`, {
      method,
      headers: auth,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: r.status === 204 ? null : await r.json() };
  };

  const hook = await api('POST', '/webhooks', {
    url: receiver.url,
    events: ['personal_client.created', 'personal_client.expiring', 'personal_client.revoked'],
  });
  assert.equal(hook.status, 201, JSON.stringify(hook.json));
  const secret: string = hook.json.secret;
  const created = await api('POST', '/me/oauth2-clients', {
    name: 'nightly export',
    expiresAt: new Date(Date.now() + 10 * DAY).toISOString(),
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));

  await receiver.waitFor(1);
  const first = receiver.received[0];
  assert.ok(verifyWebhook(secret, first.id, first.timestamp, first.body, first.signature));
  assert.equal(JSON.parse(first.body).type, 'personal_client.created');
  assert.equal(JSON.parse(first.body).data.clientId, created.json.clientId);
  assert.equal(smtp.mails.length, 0, 'creation is not emailed');

  // 3.5 days later: 6.5 days left, the 7-day warning (once, however often maintenance runs).
  moveClock(3.5 * DAY);
  const warn7 = await until('the 7-day email', () => smtp.mails.find((m) => /expires in 7 days/.test(m.subject)));
  assert.deepEqual(warn7.to, [ADMIN_EMAIL]);
  assert.match(warn7.subject, /nightly export/);
  assert.match(warn7.raw, new RegExp(created.json.clientId));
  await receiver.waitFor(2);
  const w7 = JSON.parse(receiver.received[1].body);
  assert.equal(w7.type, 'personal_client.expiring');
  assert.equal(w7.data.days, 7);

  // 9.2 days later: the 1-day warning.
  moveClock(9.2 * DAY);
  const warn1 = await until('the 1-day email', () => smtp.mails.find((m) => /expires in 1 day\b/.test(m.subject)));
  assert.deepEqual(warn1.to, [ADMIN_EMAIL]);
  await receiver.waitFor(3);
  assert.equal(JSON.parse(receiver.received[2].body).data.days, 1);
  // No repeat, however often maintenance runs: later rounds warn two clients created now (3 days left
  // on the moved clock), one round after the other. A repeat for "nightly export" from any round up to
  // the first of them would have been sent before the second's warning (oldest first).
  const hooks = () => receiver.received.map((r) => JSON.parse(r.body) as { type: string; data: { clientId: string } });
  const warnedNow = async (name: string) => {
    const c = await api('POST', '/me/oauth2-clients', {
      name,
      expiresAt: new Date(Date.now() + 9.2 * DAY + 3 * DAY).toISOString(),
    });
    assert.equal(c.status, 201, JSON.stringify(c.json));
    await until(`the warning webhook for ${name}`, () =>
      hooks().some((h) => h.type === 'personal_client.expiring' && h.data.clientId === c.json.clientId),
    );
    await until(`the warning email for ${name}`, () =>
      smtp.mails.some((m) => m.subject.includes(`${name} expires in 7 days`)),
    );
    return c.json as { id: string; clientId: string };
  };
  const later = await warnedNow('canary one');
  await warnedNow('canary two');
  assert.equal(smtp.mails.filter((m) => /nightly export expires in/.test(m.subject)).length, 2);
  assert.equal(
    hooks().filter((h) => h.type === 'personal_client.expiring' && h.data.clientId === created.json.clientId).length,
    2,
  );

  // The receiver fails the revocation once; the server stops with that delivery pending.
  receiver.statuses.push(500);
  const beforeRevocation = receiver.received.length;
  assert.equal((await api('DELETE', `/me/oauth2-clients/${created.json.id}`)).status, 204);
  await receiver.waitFor(beforeRevocation + 1);
  const failed = receiver.received[beforeRevocation];
  assert.equal(JSON.parse(failed.body).type, 'personal_client.revoked');
  await until('the revocation email', () => smtp.mails.find((m) => /was revoked/.test(m.subject)));
  // Back a minute, so the retry (due 5 s after the failure) waits for the test however slow the restart.
  moveClock(9.2 * DAY - 60_000);
  await server.stop();
  server = undefined;

  server = await startServerProcess(env);
  // The restarted process listens on another port, and without PUBLIC_URL its issuer changed with it: sign in anew.
  const signedIn = await signInAdmin();
  auth = { ...auth, authorization: `Bearer ${signedIn.access_token}` };
  // Not retried before it is due: a later revocation is delivered by the restarted process first. The
  // endpoint's messages go oldest first, so the pending one, had it been due, would have come before.
  const beforeLater = receiver.received.length;
  assert.equal((await api('DELETE', `/me/oauth2-clients/${later.id}`)).status, 204);
  await receiver.waitFor(beforeLater + 1);
  assert.deepEqual(
    hooks()
      .slice(beforeLater)
      .map((h) => [h.type, h.data.clientId]),
    [['personal_client.revoked', later.clientId]],
    'not retried before it is due',
  );
  moveClock(9.2 * DAY + 6_000);
  await receiver.waitFor(beforeLater + 2);
  const retried = receiver.received[beforeLater + 1];
  assert.equal(retried.id, failed.id, 'the same webhook-id after the restart');
  assert.equal(retried.body, failed.body);
  assert.ok(retried.timestamp - failed.timestamp >= 5);
  assert.ok(verifyWebhook(secret, retried.id, retried.timestamp, retried.body, retried.signature));

  // A leaked application secret and a leaked refresh token, reported through GitLab's API: each is
  // announced by webhook and emailed (the app's to the managers, the token's to its user and them).
  const refreshToken: string = signedIn.refresh_token;
  const leakHook = await api('POST', '/webhooks', {
    url: receiver.url,
    events: ['app.reported_leaked', 'refresh_token.reported_leaked'],
  });
  assert.equal(leakHook.status, 201, JSON.stringify(leakHook.json));
  const app = await api('POST', '/apps', {
    name: 'Billing export',
    grantTypes: ['client_credentials'],
    scopes: ['myservices'],
  });
  assert.equal(app.status, 201, JSON.stringify(app.json));
  const seen = receiver.received.length;
  const report = await fetch(`${server.url}/secret-scanning/v1/gitlab/revoke_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${GITLAB_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        type: 'gitleaks_rule_id_latchkey_client_secret',
        token: app.json.clientSecret,
        location: 'https://gitlab.example/acme/ops/-/blob/main/.env',
      },
      {
        type: 'gitleaks_rule_id_latchkey_refresh_token',
        token: refreshToken,
        location: 'https://gitlab.example/acme/ops/-/blob/main/notes.md',
      },
    ]),
  });
  assert.equal(report.status, 204, await report.text());
  await receiver.waitFor(seen + 2);
  const leaks = receiver.received.slice(seen).map((r) => JSON.parse(r.body));
  const appLeak = leaks.find((b) => b.type === 'app.reported_leaked');
  assert.equal(appLeak?.data.clientId, app.json.clientId, JSON.stringify(leaks));
  assert.equal(appLeak.data.url, 'https://gitlab.example/acme/ops/-/blob/main/.env');
  const tokenLeak = leaks.find((b) => b.type === 'refresh_token.reported_leaked');
  assert.equal(tokenLeak?.data.clientId, 'latchkey-sdk', JSON.stringify(leaks));
  assert.ok(
    !JSON.stringify(leaks).includes(refreshToken) && !JSON.stringify(leaks).includes(app.json.clientSecret),
    'no secret in a webhook',
  );
  const appMail = await until('the leaked application email', () =>
    smtp.mails.find((m) => /Billing export got a new secret/.test(m.subject)),
  );
  assert.deepEqual(appMail.to, [ADMIN_EMAIL], 'the domain manager');
  assert.match(appMail.raw, /gitlab\.example\/acme\/ops/);
  const tokenMail = await until('the leaked refresh token email', () =>
    smtp.mails.find((m) => /refresh token .* was revoked/.test(m.subject)),
  );
  assert.deepEqual(tokenMail.to, [ADMIN_EMAIL], 'the user of the grant, who is also the manager: once');
  assert.ok(
    !smtp.mails.some((m) => m.raw.includes(refreshToken) || m.raw.includes(app.json.clientSecret)),
    'no secret in an email',
  );
  // And it is revoked: the refresh token ends in invalid_grant.
  const refreshed = await fetch(`${server.url}/t/demo/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'latchkey-sdk', refresh_token: refreshToken }),
  });
  assert.equal(refreshed.status, 400);
  assert.equal((await refreshed.json()).error, 'invalid_grant');
});
