// The console end to end against a real Latchkey process: sign-in (wrong password, throttling,
// expiry, sign-out) and "My OAuth2 clients" (create, the secret shown once and used, delete).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

describe('console: sign-in and My OAuth2 clients', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let page: Page;
  let adminToken: string;

  const signIn = async (email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
  };

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    page = await chromium.page();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
  });

  after(async () => {
    await lk?.stop();
  });

  test('/console/ opens the demo sign-in; a wrong password says so', async () => {
    await page.goto(`${lk.url}/console/`);
    await page.waitForURL(/\/console\/t\/demo\/sign-in/);
    await page.getByRole('heading', { name: 'Sign in to Latchkey' }).waitFor();
    await capture(page, 'sign-in');
    await signIn(ADMIN.email, 'not the password');
    const alert = page.getByRole('alert').filter({ hasText: 'Wrong email or password.' });
    await alert.waitFor();
    await capture(page, 'sign-in-wrong-password');
  });

  test('repeated failures show the throttling message with the wait', async () => {
    const victim = await lk.invite(adminToken, 'throttled@demo.test', []);
    let message = '';
    for (let i = 0; i < 8 && !/too many failed sign-ins/i.test(message); i++) {
      await signIn(victim.email, `wrong ${i}`);
      // This attempt's answer is shown: the form empties the password field as it shows the message.
      await page.waitForFunction(
        () => document.querySelector<HTMLInputElement>('input[type="password"]')?.value === '',
      );
      message = (await page.getByRole('alert').first().textContent()) ?? '';
    }
    assert.match(message, /^Too many failed sign-ins; try again in \d+ seconds\.$/);
    await capture(page, 'sign-in-throttled');
    // Even the right password is refused while throttled.
    await signIn(victim.email, victim.password);
    await page.getByRole('alert').filter({ hasText: 'Too many failed sign-ins' }).waitFor();
  });

  test('sign in, empty state, CREATE CLIENT, the secret once, and it works for client_credentials', async () => {
    await signIn(ADMIN.email, ADMIN.password);
    await page.waitForURL(/\/console\/t\/demo\/oauth2-clients$/);
    await page.getByText('You have no personal OAuth2 clients yet').waitFor();
    await capture(page, 'my-clients-empty');

    await page.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.waitFor();
    await dialog.getByLabel('Name').fill('nightly-report');
    await dialog.getByRole('button', { name: '30 days' }).click();
    const date = await dialog.getByLabel('Expiration date').inputValue();
    assert.equal((await dialog.getByLabel('Expiration date').getAttribute('max')) !== null, true);
    await dialog.getByText('At most 365 days from today').waitFor();
    await capture(page, 'create-client');
    await dialog.getByRole('button', { name: 'SAVE' }).click();

    const shown = page.getByRole('dialog', { name: 'Client "nightly-report" created' });
    await shown.waitFor();
    await shown.getByText('It will not be shown again').waitFor();
    const clientId = (await shown.locator('#created-client-id').textContent())!;
    const secret = (await shown.locator('#created-client-secret').textContent())!;
    assert.match(clientId, /^lk_pc_/);
    assert.match(secret, /^lk_cs_/);
    await shown.getByRole('button', { name: 'Copy client secret' }).waitFor();
    assert.match((await shown.locator('pre').textContent())!, new RegExp(`LATCHKEY_CLIENT_ID=${clientId}`));
    await capture(page, 'client-secret');

    const grant = await lk.clientCredentials(clientId, secret);
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    assert.equal(grant.body.token_type, 'Bearer');

    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'nightly-report' });
    await row.waitFor();
    assert.equal((await page.content()).includes(secret), false, 'the secret is gone from the page');
    assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret), false);
    assert.match((await row.textContent())!, /expires in (29|30) days/);
    assert.ok(date);
    await capture(page, 'my-clients');
  });

  test('an API problem reads as a sentence in the dialog (same name twice), and dialogs work from the keyboard', async () => {
    await page.getByRole('button', { name: 'CREATE CLIENT' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByLabel('Name').fill('nightly-report');
    await page.keyboard.press('Enter'); // submits the form
    await dialog.getByText('You already have a client named "nightly-report".').waitFor();
    assert.doesNotMatch((await dialog.textContent())!, /[{}]|"status"|at \w+ \(/);
    await capture(page, 'create-client-error');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The profile menu by keyboard.
    await page.getByRole('button', { name: 'Profile menu' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  test('an expired session goes to sign-in and back to the page', async () => {
    await page.context().clearCookies();
    await page.getByRole('button', { name: 'Expires' }).click(); // a new query: answered 401
    await page.waitForURL(/\/sign-in\?next=%2Ft%2Fdemo%2Foauth2-clients&expired=1/);
    await page.getByText('Your session has ended').waitFor();
    await signIn(ADMIN.email, ADMIN.password);
    await page.waitForURL(/\/console\/t\/demo\/oauth2-clients$/);
    await page.getByRole('row').filter({ hasText: 'nightly-report' }).waitFor();
  });

  test('a client with only some of my scopes: the picker lists mine, its tokens carry only those, the table shows them', async () => {
    // The administrator holds the built-in roles (the management scopes only): give him one that grants both sample scopes.
    const role = await lk.api(adminToken, 'POST', '/roles', {
      name: 'e2e readers',
      scopes: ['metering', 'myservices'],
    });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const me = (await lk.api(adminToken, 'GET', '/me')).body as { id: string; roles: { id: string }[] };
    const patched = await lk.api(adminToken, 'PATCH', `/users/${me.id}`, {
      roleIds: [...me.roles.map((r) => r.id), role.body.id],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'nightly-report' }).waitFor();

    await page.getByRole('button', { name: 'CREATE CLIENT' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByLabel('Name').fill('metering-only');
    assert.equal(await dialog.getByRole('radio', { name: 'All my permissions' }).isChecked(), true, 'all by default');
    await dialog
      .getByText(
        'now latchkey:apps, latchkey:clients, latchkey:read, latchkey:settings, latchkey:users, metering, myservices',
      )
      .waitFor();
    await dialog.getByRole('radio', { name: 'Only these scopes' }).check();
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await dialog.getByText('Choose at least one scope, or All my permissions.').waitFor();
    assert.deepEqual(
      await dialog
        .getByRole('checkbox')
        .evaluateAll((els) => els.map((e) => e.closest('label')!.querySelector('code')!.textContent)),
      [
        'latchkey:apps',
        'latchkey:clients',
        'latchkey:read',
        'latchkey:settings',
        'latchkey:users',
        'metering',
        'myservices',
      ],
    );
    // Each with what it allows (GET /scopes).
    await dialog.getByRole('checkbox', { name: 'latchkey:apps Change, deactivate and delete applications' }).waitFor();
    await dialog.getByRole('checkbox', { name: 'metering' }).check();
    await capture(page, 'create-client-scoped');
    await dialog.getByRole('button', { name: 'SAVE' }).click();

    const shown = page.getByRole('dialog', { name: 'Client "metering-only" created' });
    await shown.waitFor();
    const clientId = (await shown.locator('#created-client-id').textContent())!;
    const secret = (await shown.locator('#created-client-secret').textContent())!;
    const grant = await lk.clientCredentials(clientId, secret);
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    const claims = JSON.parse(Buffer.from(grant.body.access_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.scope, 'metering', 'only the chosen scope, though he holds myservices too');
    const stored = (await lk.api(adminToken, 'GET', '/me/oauth2-clients')).body.items as {
      name: string;
      scopes: string[] | null;
    }[];
    assert.deepEqual(stored.find((c) => c.name === 'metering-only')!.scopes, ['metering']);
    assert.equal(stored.find((c) => c.name === 'nightly-report')!.scopes, null);

    await shown.getByRole('button', { name: 'CLOSE' }).click();
    const row = page.getByRole('row').filter({ hasText: 'metering-only' });
    await row.waitFor();
    assert.equal(
      await row
        .locator('.scope')
        .allTextContents()
        .then((t) => t.join(' ')),
      'metering',
    );
    const nightly = page.getByRole('row').filter({ hasText: 'nightly-report' });
    assert.match((await nightly.textContent())!, /All/);
    // Used by an earlier step (the usage batch is written within seconds): when, from where and with what.
    for (let i = 0; i < 30 && !(await nightly.locator('.last-used-from').count()); i++) {
      await page.waitForTimeout(500);
      await page.reload();
      await nightly.waitFor();
    }
    assert.match((await nightly.locator('.last-used-from').textContent())!, /^(::ffff:)?127\.0\.0\.1 · \S/);
    await capture(page, 'my-clients-scoped');
  });

  test('three-dot → Rotate secret: the consequence for each overlap, the new secret once, the old one kept or refused', async () => {
    const made = await lk.api(adminToken, 'POST', '/me/oauth2-clients', {
      name: 'rotating-job',
      expiresAt: new Date(Date.now() + 5 * 864e5).toISOString(),
    });
    assert.equal(made.status, 201);
    const { clientId, clientSecret: original } = made.body as { clientId: string; clientSecret: string };
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'rotating-job' });
    await row.waitFor();

    const rotate = async (overlap: 'None' | '1 hour' | '24 hours') => {
      await page.getByRole('button', { name: 'Actions for rotating-job' }).click();
      await page.getByRole('menuitem', { name: 'Rotate secret' }).click();
      const confirm = page.getByRole('dialog', { name: 'Rotate the secret of "rotating-job"?' });
      await confirm.getByText(clientId).waitFor();
      assert.equal(await confirm.getByRole('radio', { name: 'None' }).isChecked(), true, 'no overlap by default');
      await confirm.getByText('using the current secret of rotating-job stop working now').waitFor();
      if (overlap === 'None') await capture(page, 'rotate-secret');
      else {
        await confirm.getByRole('radio', { name: overlap }).check();
        await confirm.getByText(/keep working until .+, then stop/).waitFor();
        await capture(page, 'rotate-secret-overlap');
      }
      await confirm.getByRole('button', { name: 'ROTATE SECRET' }).click();
      const shown = page.getByRole('dialog', { name: 'New secret of "rotating-job"' });
      await shown.getByText('The client ID is unchanged').waitFor();
      assert.equal(await shown.locator('#created-client-id').textContent(), clientId);
      const secret = (await shown.locator('#created-client-secret').textContent())!;
      assert.match(secret, /^lk_cs_/);
      return { shown, secret };
    };

    // With an hour's overlap: both secrets work, the list says until when.
    const first = await rotate('1 hour');
    await first.shown.getByText(/The old secret keeps working until/).waitFor();
    await capture(page, 'rotated-secret');
    assert.equal((await lk.clientCredentials(clientId, original)).status, 200, 'the old secret overlaps');
    assert.equal((await lk.clientCredentials(clientId, first.secret)).status, 200);
    await first.shown.getByRole('button', { name: 'CLOSE' }).click();
    await first.shown.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), first.secret), false);
    await row.getByText(/old secret until/).waitFor();
    await capture(page, 'my-clients-rotated');

    // Without: the secrets before stop at once.
    const second = await rotate('None');
    await second.shown.getByText('The old secret stopped working now').waitFor();
    await second.shown.getByRole('button', { name: 'CLOSE' }).click();
    await second.shown.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), second.secret), false);
    assert.equal((await lk.clientCredentials(clientId, first.secret)).status, 401);
    assert.equal((await lk.clientCredentials(clientId, original)).status, 401);
    assert.equal((await lk.clientCredentials(clientId, second.secret)).status, 200);
    await page.getByText('Secret of "rotating-job" rotated.').waitFor();
    await row.getByText(/old secret until/).waitFor({ state: 'detached' });
  });

  test('three-dot → Delete asks, names the client, and its grant is refused afterwards', async () => {
    // A second client, whose secret the test keeps, to prove the delete.
    const second = await lk.api(adminToken, 'POST', '/me/oauth2-clients', {
      name: 'to-delete',
      expiresAt: new Date(Date.now() + 5 * 864e5).toISOString(),
    });
    assert.equal(second.status, 201);
    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'to-delete' });
    await row.waitFor();
    assert.match((await row.textContent())!, /expires in (4|5) days/);
    await page.getByRole('button', { name: 'Actions for to-delete' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete client "to-delete"?' });
    await confirm.waitFor();
    await capture(page, 'delete-client');
    await confirm.getByRole('button', { name: 'DELETE' }).click();
    await page.getByText('Client "to-delete" deleted.').waitFor();
    // Revoked clients leave the list.
    await page.getByRole('row').filter({ hasText: 'to-delete' }).waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'nightly-report' }).waitFor();

    const refused = await lk.clientCredentials(second.body.clientId, second.body.clientSecret);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
  });

  test('a user without the creator role sees why and whom to ask; sign-out', async () => {
    const plain = await lk.invite(adminToken, 'plain@demo.test', []);
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await signIn(plain.email, plain.password);
    await page.waitForURL(/\/oauth2-clients$/);
    await page.getByText('your account does not have the role oauth2-client-creator').waitFor();
    assert.equal(await page.getByRole('button', { name: 'CREATE CLIENT' }).isDisabled(), true);
    await capture(page, 'my-clients-no-role');
    await page.getByRole('button', { name: 'Profile menu' }).click();
    assert.equal(await page.getByRole('menuitem', { name: 'User & Company Manager' }).count(), 0);
    await capture(page, 'profile-menu');
    await page.keyboard.press('Escape');
  });
});
