// Confidential applications end to end, the administrator's documented flow: "+ ADD" an application
// with the "JWT assertion" and "Refresh token" grants, its secret shown once, its public keys, a
// downloaded .tok file whose refresh token works at the token endpoint, regenerating the secret (the
// refresh tokens die), deactivating and activating, narrowing scopes, deleting. Also the 390 px layout.
import fs from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

describe('console: applications', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let page: Page;
  let adminToken: string;
  let app: { id: string; clientId: string; secret: string };

  /** The refresh grant exactly as the documentation's curl: HTTP Basic client id:secret, form body. */
  const refresh = async (refreshToken: string, secret = app.secret) => {
    const res = await fetch(`${lk.url}/t/demo/oauth2/v1/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  /** GENERATE ACCESS TOKEN → DOWNLOAD TOKEN, read back from the browser's download. */
  const downloadTok = async (shoot?: string) => {
    await page.getByRole('button', { name: 'GENERATE ACCESS TOKEN' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate an access token for "billing-sync"' });
    await dialog.getByText(/The access token is valid for/).waitFor();
    assert.equal(await dialog.getByLabel('Include refresh token').isChecked(), true);
    if (shoot) await capture(page, shoot);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'DOWNLOAD TOKEN' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'billing-sync.tok');
    const tok = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    await dialog.waitFor({ state: 'detached' });
    return tok as {
      app_access_token: string;
      refresh_token: string;
      client_id: string;
      scope: string;
      expires_in: number;
    };
  };

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    page = await chromium.page({ acceptDownloads: true });
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(/\/oauth2-clients$/);
  });

  after(async () => {
    await lk?.stop();
  });

  test('"+ ADD": details → grants → scopes → review; the secret is shown once', async () => {
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Applications' }).click();
    await page.waitForURL(/\/manage\/apps$/);
    await page.getByRole('heading', { name: 'No applications yet' }).waitFor();
    await capture(page, 'apps-empty');

    await page.getByRole('button', { name: 'ADD' }).first().click();
    const wizard = page.getByRole('dialog', { name: 'Add a confidential application' });
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByText('Give the application a name.').waitFor();
    await wizard.getByLabel('Name').fill('billing-sync');
    await wizard.getByLabel('Description').fill('Nightly export to the billing system');
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByLabel(/JWT assertion/).check();
    await wizard.getByLabel(/Refresh token/).check();
    await capture(page, 'app-wizard-grants');
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByLabel('myservices').check();
    await wizard.getByLabel('metering').check();
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByText('JWT assertion, Refresh token').waitFor();
    await capture(page, 'app-wizard-review');
    await wizard.getByRole('button', { name: 'CREATE' }).click();

    const shown = page.getByRole('dialog', { name: 'Application "billing-sync" created' });
    await shown.getByText('It will not be shown again').waitFor();
    const clientId = (await shown.locator('#app-client-id').textContent())!;
    const secret = (await shown.locator('#app-client-secret').textContent())!;
    await capture(page, 'app-secret');
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await page.waitForURL(/\/manage\/apps\/[0-9a-f-]+$/);
    assert.equal((await page.content()).includes(secret), false, 'the secret is gone from the page');

    const stored = (await lk.api(adminToken, 'GET', '/apps')).body.items[0];
    assert.equal(stored.clientId, clientId);
    assert.deepEqual(stored.grantTypes.sort(), ['refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']);
    assert.deepEqual(stored.scopes, ['metering', 'myservices']);
    app = { id: stored.id, clientId, secret };
  });

  test('the application page: public keys pasted for JWT assertions', async () => {
    await page.getByRole('heading', { name: 'billing-sync' }).waitFor();
    const keys = page.getByLabel('JWKS (JSON)');
    await keys.fill('{"keys": ');
    await page.getByRole('button', { name: 'SAVE KEYS' }).click();
    await page.getByText('This is not JSON.').waitFor();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await keys.fill(JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'k1' }] }));
    await page.getByRole('button', { name: 'SAVE KEYS' }).click();
    await page.getByText('Jwks must hold public keys only.').waitFor();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await keys.fill(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }] }));
    await page.getByRole('button', { name: 'SAVE KEYS' }).click();
    await page.getByText('1 public key saved.').waitFor();
    assert.equal((await lk.api(adminToken, 'GET', `/apps/${app.id}`)).body.jwks.keys[0].kid, 'k1');
    await capture(page, 'app-page');
  });

  test('a downloaded .tok file refreshes at the token endpoint; regenerating the secret kills it', async () => {
    const tok = await downloadTok('app-token');
    assert.ok(tok.app_access_token && tok.refresh_token);
    assert.equal(tok.client_id, app.clientId);
    const first = await refresh(tok.refresh_token);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.access_token && first.body.refresh_token && first.body.refresh_token !== tok.refresh_token);
    // Presented again at once by the same app, its successor unused: inside the grace window (60 s by
    // default), the very same answer, not a new pair and not a reuse (DESIGN.md, refresh rotation).
    const again = await refresh(tok.refresh_token);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body, first.body);

    await page.getByRole('button', { name: 'REGENERATE SECRET' }).click();
    const confirm = page.getByRole('dialog', { name: 'Regenerate the secret of "billing-sync"?' });
    await confirm.getByText('every refresh token of this application stops working').waitFor();
    await capture(page, 'app-regenerate-secret');
    await confirm.getByRole('button', { name: 'REGENERATE' }).click();
    const shown = page.getByRole('dialog', { name: 'New secret of "billing-sync"' });
    const secret = (await shown.locator('#app-client-secret').textContent())!;
    assert.notEqual(secret, app.secret);
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal((await page.content()).includes(secret), false);
    const old = await refresh(first.body.refresh_token!, app.secret);
    assert.equal(old.status, 401, 'the old secret is refused');
    app.secret = secret;
    const dead = await refresh(first.body.refresh_token!);
    assert.equal(dead.status, 400);
    assert.equal(dead.body.error, 'invalid_grant');
  });

  test('REGENERATE SECRET with a 1 hour overlap: the old secret keeps working, the page says until when', async () => {
    const tok = await downloadTok();
    await page.getByRole('button', { name: 'REGENERATE SECRET' }).click();
    const confirm = page.getByRole('dialog', { name: 'Regenerate the secret of "billing-sync"?' });
    await confirm.getByRole('radio', { name: '1 hour' }).check();
    await confirm.getByText(/token files handed out keep working until .+, then stop/).waitFor();
    await capture(page, 'app-regenerate-secret-overlap');
    await confirm.getByRole('button', { name: 'REGENERATE' }).click();
    const shown = page.getByRole('dialog', { name: 'New secret of "billing-sync"' });
    await shown.getByText(/The old secret keeps working until/).waitFor();
    const secret = (await shown.locator('#app-client-secret').textContent())!;
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal((await page.content()).includes(secret), false);
    await page.getByText(/works until/).waitFor();
    // The old secret still refreshes the token file; refreshed with the new one, the file moves onto it.
    const old = await refresh(tok.refresh_token, app.secret);
    assert.equal(old.status, 200, JSON.stringify(old.body));
    app.secret = secret;
    const moved = await refresh(old.body.refresh_token!);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
  });

  test('deactivate refuses the refresh token; activate makes the same token work again', async () => {
    const tok = await downloadTok();
    await page.getByRole('button', { name: 'DEACTIVATE' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate "billing-sync"?' });
    await confirm.getByText('Every grant of this application is refused').waitFor();
    await capture(page, 'app-deactivate');
    await confirm.getByRole('button', { name: 'DEACTIVATE' }).click();
    await page.getByText('Application "billing-sync" deactivated.').waitFor();
    await page.getByText('This application is deactivated').waitFor();
    await confirm.waitFor({ state: 'detached' });
    const refused = await refresh(tok.refresh_token);
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'invalid_client');

    await page.getByRole('button', { name: 'ACTIVATE', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Activate "billing-sync"?' })
      .getByRole('button', { name: 'ACTIVATE', exact: true })
      .click();
    await page.getByText('Application "billing-sync" activated.').waitFor();
    const works = await refresh(tok.refresh_token);
    assert.equal(works.status, 200, JSON.stringify(works.body));
  });

  test('edit: narrowing the scopes is said before saving', async () => {
    await page.getByRole('button', { name: 'EDIT' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit "billing-sync"' });
    await edit.getByLabel('metering').uncheck();
    await edit.getByRole('alert').filter({ hasText: 'Removing metering narrows' }).waitFor();
    await capture(page, 'app-edit-narrow');
    await edit.getByRole('button', { name: 'SAVE' }).click();
    await page.getByText('Application "billing-sync" saved.').waitFor();
    assert.deepEqual((await lk.api(adminToken, 'GET', `/apps/${app.id}`)).body.scopes, ['myservices']);
    // The token dialog offers only the application's scopes now.
    await page.getByRole('button', { name: 'GENERATE ACCESS TOKEN' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate an access token for "billing-sync"' });
    await dialog.getByLabel('myservices').waitFor();
    assert.equal(await dialog.getByLabel('metering').count(), 0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('the list: search and status filter', async () => {
    await page.getByRole('link', { name: 'All applications' }).click();
    await page.getByRole('button', { name: 'ADD' }).click();
    const wizard = page.getByRole('dialog', { name: 'Add a confidential application' });
    await wizard.getByLabel('Name').fill('inventory-feed');
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByLabel(/Client credentials/).check();
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByLabel('myservices').check();
    await wizard.getByRole('button', { name: 'NEXT' }).click();
    await wizard.getByRole('button', { name: 'CREATE' }).click();
    await page
      .getByRole('dialog', { name: 'Application "inventory-feed" created' })
      .getByRole('button', { name: 'CLOSE' })
      .click();
    await page.getByRole('heading', { name: 'inventory-feed' }).waitFor();
    await page.getByRole('button', { name: 'DEACTIVATE' }).click();
    await page
      .getByRole('dialog', { name: 'Deactivate "inventory-feed"?' })
      .getByRole('button', { name: 'DEACTIVATE' })
      .click();
    await page.getByText('Application "inventory-feed" deactivated.').waitFor();
    await page.getByRole('link', { name: 'All applications' }).click();

    await page.getByRole('table', { name: 'Applications' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2);
    await capture(page, 'apps');
    await page.getByLabel('Search applications').fill('billing');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    await page.getByRole('link', { name: 'billing-sync' }).waitFor();
    await page.getByLabel('Search applications').fill('');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Inactive' }).click();
    await page.getByRole('row').filter({ hasText: 'billing-sync' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'inventory-feed' }).waitFor();
    await page.getByLabel('Search applications').fill('billing');
    await page.getByText('No applications match').waitFor();
    await page.getByLabel('Search applications').fill('');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'All' }).click();
  });

  test('delete asks for the name typed', async () => {
    await page.getByRole('link', { name: 'inventory-feed' }).click();
    await page.getByRole('button', { name: 'DELETE' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete "inventory-feed"?' });
    const del = confirm.getByRole('button', { name: 'DELETE' });
    assert.equal(await del.isDisabled(), true);
    await confirm.getByLabel('Application name').fill('inventory');
    assert.equal(await del.isDisabled(), true);
    await confirm.getByLabel('Application name').fill('inventory-feed');
    await capture(page, 'app-delete');
    await del.click();
    await page.getByText('Application "inventory-feed" deleted.').waitFor();
    await page.waitForURL(/\/manage\/apps$/);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
    assert.equal((await lk.api(adminToken, 'GET', '/apps')).body.items.length, 1);
  });

  test('a 390 px wide phone: the list and the application page fit', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['manage/apps', 'phone-apps'],
      [`manage/apps/${app.id}`, 'phone-app-page'],
    ] as const) {
      await page.goto(`${lk.url}/console/t/demo/${path}`);
      await page.locator('table, h2').first().waitFor();
      const by = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(by <= 0, `${path} scrolls sideways by ${by}px`);
      await capture(page, name);
    }
    await page.getByRole('button', { name: 'GENERATE ACCESS TOKEN' }).click();
    await page
      .getByRole('dialog', { name: 'Generate an access token for "billing-sync"' })
      .getByText(/valid for/)
      .waitFor();
    await capture(page, 'phone-app-token');
    await page.keyboard.press('Escape');
    await page.goto(`${lk.url}/console/t/demo/manage/apps`);
    await page.getByRole('button', { name: 'ADD' }).click();
    await page.getByRole('dialog', { name: 'Add a confidential application' }).getByLabel('Name').fill('phone-app');
    await page.getByRole('button', { name: 'NEXT' }).click();
    await page.getByLabel(/JWT assertion/).waitFor();
    await capture(page, 'phone-app-wizard');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
