// The User & Company Manager end to end: a plain user is turned away (and so is their API call);
// a domain manager searches, invites, edits roles, disables, and sorts, filters, pages and
// bulk-revokes other users' personal clients, and reads the audit log. Also the 390 px phone layout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium, screenshot, assertAccessible } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

describe('console: User & Company Manager', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let page: Page;
  let adminToken: string;
  let plain: { id: string; email: string; password: string };
  const owners: { email: string; token: string }[] = [];

  const signIn = async (email: string, password: string) => {
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(/\/oauth2-clients$/);
  };
  const rowNames = async () => page.locator('tbody tr td:nth-child(2)').allTextContents();
  /** The range label changes at once; the rows when the page's answer is there. */
  const firstRowIsNot = (name: string) =>
    page.waitForFunction((n) => document.querySelector('tbody tr td:nth-child(2)')?.textContent !== n, name);

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    page = await chromium.page();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    plain = await lk.invite(adminToken, 'plain@demo.test', []);
    // 3 owners × 20 clients: more than two pages of 25.
    for (const name of ['alice', 'bob', 'carol']) {
      const u = await lk.invite(adminToken, `${name}@demo.test`, ['oauth2-client-creator']);
      owners.push({ email: u.email, token: await lk.token(u.email, u.password) });
    }
    await Promise.all(
      owners.map(async (o, k) => {
        for (let i = 0; i < 20; i++) {
          const r = await lk.api(o.token, 'POST', '/me/oauth2-clients', {
            name: `${o.email.split('@')[0]}-job-${String(i).padStart(2, '0')}`,
            expiresAt: new Date(Date.now() + (3 + i * 10 + k) * 864e5).toISOString(),
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
        }
      }),
    );
  });

  after(async () => {
    await lk?.stop();
  });

  test('a plain user gets the "not allowed" page, and the API refuses them too', async () => {
    await signIn(plain.email, plain.password);
    await page.goto(`${lk.url}/console/t/demo/manage/oauth2-clients`);
    await page.getByText('Not allowed').waitFor();
    await capture(page, 'manager-not-allowed');
    const res = await lk.api(await lk.token(plain.email, plain.password), 'GET', '/oauth2-clients');
    assert.equal(res.status, 403);
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
  });

  test('users: search, invite, edit roles, disable with confirmation', async () => {
    await signIn(ADMIN.email, ADMIN.password);
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'User & Company Manager' }).click();
    await page.waitForURL(/\/manage\/users$/);
    await page.getByRole('row').filter({ hasText: 'carol@demo.test' }).waitFor();
    await capture(page, 'manager-users');

    await page.getByLabel('Search name or email').fill('bob');
    await page.getByRole('row').filter({ hasText: 'alice@demo.test' }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('tbody tr').count(), 1);
    await page.getByLabel('Search name or email').fill('');
    // Role filter (server side): the three creators and the administrator.
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'oauth2-client-creator' }).click();
    await page.getByRole('row').filter({ hasText: 'plain@demo.test' }).waitFor({ state: 'detached' });
    assert.equal(await page.locator('tbody tr').count(), 4);
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'All' }).click();
    await page.getByRole('row').filter({ hasText: 'plain@demo.test' }).waitFor();

    await page.getByRole('button', { name: 'INVITE USER' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    await invite.getByLabel('Email').fill('dave@demo.test');
    await invite.getByLabel('Display name').fill('Dave');
    await invite.getByLabel(/oauth2-client-creator/).check();
    await capture(page, 'manager-invite');
    await invite.getByRole('button', { name: 'INVITE' }).click();
    await page.getByText('dave@demo.test invited.').waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'dave@demo.test' })
      .filter({ hasText: 'oauth2-client-creator' })
      .waitFor();

    await page.getByRole('button', { name: `Actions for ${plain.email}` }).click();
    await page.getByRole('menuitem', { name: 'Edit roles' }).click();
    const roles = page.getByRole('dialog', { name: `Roles of ${plain.email}` });
    await roles.getByLabel(/oauth2-client-creator/).check();
    await roles.getByRole('button', { name: 'SAVE' }).click();
    await page.getByText(`Roles of ${plain.email} saved.`).waitFor();
    const after = await lk.api(adminToken, 'GET', `/users/${plain.id}`);
    assert.deepEqual(
      after.body.roles.map((r: { builtin: string }) => r.builtin),
      ['oauth2-client-creator'],
    );

    await page.getByRole('button', { name: `Actions for ${plain.email}` }).click();
    await page.getByRole('menuitem', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: `Disable ${plain.email}?` });
    await capture(page, 'manager-disable-user');
    await confirm.getByRole('button', { name: 'DISABLE' }).click();
    await page.getByText(`${plain.email} disabled.`).waitFor();
    assert.equal((await lk.api(adminToken, 'GET', `/users/${plain.id}`)).body.status, 'disabled');
  });

  test('OAuth2 clients of all users: sort, filter, page, bulk-revoke', async () => {
    await page.getByRole('tab', { name: 'OAuth2 clients' }).click();
    await page.waitForURL(/\/manage\/oauth2-clients$/);
    await page.getByRole('table', { name: 'OAuth2 clients of all users' }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 50); // default page size

    await page.getByRole('button', { name: 'Name' }).click();
    await page.waitForFunction(
      () => document.querySelector('tbody tr td:nth-child(2)')?.textContent === 'alice-job-00',
    );
    const asc = await rowNames();
    assert.deepEqual(asc, [...asc].sort());
    await page.getByRole('button', { name: 'Name' }).click();
    await page.waitForFunction(
      () => document.querySelector('tbody tr td:nth-child(2)')?.textContent === 'carol-job-19',
    );
    await page.getByRole('button', { name: 'Client ID' }).click();
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll('tbody tr td:nth-child(4)')].map((e) => e.textContent ?? '');
      return ids.length === 50 && ids.every((v, i) => i === 0 || ids[i - 1] <= v);
    });
    await page.getByRole('button', { name: 'Status' }).click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Status' }).waitFor();
    await page.getByRole('button', { name: 'Expires' }).click();
    await page.waitForFunction(
      () => document.querySelector('tbody tr td:nth-child(2)')?.textContent === 'alice-job-00',
    );
    await capture(page, 'manager-clients');

    await page.getByLabel('Owner email').fill('bob@demo.test');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 20);
    assert.ok((await page.locator('tbody tr td:nth-child(3)').allTextContents()).every((e) => e === 'bob@demo.test'));
    await page.getByLabel('Owner email').fill('');
    await page.getByLabel('Name contains').fill('job-1');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 30);
    await page.getByLabel('Name contains').fill('');
    // None of these clients was ever used: a last-used range matches none of them.
    await page.getByLabel('Last used after').fill('2020-01-01');
    await page.getByText('No clients match').waitFor();
    await page.getByLabel('Last used after').fill('');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 50);

    // Pages of 25 through the API's cursor: 60 clients → 25, 25, 10.
    await page.getByLabel('Rows per page').click();
    await page.getByRole('option', { name: '25' }).click();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 25);
    const first = await rowNames();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('26–50').waitFor();
    await firstRowIsNot(first[0]!);
    const second = await rowNames();
    assert.equal(second.filter((n) => first.includes(n)).length, 0);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('51–60').waitFor();
    await firstRowIsNot(second[0]!);
    assert.equal(await page.locator('tbody tr').count(), 10);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.waitForFunction(
      (n) => document.querySelector('tbody tr td:nth-child(2)')?.textContent === n,
      second[0]!,
    );
    assert.deepEqual(await rowNames(), second);

    // Select two of carol's clients and revoke them together.
    await page.getByLabel('Owner email').fill('carol@demo.test');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 20);
    await page.getByLabel('Select carol-job-00 of carol@demo.test').check();
    await page.getByLabel('Select carol-job-01 of carol@demo.test').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'REVOKE SELECTED' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke 2 clients?' });
    await confirm.getByText('"carol-job-00" (carol@demo.test)').waitFor();
    await capture(page, 'manager-bulk-revoke');
    await confirm.getByRole('button', { name: 'REVOKE' }).click();
    await page.getByText('2 clients revoked.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 18);
    const revoked = await lk.api(adminToken, 'GET', '/oauth2-clients?status=revoked');
    assert.deepEqual(revoked.body.items.map((c: { name: string }) => c.name).sort(), ['carol-job-00', 'carol-job-01']);
    assert.ok(revoked.body.items.every((c: { revokedBy: { by: string } }) => c.revokedBy.by === 'manager'));

    // Three-dot → Delete on one row.
    await page.getByRole('button', { name: 'Actions for carol-job-02 of carol@demo.test' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete client "carol-job-02"?' })
      .getByRole('button', { name: 'DELETE' })
      .click();
    await page.getByText('Client revoked.').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 17);

    // Three-dot → Rotate secret on a user's client: the manager gets the secret once, the owner is told.
    await page.getByRole('button', { name: 'Actions for carol-job-03 of carol@demo.test' }).click();
    await page.getByRole('menuitem', { name: 'Rotate secret' }).click();
    const rotating = page.getByRole('dialog', { name: 'Rotate the secret of "carol-job-03"?' });
    await rotating.getByText('The owner is told by email').waitFor();
    await rotating.getByRole('radio', { name: '24 hours' }).check();
    await rotating
      .getByText(/Scripts and tools of carol@demo.test using the current secret keep working until/)
      .waitFor();
    await capture(page, 'manager-rotate-secret');
    await rotating.getByRole('button', { name: 'ROTATE SECRET' }).click();
    const shown = page.getByRole('dialog', { name: 'New secret of "carol-job-03"' });
    const secret = (await shown.locator('#created-client-secret').textContent())!;
    const clientId = (await shown.locator('#created-client-id').textContent())!;
    assert.equal((await lk.clientCredentials(clientId, secret)).status, 200);
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret), false);
    await page
      .getByRole('row')
      .filter({ hasText: 'carol-job-03' })
      .getByText(/old secret until/)
      .waitFor();
    const audit = await lk.api(adminToken, 'GET', '/audit?action=personal_client.secret_rotated');
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    assert.equal(audit.body.items[0].details.by, 'manager');
    assert.equal(audit.body.items[0].details.overlapSeconds, 86_400);
  });

  test('stale credentials: never used, unused or expiring soon, as the API says, with the reasons', async () => {
    await page.getByRole('tab', { name: 'Stale credentials' }).click();
    await page.waitForURL(/\/manage\/stale-credentials$/);
    const table = page.getByRole('table', { name: 'Stale credentials' });
    await table.waitFor();
    // By default all three conditions, soonest expiry first: every client here is never used; the first also expire within 14 days.
    await page.getByRole('row').filter({ hasText: 'alice-job-00' }).getByText('Expiring soon').waitFor();
    await capture(page, 'manager-stale-credentials');
    // Only "expiring within 14 days": exactly what the API answers, revoked clients left out.
    await page.getByLabel('Never used').uncheck();
    await page.getByLabel('Unused for', { exact: true }).uncheck();
    const expected = (await lk.api(adminToken, 'GET', '/stale-credentials?expiringWithinDays=14&limit=200')).body.items
      .map((c: { name: string }) => c.name)
      .sort();
    assert.ok(expected.length >= 3 && !expected.includes('carol-job-00'), JSON.stringify(expected));
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, expected.length);
    assert.deepEqual((await rowNames()).sort(), expected);
    assert.deepEqual([...new Set(await page.locator('tbody td.reasons').allTextContents())], ['Expiring soon']);
    await page.getByLabel('Expiring within', { exact: true }).uncheck();
    await page.getByText('Tick a condition').waitFor();
  });

  test('audit log: filtered by action, paginated', async () => {
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.waitForURL(/\/manage\/audit$/);
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Action').fill('user.invited');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('tbody tr td:nth-child(3)')].every((td) => td.textContent === 'user.invited'),
    );
    assert.ok((await page.locator('tbody tr').count()) >= 5);
    await capture(page, 'manager-audit');
    await page.getByLabel('Action').fill('');
    await page.getByLabel('Rows per page').click();
    await page.getByRole('option', { name: '25' }).click();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('26–50').waitFor();
  });

  test('a 390 px wide phone: no page-wide horizontal scroll, menus and dialogs usable', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['oauth2-clients', 'phone-my-clients'],
      ['manage/oauth2-clients', 'phone-manager-clients'],
    ] as const) {
      await page.goto(`${lk.url}/console/t/demo/${path}`);
      await page.locator('table, h2').first().waitFor();
      const overflow = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(
          (e) => e.getBoundingClientRect().right > width + 1 && !e.closest('.MuiTableContainer-root'),
        );
        const chain: string[] = [];
        for (let e: Element | null = document.querySelector('.MuiTableContainer-root'); e; e = e.parentElement)
          chain.push(`${e.tagName}.${String(e.className).slice(0, 40)}=${Math.round(e.getBoundingClientRect().width)}`);
        return {
          by: document.documentElement.scrollWidth - width,
          wide: [...wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}`), ...chain],
        };
      });
      assert.ok(overflow.by <= 0, `${path} scrolls sideways by ${overflow.by}px: ${overflow.wide.join(' | ')}`);
      await capture(page, name);
    }
    await page.goto(`${lk.url}/console/t/demo/oauth2-clients`);
    await page.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    await page.getByRole('dialog', { name: 'Create a personal OAuth2 client' }).waitFor();
    await screenshot(page, 'phone-create-client');
    await assertAccessible(page, 'phone-create-client');
    await page.keyboard.press('Escape');
  });
});
