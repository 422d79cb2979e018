// The domain's settings, signing keys and resources, and the platform's tenants, end to end in the
// console: "Access signing certificate" off makes the JWKS ask for client authentication, rotating
// publishes a new key (and a suspected leak withdraws the old ones), a scope still granted is refused
// removal, a platform administrator creates a tenant and turns its enterprise features on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { SCREENSHOTS, assertAccessible, capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

describe('console: settings, signing keys, resources, tenants', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let page: Page;
  let adminToken: string;

  const signIn = async (p: Page, email: string, password: string) => {
    await p.goto(`${lk.url}/console/t/demo/sign-in`);
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'SIGN IN' }).click();
    await p.waitForURL(/\/oauth2-clients$/);
  };
  const jwks = async (basic?: string) => {
    const res = await fetch(`${lk.url}/t/demo/oauth2/v1/keys`, {
      headers: basic ? { authorization: `Basic ${basic}` } : {},
    });
    return {
      status: res.status,
      kids: res.status === 200 ? ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid) : [],
    };
  };
  const confirmIn = async (title: string, button: string, shot?: string) => {
    const dialog = page.getByRole('dialog', { name: title });
    await dialog.waitFor();
    if (shot) await capture(page, shot);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    return dialog;
  };

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    page = await chromium.page();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    await signIn(page, ADMIN.email, ADMIN.password);
  });

  after(async () => {
    await lk?.stop();
  });

  test('"Access signing certificate" off: the JWKS answers 401 without client authentication, 200 again after', async () => {
    const made = await lk.api(adminToken, 'POST', '/apps', {
      name: 'verifier',
      grantTypes: ['client_credentials'],
      scopes: [],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const basic = Buffer.from(`${made.body.clientId}:${made.body.clientSecret}`).toString('base64');
    assert.equal((await jwks()).status, 200);

    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.waitForURL(/\/manage\/settings$/);
    await page.getByRole('heading', { name: 'Default settings' }).waitFor();
    await capture(page, 'settings');

    await page.getByLabel('Access signing certificate').click();
    await confirmIn('Turn off "Access signing certificate"?', 'CHANGE', 'settings-signing-certificate');
    await page.getByText('Setting saved.').waitFor();
    assert.equal((await jwks()).status, 401);
    assert.equal((await jwks(basic)).status, 200);
    assert.equal(await page.getByLabel('Access signing certificate').isChecked(), false);

    await page.getByLabel('Access signing certificate').click();
    const dialog = page.getByRole('dialog', { name: 'Turn on "Access signing certificate"?' });
    await dialog.getByText('Anyone can read the JWKS again').waitFor();
    await dialog.getByRole('button', { name: 'CHANGE' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await jwks()).status, 200);
  });

  test('lifetimes are checked and confirmed; single sign-on is only shown here (it is enforced on its own screen)', async () => {
    await page.getByText('Single sign-on: not enforced').waitFor();
    assert.equal(await page.getByLabel('Enforce single sign-on').count(), 0);

    const access = page.getByLabel('Access-token lifetime (seconds)');
    await access.fill('30');
    await page.getByText('From 60 to 86400 seconds.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save access-token lifetime' }).isDisabled(), true);
    await access.fill('1800');
    await page.getByRole('button', { name: 'Save access-token lifetime' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the access-token lifetime?' });
    await dialog.getByText('From 1 hour to 30 minutes.').waitFor();
    await capture(page, 'settings-lifetime');
    await dialog.getByRole('button', { name: 'CHANGE' }).click();
    await page.getByText('Setting saved.').waitFor();

    await page.getByLabel('Refresh grace window (seconds)').fill('0');
    await page.getByRole('button', { name: 'Save refresh grace window' }).click();
    await confirmIn('Change the refresh grace window?', 'CHANGE');
    await page.getByLabel('Personal-client maximum lifetime (days)').fill('30');
    await page.getByRole('button', { name: 'Save personal-client maximum lifetime' }).click();
    await confirmIn('Change the personal-client maximum lifetime?', 'CHANGE');
    await page.getByText('30 days now.').waitFor();
    const retention = page.getByLabel('Audit log retention (days)');
    await page.getByText('400 days now. Audit events older than this are deleted.').waitFor();
    await retention.fill('20');
    await page.getByText('From 30 to 3650 days.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save audit log retention' }).isDisabled(), true);
    await retention.fill('90');
    await page.getByRole('button', { name: 'Save audit log retention' }).click();
    await confirmIn('Change the audit log retention?', 'CHANGE');
    await page.getByText('90 days now.').waitFor();

    const settings = (await lk.api(adminToken, 'GET', '/settings')).body;
    assert.equal(settings.auditRetentionDays, 90);
    assert.equal(settings.accessTokenTtlSeconds, 1800);
    assert.equal(settings.refreshTokenGraceSeconds, 0);
    assert.equal(settings.personalClientMaxDays, 30);
    assert.equal(settings.ssoEnforced, false);
    assert.equal(settings.signingCertificatePublic, true);
    const audit = (await lk.api(adminToken, 'GET', '/audit?action=settings.updated')).body.items;
    assert.ok(audit.length >= 5, `every change is audited (${audit.length})`);
  });

  test('keyboard only: Space opens the confirmation, Escape cancels, Tab and Enter confirm', async () => {
    const sw = page.getByLabel('Revoke personal clients on role loss');
    const before = await sw.isChecked();
    const dialog = page.getByRole('dialog', { name: /"Revoke personal clients on role loss"\?$/ });
    await sw.focus();
    await page.keyboard.press('Space');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await sw.isChecked(), before);
    await sw.focus();
    await page.keyboard.press('Space');
    await dialog.waitFor();
    for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'CHANGE'; i++)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Setting saved.').waitFor();
    assert.equal((await lk.api(adminToken, 'GET', '/settings')).body.revokeClientsOnRoleLoss, !before);
  });

  test('signing keys: rotate now publishes the new key; after a suspected leak the old ones leave the JWKS', async () => {
    await page.getByRole('tab', { name: 'Signing keys' }).click();
    await page.getByRole('table', { name: 'Signing keys' }).waitFor();
    const before = await jwks();
    await page.getByRole('button', { name: 'ROTATE NOW' }).click();
    await confirmIn('Rotate the signing key now?', 'ROTATE', 'signing-keys-rotate');
    const toast = await page.getByText(/^Key .+ signs from now on\.$/).textContent();
    const kid = toast!.replace(/^Key (.+) signs from now on\.$/, '$1');
    const after = await jwks();
    assert.ok(after.kids.includes(kid), 'the new signing key is published');
    assert.ok(
      before.kids.every((k) => after.kids.includes(k)),
      'the previous key stays published',
    );
    await page.getByRole('row').filter({ hasText: kid }).filter({ hasText: 'Active' }).waitFor();
    await capture(page, 'signing-keys');

    await page.getByRole('button', { name: 'ROTATE AFTER A SUSPECTED LEAK' }).click();
    const leak = page.getByRole('dialog', { name: 'Rotate after a suspected leak?' });
    await leak.getByText('Every access token signed before is refused').waitFor();
    await capture(page, 'signing-keys-leak');
    await leak.getByRole('button', { name: 'ROTATE AND REVOKE' }).click();
    await leak.waitFor({ state: 'detached' });
    const leaked = await jwks();
    assert.ok(
      after.kids.every((k) => !leaked.kids.includes(k)),
      'no earlier key is published',
    );
    assert.equal((await lk.api(adminToken, 'GET', '/settings')).status, 401, 'tokens signed before are refused');
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
  });

  test('resources: add and remove a scope; a scope a role still grants is refused with the reason', async () => {
    const role = await lk.api(adminToken, 'POST', '/roles', { name: 'meter-readers', scopes: ['metering'] });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    await page.getByRole('tab', { name: 'Resources' }).click();
    await page.getByRole('heading', { name: 'Sample API' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'metering' }).filter({ hasText: 'meter-readers' }).waitFor();

    await page.getByLabel('New scope for Sample API').fill('reports');
    await page.getByRole('button', { name: 'ADD SCOPE' }).click();
    await page.getByText('Scope added.').waitFor();
    await page.getByRole('button', { name: 'Remove scope reports' }).click();
    await confirmIn('Remove scope "reports"?', 'REMOVE');
    await page.getByText('Scope reports removed.').waitFor();
    await page.getByRole('button', { name: 'Remove scope reports' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Remove scope metering' }).click();
    const refuse = page.getByRole('dialog', { name: 'Remove scope "metering"?' });
    await refuse.getByText('Roles that grant it: domain-manager, meter-readers.').waitFor();
    await refuse.getByRole('button', { name: 'REMOVE' }).click();
    await refuse.getByText('Scopes still granted by roles: domain-manager, meter-readers.').waitFor();
    await capture(page, 'resource-scope-refused');
    await refuse.getByRole('button', { name: 'Cancel' }).click();
    const sample = (await lk.api(adminToken, 'GET', '/resources')).body.items[0];
    assert.deepEqual(sample.scopes, ['metering', 'myservices']);

    await page.getByRole('button', { name: 'ADD API' }).click();
    const add = page.getByRole('dialog', { name: 'Add an API' });
    await add.getByLabel('Name').fill('Billing API');
    await add.getByLabel('Audience').fill('https://billing.example.com');
    await add.getByLabel('Scopes').fill('invoices:read invoices:write');
    await add.getByRole('button', { name: 'ADD' }).click();
    await page.getByText('API "Billing API" added.').waitFor();
    await page.getByRole('heading', { name: 'Billing API' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'invoices:write' }).filter({ hasText: 'no role' }).waitFor();

    // Describe a scope in words; the API stores it, and it shows in the table.
    await page
      .getByRole('row')
      .filter({ hasText: 'metering' })
      .getByText('Read your usage figures (Metering)')
      .waitFor();
    await page.getByRole('button', { name: 'Describe scope invoices:write' }).click();
    const describe = page.getByRole('dialog', { name: 'Describe scope invoices:write' });
    await describe.getByLabel('What this scope allows').fill('Create, change and send invoices');
    await capture(page, 'resource-describe-scope');
    await describe.getByRole('button', { name: 'SAVE' }).click();
    await page.getByText('Scope invoices:write described.').waitFor();
    await page
      .getByRole('row')
      .filter({ hasText: 'invoices:write' })
      .getByText('Create, change and send invoices')
      .waitFor();
    const billing = (await lk.api(adminToken, 'GET', '/resources')).body.items.find(
      (r: { name: string }) => r.name === 'Billing API',
    );
    assert.deepEqual(billing.scopeDescriptions, { 'invoices:write': 'Create, change and send invoices' });
    await capture(page, 'resources');
  });

  test('tenants: platform administrators create one and turn its enterprise features on; others are turned away', async () => {
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Tenants' }).click();
    await page.getByRole('table', { name: 'Tenants' }).waitFor();
    await page.getByRole('button', { name: 'CREATE TENANT' }).click();
    const create = page.getByRole('dialog', { name: 'Create a tenant' });
    await create.getByLabel('Slug').fill('Acme!');
    await create.getByText('Lowercase letters, digits and hyphens').waitFor();
    await create.getByLabel('Slug').fill('acme');
    await create.getByLabel('Name').fill('Acme Corp');
    await capture(page, 'tenant-create');
    await create.getByRole('button', { name: 'CREATE' }).click();
    await page.getByText('Tenant "Acme Corp" created.').waitFor();
    await page.getByLabel('Enterprise features for acme').click();
    await confirmIn('Turn on enterprise features for Acme Corp?', 'TURN ON');
    await page.getByText('Enterprise features on for Acme Corp.').waitFor();
    await capture(page, 'tenants');
    const acme = (await (
      await fetch(`${lk.url}/platform/api/v1/tenants/acme`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { enterpriseEnabled: boolean };
    assert.equal(acme.enterpriseEnabled, true);

    const plain = await lk.invite(adminToken, 'plain@demo.test', ['domain-manager']);
    const other = await chromium.page();
    await signIn(other, plain.email, plain.password);
    await other.getByRole('button', { name: 'Profile menu' }).click();
    assert.equal(await other.getByRole('menuitem', { name: 'Tenants' }).count(), 0);
    await other.getByRole('menuitem', { name: 'Settings' }).waitFor();
    await other.goto(`${lk.url}/console/t/demo/platform/tenants`);
    await other.getByText('Tenants are managed by platform administrators.').waitFor();

    // A refusal reads as a sentence in the confirmation: this manager loses the role meanwhile.
    await other.goto(`${lk.url}/console/t/demo/manage/settings`);
    const before = (await lk.api(adminToken, 'GET', '/settings')).body.revokeClientsOnRoleLoss as boolean;
    await other.getByLabel('Revoke personal clients on role loss').click();
    const dialog = other.getByRole('dialog', {
      name: `${before ? 'Turn off' : 'Turn on'} "Revoke personal clients on role loss"?`,
    });
    await dialog.waitFor();
    assert.equal((await lk.api(adminToken, 'PATCH', `/users/${plain.id}`, { roleIds: [] })).status, 200);
    await dialog.getByRole('button', { name: 'CHANGE' }).click();
    await dialog.getByText('Only domain managers may do this.').waitFor();
    await other.screenshot({ path: `${SCREENSHOTS}/settings-refused.png` });
    await assertAccessible(other, 'settings-refused');
    assert.equal((await lk.api(adminToken, 'GET', '/settings')).body.revokeClientsOnRoleLoss, before);
    await other.context().close();

    // A taken slug is refused with the reason, in the dialog.
    await page.getByRole('button', { name: 'CREATE TENANT' }).click();
    const again = page.getByRole('dialog', { name: 'Create a tenant' });
    await again.getByLabel('Slug').fill('acme');
    await again.getByLabel('Name').fill('Acme again');
    await again.getByRole('button', { name: 'CREATE' }).click();
    await again.getByRole('alert').waitFor();
    assert.match((await again.getByRole('alert').textContent())!, /acme/);
    await again.getByRole('button', { name: 'CANCEL' }).click();
  });

  test('a 390 px wide phone: settings, resources and signing keys fit', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, name] of [
      ['manage/settings', 'phone-settings'],
      ['manage/resources', 'phone-resources'],
      ['manage/signing-keys', 'phone-signing-keys'],
    ] as const) {
      await page.goto(`${lk.url}/console/t/demo/${path}`);
      await page.locator('main h2').first().waitFor();
      const by = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(by <= 0, `${path} scrolls sideways by ${by}px`);
      await capture(page, name);
    }
  });
});
