// Webhooks end to end, against a real server process and a real receiver on loopback that checks
// every request's signature with the secret the console showed: a domain manager adds an endpoint
// (refused inputs say why), sees the signing secret once, sends a test event and sees it delivered
// in the log (and a failed attempt retried), edits it, disables it, rotates the secret (the test
// event after it verifies with the new secret only) and deletes it. Also the 390 px layout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';
import { startReceiver } from '../../../server/test/helpers/webhook-receiver.js';
import { verifyWebhook } from '../../../server/src/domain/webhooks/signature.js';

describe('console: webhooks', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let page: Page;
  let adminToken: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The secret the receiver checks with: the one the console showed last. */
  let secret: string | undefined;
  let hookId: string;

  const log = () => page.getByRole('table', { name: 'Delivery log' });
  const newest = () => log().locator('tbody tr').first();
  /** SEND TEST EVENT, then the log's newest row once it is the new message. */
  const sendTest = async () => {
    const before = (await log().count()) ? await newest().locator('td').nth(1).textContent() : null;
    await page.getByRole('button', { name: 'SEND TEST EVENT' }).click();
    await page.getByText('Test event queued.').last().waitFor();
    await page.waitForFunction((b) => {
      const t = document.querySelector('table[aria-label="Delivery log"] tbody tr td:nth-child(2)')?.textContent;
      return t != null && t !== b;
    }, before);
  };
  /** The log's newest row, read after REFRESH until it shows `status` (the server delivers within a second or two). */
  const newestRowShows = async (status: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = newest();
      if ((await row.textContent())?.includes(status)) return row;
      if (Date.now() > deadline)
        throw new Error(`the newest delivery never showed ${status}: ${await row.textContent()}`);
      await page.getByRole('button', { name: 'REFRESH' }).click();
      await page.waitForTimeout(500);
    }
  };

  /** Toasts closed, so the picture shows the screen under them. */
  const shoot = async (name: string) => {
    for (const close of await page.getByRole('status').getByRole('button', { name: 'Close' }).all())
      await close.click().catch(() => {});
    await page.getByRole('status').getByRole('button', { name: 'Close' }).waitFor({ state: 'detached' });
    await capture(page, name);
  };

  before(async () => {
    ensureConsoleBuilt();
    receiver = await startReceiver({ secret: () => secret });
    lk = await startLatchkey({ LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '1' });
    page = await chromium.page();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(/\/oauth2-clients$/);
  });

  after(async () => {
    await lk?.stop();
    await receiver?.close();
  });

  test('ADD ENDPOINT: refused inputs say why; the signing secret is shown once', async () => {
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'User & Company Manager' }).click();
    await page.getByRole('tab', { name: 'Webhooks' }).click();
    await page.waitForURL(/\/manage\/webhooks$/);
    await page.getByRole('heading', { name: 'No webhook endpoints yet' }).waitFor();
    await capture(page, 'webhooks-empty');

    await page.getByRole('button', { name: 'ADD ENDPOINT' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add a webhook endpoint' });
    await dialog.getByText('personal_client.revoked').waitFor();
    await dialog.getByRole('button', { name: 'CREATE' }).click();
    await dialog.getByText('Enter the URL that receives the events.').waitFor();
    await dialog.getByText('Choose at least one event.').waitFor();
    // The console lets the server judge what only it knows: plain http to a host that is not loopback.
    await dialog.getByLabel('URL').fill('http://hooks.example.com/latchkey');
    await dialog.getByLabel(/personal_client\.revoked/).check();
    await dialog.getByRole('button', { name: 'CREATE' }).click();
    await dialog.getByText('Url must use https (plain http is allowed to loopback addresses only).').waitFor();
    await capture(page, 'webhook-create-refused');
    assert.equal((await lk.api(adminToken, 'GET', '/webhooks')).body.items.length, 0, 'nothing was created');

    await dialog.getByLabel('URL').fill(receiver.url);
    await dialog.getByLabel('Description').fill('Security team SIEM');
    await dialog.getByLabel(/app\.deactivated/).check();
    await capture(page, 'webhook-create');
    await dialog.getByRole('button', { name: 'CREATE' }).click();

    const shown = page.getByRole('dialog', { name: 'Endpoint created' });
    await shown.getByText('It will not be shown again').waitFor();
    secret = (await shown.locator('#webhook-signing-secret').textContent())!;
    assert.match(secret, /^whsec_/);
    await capture(page, 'webhook-secret');
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await page.waitForURL(/\/manage\/webhooks\/wh_[0-9a-f]+$/);
    await shown.waitFor({ state: 'detached' });
    assert.equal((await page.content()).includes(secret), false, 'the secret is gone from the page');

    const stored = (await lk.api(adminToken, 'GET', '/webhooks')).body.items;
    assert.equal(stored.length, 1);
    assert.equal(stored[0].url, receiver.url);
    assert.equal(stored[0].description, 'Security team SIEM');
    assert.deepEqual(stored[0].events, ['app.deactivated', 'personal_client.revoked']);
    hookId = stored[0].id;
  });

  test('SEND TEST EVENT: delivered, signed with the secret shown, in the log', async () => {
    await page.getByText('Nothing sent yet', { exact: true }).first().waitFor();
    await sendTest();
    const row = await newestRowShows('Delivered');
    assert.match((await row.textContent())!, /webhook\.test/);
    assert.match((await row.textContent())!, /HTTP 200/);
    assert.equal(receiver.received.length, 1);
    const got = receiver.received[0];
    assert.equal(got.verified, true, 'the receiver verified the signature');
    assert.ok(verifyWebhook(secret!, got.id, got.timestamp, got.body, got.signature));
    assert.equal(JSON.parse(got.body).type, 'webhook.test');
    assert.equal(JSON.parse(got.body).data.targetId, hookId);
    assert.match((await row.textContent())!, new RegExp(got.id));
    await shoot('webhook-page');
  });

  test('a failed attempt shows as retrying, with each attempt, then delivered', async () => {
    receiver.statuses.push(503);
    await sendTest();
    let row = await newestRowShows('Retrying');
    assert.match((await row.textContent())!, /HTTP 503/);
    await row.getByRole('button', { name: /Show the attempts/ }).click();
    await page.getByRole('table', { name: /Attempts of msg_/ }).waitFor();
    await page.evaluate(() => document.getElementById('log-title')!.scrollIntoView({ block: 'start' }));
    await shoot('webhook-delivery-retrying');
    // The first retry is 5 s later; the log reads itself again while it is due.
    row = await newestRowShows('Delivered', 20_000);
    assert.match((await row.textContent())!, /2 \(1 retry\)/);
    const [a, b] = receiver.received.slice(-2);
    assert.equal(a.id, b.id, 'the retry carries the same webhook-id');
    assert.ok(a.verified && b.verified);
  });

  test('EDIT changes the events and the description', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'EDIT' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit the endpoint' });
    await dialog.getByLabel(/app\.deactivated/).uncheck();
    await dialog.getByLabel(/personal_client\.revoked/).uncheck();
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await dialog.getByText('Choose at least one event.').waitFor();
    await dialog.getByLabel(/signing_key\.rotated/).check();
    await dialog.getByLabel('Description').fill('Security team SIEM (keys only)');
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await page.getByText('Endpoint saved.').waitFor();
    await dialog.waitFor({ state: 'detached' });
    const e = (await lk.api(adminToken, 'GET', `/webhooks/${hookId}`)).body;
    assert.deepEqual(e.events, ['signing_key.rotated']);
    assert.equal(e.description, 'Security team SIEM (keys only)');
  });

  test('disabling stops events and the test button; the API agrees', async () => {
    await page.getByLabel('Enabled', { exact: true }).click();
    await page.getByText('Endpoint disabled').waitFor();
    await page.getByText('This endpoint is disabled').waitFor();
    assert.equal(await page.getByRole('button', { name: 'SEND TEST EVENT' }).isDisabled(), true);
    assert.equal((await lk.api(adminToken, 'GET', `/webhooks/${hookId}`)).body.enabled, false);
    const refused = await lk.api(adminToken, 'POST', `/webhooks/${hookId}/test`);
    assert.equal(refused.status, 409);
    await shoot('webhook-disabled');
    await page.getByLabel('Enabled', { exact: true }).click();
    await page.getByText('Endpoint enabled').waitFor();
    assert.equal((await lk.api(adminToken, 'GET', `/webhooks/${hookId}`)).body.enabled, true);
  });

  test('ROTATE SECRET says the old one stops at once; the new one is shown once and signs', async () => {
    await page.getByRole('button', { name: 'ROTATE SECRET' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    await confirm.getByText('The current secret stops at once.').waitFor();
    await shoot('webhook-rotate');
    await confirm.getByRole('button', { name: 'ROTATE' }).click();
    const shown = page.getByRole('dialog', { name: 'New signing secret' });
    const fresh = (await shown.locator('#webhook-signing-secret').textContent())!;
    assert.match(fresh, /^whsec_/);
    assert.notEqual(fresh, secret);
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal((await page.content()).includes(fresh), false, 'the new secret is gone from the page');
    const old = secret!;
    secret = fresh;

    const n = receiver.received.length;
    await sendTest();
    await newestRowShows('Delivered');
    const got = receiver.received[n];
    assert.equal(got.verified, true);
    assert.equal(verifyWebhook(old, got.id, got.timestamp, got.body, got.signature), false, 'the old secret is dead');
  });

  test('the list shows URL, events, enabled and the last delivery', async () => {
    await page.getByRole('link', { name: 'All webhooks' }).click();
    const row = page.getByRole('table', { name: 'Webhook endpoints' }).locator('tbody tr');
    await row.filter({ hasText: 'Delivered' }).waitFor();
    const text = (await row.textContent())!;
    assert.match(text, /signing_key\.rotated/);
    assert.match(text, /webhook\.test · HTTP 200/);
    assert.equal(await page.getByLabel(`Enabled: ${receiver.url}`).isChecked(), true);
    await shoot('webhooks');
  });

  test('a 390 px wide phone: the list and the endpoint page fit', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['manage/webhooks', 'phone-webhooks'],
      [`manage/webhooks/${hookId}`, 'phone-webhook-page'],
    ] as const) {
      await page.goto(`${lk.url}/console/t/demo/${path}`);
      await page.locator('table').first().waitFor();
      const by = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(by <= 0, `${path} scrolls sideways by ${by}px`);
      await capture(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('DELETE is confirmed; the endpoint and its log are gone', async () => {
    await page.getByRole('button', { name: 'DELETE' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this endpoint?' });
    await confirm.getByText('This cannot be undone.').waitFor();
    await shoot('webhook-delete');
    await confirm.getByRole('button', { name: 'DELETE' }).click();
    await page.getByText('Endpoint deleted.').waitFor();
    await page.waitForURL(/\/manage\/webhooks$/);
    await page.getByRole('heading', { name: 'No webhook endpoints yet' }).waitFor();
    assert.equal((await lk.api(adminToken, 'GET', `/webhooks/${hookId}`)).status, 404);
  });
});
