// A newcomer's first hour, end to end: an invited user whose roles grant no API scope is told whom to
// ask; a manager (whose own role grants none either) is sent to the Roles screen, makes "Metering
// readers" with the metering scope, gives it to the newcomer, and the newcomer's next token carries
// metering. Then the role is renamed, described and deleted (the confirmation says who loses what).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

const MANAGEMENT = ['latchkey:apps', 'latchkey:clients', 'latchkey:read', 'latchkey:settings', 'latchkey:users'];

interface RoleView {
  id: string;
  name: string;
  builtin: string | null;
  description: string;
  scopes: string[];
}

describe('console: Roles', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let manager: Page;
  let newcomerPage: Page;
  let adminToken: string;
  let newcomer: { id: string; email: string; password: string };

  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(/\/oauth2-clients$/);
  };
  /** The scope claim of a password-grant token (latchkey-sdk, over HTTP), as a sorted list. */
  const tokenScopes = async (email: string, password: string) => {
    const token = await lk.token(email, password);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { scope: string };
    return claims.scope.split(' ').filter(Boolean).sort();
  };
  const storedRoles = async () => (await lk.api(adminToken, 'GET', '/roles')).body.items as RoleView[];
  /** The row whose first cell (the name, and "Built-in") holds this name. */
  const roleRow = (name: string) =>
    manager
      .getByRole('table', { name: 'Roles' })
      .getByRole('row')
      .filter({ has: manager.locator('td:first-child', { hasText: name }) });

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    manager = await chromium.page();
    newcomerPage = await chromium.page();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    newcomer = await lk.invite(adminToken, 'newcomer@demo.test', ['oauth2-client-creator']);
  });

  after(async () => {
    await lk?.stop();
  });

  test('a newcomer whose roles grant no API scope is told whom to ask', async () => {
    assert.deepEqual(
      await tokenScopes(newcomer.email, newcomer.password),
      ['latchkey:clients', 'latchkey:read'],
      "Latchkey's own scopes only",
    );
    await signIn(newcomerPage, newcomer.email, newcomer.password);
    await newcomerPage.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const dialog = newcomerPage.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByText("None of your roles grants a scope of Demo's APIs yet").waitFor();
    await dialog.getByText('Ask a domain manager of Demo for a role that grants the scopes you need.').waitFor();
    assert.equal(await dialog.getByRole('link').count(), 0, 'no link to a screen the newcomer may not open');
    await dialog.getByLabel('Name').fill('nightly-report');
    await capture(newcomerPage, 'create-client-no-api-scope');
    // The scopes to pick from say what they allow.
    await dialog.getByRole('radio', { name: 'Only these scopes' }).check();
    await dialog.getByRole('checkbox', { name: 'latchkey:clients Revoke personal OAuth2 clients' }).waitFor();
    await newcomerPage.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  test('built-in roles: listed with their holders, never deleted; the manager role warns about its management scopes', async () => {
    await signIn(manager, ADMIN.email, ADMIN.password);
    await manager.getByRole('button', { name: 'Profile menu' }).click();
    await manager.getByRole('menuitem', { name: 'User & Company Manager' }).click();
    await manager.getByRole('tab', { name: 'Roles' }).click();
    await manager.waitForURL(/\/manage\/roles$/);
    // The administrator holds both built-in roles; the newcomer the creator role.
    await roleRow('domain-manager').getByRole('link', { name: '1 user hold domain-manager' }).waitFor();
    await roleRow('oauth2-client-creator').getByRole('link', { name: '2 users hold oauth2-client-creator' }).waitFor();
    assert.equal(await roleRow('domain-manager').getByText('Built-in').count(), 1);
    await capture(manager, 'manager-roles');

    await manager.getByRole('button', { name: 'Actions for oauth2-client-creator' }).click();
    assert.equal(await manager.getByRole('menuitem', { name: 'Delete (built-in roles stay)' }).isDisabled(), true);
    await manager.keyboard.press('Escape');

    await manager.getByRole('button', { name: 'Actions for domain-manager' }).click();
    await manager.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Edit role "domain-manager"' });
    await dialog.getByText("Managers' personal OAuth2 clients rely on this role's management scopes").waitFor();
    await dialog.getByRole('checkbox', { name: /^latchkey:users / }).uncheck();
    const removing = dialog
      .getByRole('alert')
      .filter({ hasText: "Removing latchkey:users: holders' personal OAuth2 clients can no longer do what it allows" });
    await removing.waitFor();
    await capture(manager, 'role-edit-builtin');
    await dialog.getByRole('checkbox', { name: /^latchkey:users / }).check();
    await removing.waitFor({ state: 'detached' });
    // A fresh domain's manager role grants no API scope: make this one like it, and rename it.
    await dialog.getByRole('checkbox', { name: /^metering / }).uncheck();
    await dialog.getByRole('checkbox', { name: /^myservices / }).uncheck();
    await dialog.getByLabel('Name').fill('Domain managers');
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await manager.getByText('Role "Domain managers" saved.').waitFor();
    await roleRow('Domain managers').waitFor();
    const stored = (await storedRoles()).find((r) => r.builtin === 'domain-manager')!;
    assert.equal(stored.name, 'Domain managers');
    assert.deepEqual(stored.scopes, MANAGEMENT);
    assert.deepEqual(await tokenScopes(ADMIN.email, ADMIN.password), MANAGEMENT);
  });

  test('a manager without API scopes is sent from the create-client dialog to Roles', async () => {
    await manager.goto(`${lk.url}/console/t/demo/oauth2-clients`);
    await manager.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const dialog = manager.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByText("None of your roles grants a scope of Demo's APIs yet").waitFor();
    await capture(manager, 'create-client-no-api-scope-manager');
    await dialog.getByRole('link', { name: 'Roles' }).click();
    await manager.waitForURL(/\/manage\/roles$/);
    await manager.getByRole('dialog').waitFor({ state: 'detached' });
    await roleRow('Domain managers').waitFor();
  });

  test('a new role with a scope, given to a user, who then gets the scope', async () => {
    await manager.getByRole('button', { name: 'NEW ROLE' }).click();
    const dialog = manager.getByRole('dialog', { name: 'New role' });
    // A taken name: the API's problem, as a sentence, and nothing created.
    await dialog.getByLabel('Name').fill('oauth2-client-creator');
    await dialog.getByRole('button', { name: 'CREATE' }).click();
    await dialog.getByText('A role named "oauth2-client-creator" already exists.').waitFor();
    assert.equal((await storedRoles()).length, 2);

    await dialog.getByLabel('Name').fill('Metering readers');
    await dialog.getByLabel('Description').fill('People who read usage figures.');
    // Grouped by API, each scope with what it allows.
    await dialog
      .getByRole('group', { name: 'Sample API' })
      .getByRole('checkbox', { name: 'metering Read your usage figures (Metering)' })
      .check();
    await dialog.getByRole('group', { name: 'Latchkey management API' }).waitFor();
    await capture(manager, 'role-new');
    await dialog.getByRole('button', { name: 'CREATE' }).click();
    await manager.getByText('Role "Metering readers" created.').waitFor();
    await roleRow('Metering readers').getByText('no one').waitFor();
    const created = (await storedRoles()).find((r) => r.name === 'Metering readers')!;
    assert.deepEqual(
      { builtin: created.builtin, description: created.description, scopes: created.scopes },
      { builtin: null, description: 'People who read usage figures.', scopes: ['metering'] },
    );

    // Given to the newcomer in the Users screen.
    await manager.getByRole('tab', { name: 'Users' }).click();
    await manager.getByRole('button', { name: `Actions for ${newcomer.email}` }).click();
    await manager.getByRole('menuitem', { name: 'Edit roles' }).click();
    const roles = manager.getByRole('dialog', { name: `Roles of ${newcomer.email}` });
    await roles.getByRole('checkbox', { name: 'Metering readers Grants metering' }).check();
    await capture(manager, 'role-given');
    await roles.getByRole('button', { name: 'SAVE' }).click();
    await manager.getByText(`Roles of ${newcomer.email} saved.`).waitFor();
    const user = (await lk.api(adminToken, 'GET', `/users/${newcomer.id}`)).body as { roles: { name: string }[] };
    assert.deepEqual(user.roles.map((r) => r.name).sort(), ['Metering readers', 'oauth2-client-creator']);

    // The Roles screen counts the holder and links to them.
    await manager.getByRole('tab', { name: 'Roles' }).click();
    await roleRow('Metering readers').getByRole('link', { name: '1 user hold Metering readers' }).click();
    await manager.waitForURL(/\/manage\/users\?role=/);
    await manager.getByRole('row').filter({ hasText: newcomer.email }).waitFor();
    await manager.getByRole('row').filter({ hasText: 'admin@demo.test' }).waitFor({ state: 'detached' });
    assert.deepEqual(await manager.locator('tbody tr td:nth-child(2)').allTextContents(), [newcomer.email]);

    // The newcomer's next token carries it, and the create-client dialog offers it with what it allows.
    assert.deepEqual(await tokenScopes(newcomer.email, newcomer.password), [
      'latchkey:clients',
      'latchkey:read',
      'metering',
    ]);
    await newcomerPage.reload();
    await newcomerPage.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const create = newcomerPage.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await create.getByText('now latchkey:clients, latchkey:read, metering').waitFor();
    await create.getByRole('radio', { name: 'Only these scopes' }).check();
    await create.getByLabel('Name').fill('usage-export');
    await create.getByRole('checkbox', { name: 'metering Read your usage figures (Metering)' }).check();
    assert.equal(await create.getByText('None of your roles grants').count(), 0);
    await capture(newcomerPage, 'create-client-scope-descriptions');
    await newcomerPage.keyboard.press('Escape');
  });

  test('rename and describe a role; delete it with a confirmation that says who loses what', async () => {
    await manager.getByRole('tab', { name: 'Roles' }).click();
    await manager.getByRole('button', { name: 'Actions for Metering readers' }).click();
    await manager.getByRole('menuitem', { name: 'Edit' }).click();
    const dialog = manager.getByRole('dialog', { name: 'Edit role "Metering readers"' });
    await dialog.getByLabel('Name').fill('Usage readers');
    await dialog.getByLabel('Description').fill('Finance: reads usage figures for invoices.');
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await manager.getByText('Role "Usage readers" saved.').waitFor();
    await roleRow('Usage readers').getByText('Finance: reads usage figures for invoices.').waitFor();
    const renamed = (await storedRoles()).find((r) => r.scopes.includes('metering') && !r.builtin)!;
    assert.deepEqual(
      { name: renamed.name, description: renamed.description, scopes: renamed.scopes },
      { name: 'Usage readers', description: 'Finance: reads usage figures for invoices.', scopes: ['metering'] },
    );
    const audit = (await lk.api(adminToken, 'GET', `/audit?action=role.updated&targetId=${renamed.id}`)).body.items as {
      details: { changed: Record<string, unknown> };
    }[];
    assert.equal(audit.length, 1);
    assert.deepEqual(
      Object.keys(audit[0]!.details.changed).sort(),
      ['description', 'name'],
      'only what changed is sent',
    );

    await manager.getByRole('button', { name: 'Actions for Usage readers' }).click();
    await manager.getByRole('menuitem', { name: 'Delete', exact: true }).click();
    const confirm = manager.getByRole('dialog', { name: 'Delete role "Usage readers"?' });
    await confirm.getByText('1 user holds it and will lose its scopes (metering).', { exact: false }).waitFor();
    await capture(manager, 'role-delete');
    await confirm.getByRole('button', { name: 'DELETE' }).click();
    await manager.getByText('Role "Usage readers" deleted.').waitFor();
    await roleRow('Usage readers').waitFor({ state: 'detached' });
    assert.deepEqual((await storedRoles()).map((r) => r.builtin).sort(), ['domain-manager', 'oauth2-client-creator']);
    const user = (await lk.api(adminToken, 'GET', `/users/${newcomer.id}`)).body as { roles: { name: string }[] };
    assert.deepEqual(
      user.roles.map((r) => r.name),
      ['oauth2-client-creator'],
    );
    assert.deepEqual(await tokenScopes(newcomer.email, newcomer.password), ['latchkey:clients', 'latchkey:read']);
  });

  test('a 390 px wide phone: the roles screen scrolls its table, not the page', async () => {
    await manager.setViewportSize({ width: 390, height: 844 });
    await manager.goto(`${lk.url}/console/t/demo/manage/roles`);
    await roleRow('Domain managers').waitFor();
    const by = await manager.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(by <= 0, `the page scrolls sideways by ${by}px`);
    await capture(manager, 'phone-roles');
  });
});
