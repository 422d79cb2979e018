// A tenant at its own host name, end to end in the console: the platform administrator gives the
// tenant a host on the Tenants screen (bad names and a host another tenant holds are refused with
// the reason), then the tenant's manager opens https://<host>/console/, signs in there and creates
// a personal client whose secret works at that host. Chromium resolves the names to the test server
// itself (--host-resolver-rules), so no /etc/hosts entry is needed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';
import { freePort } from '../../../server/test/helpers/process.js';
import { hostRequest } from '../../../server/test/helpers/hosts.js';

const BOSS = { email: 'boss@acme.test', password: 'acme boss password 1' };

describe('console: a tenant at its own host name', () => {
  const chromium = useChromium({ args: ['--host-resolver-rules=MAP acme.test 127.0.0.1, MAP *.acme.test 127.0.0.1'] });
  let lk: Latchkey;
  let adminToken: string;
  let hostUrl: string;

  before(async () => {
    ensureConsoleBuilt();
    const port = await freePort();
    // The front door's scheme and port are PUBLIC_URL's: the tenant's URL is http://acme.test:<port>.
    lk = await startLatchkey({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    hostUrl = `http://acme.test:${port}`;
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    const made = await fetch(`${lk.url}/platform/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'acme', name: 'Acme Corp', enterpriseEnabled: true, manager: BOSS }),
    });
    assert.equal(made.status, 201, await made.text());
  });
  after(async () => {
    await lk?.stop();
  });

  test('the platform administrator gives a tenant its host names on the Tenants screen', async () => {
    const page = await chromium.page();
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(/\/oauth2-clients$/);
    await page.goto(`${lk.url}/console/t/demo/platform/tenants`);
    await page.getByRole('table', { name: 'Tenants' }).waitFor();

    const edit = async (slug: string) => {
      await page.getByRole('button', { name: `Host names of ${slug}` }).click();
      const dialog = page.getByRole('dialog', { name: /^Host names of / });
      await dialog.waitFor();
      return dialog;
    };
    let dialog = await edit('acme');
    const field = dialog.getByLabel('Host names');
    await field.fill('https://acme.test');
    await field.press('Enter');
    await dialog.getByText('"https://acme.test" is a URL: enter the host name alone.').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'SAVE' }).isDisabled(), true);
    await dialog.getByRole('button', { name: 'https://acme.test' }).press('Delete');
    await field.fill('acme.test:8443');
    await field.press('Enter');
    await dialog.getByText('"acme.test:8443" has a port: enter the host name alone.').waitFor();
    await dialog.getByRole('button', { name: 'acme.test:8443' }).press('Delete');
    await field.fill('acme.test');
    await field.press('Enter');
    await field.fill('Login.Acme.Test');
    await field.press('Enter');
    await capture(page, 'tenant-hosts');
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await page.getByText('Host names of Acme Corp saved.').waitFor();
    await page.getByRole('row').filter({ hasText: 'acme.test, login.acme.test' }).waitFor();

    // A host another tenant holds: the server's reason, in the dialog.
    dialog = await edit('demo');
    await dialog.getByLabel('Host names').fill('acme.test');
    await dialog.getByLabel('Host names').press('Enter');
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: 'the host "acme.test" belongs to another tenant (acme): remove it there first' })
      .waitFor();
    await dialog.getByRole('button', { name: 'CANCEL' }).click();

    const acme = (await (
      await fetch(`${lk.url}/platform/api/v1/tenants/acme`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { hosts: string[] };
    assert.deepEqual(acme.hosts, ['acme.test', 'login.acme.test']);
  });

  test("at the host, the tenant's manager signs in to /console/ and creates a personal client", async () => {
    const page: Page = await chromium.page();
    await page.goto(`${hostUrl}/console/`);
    // No /t/{tenant} in the console's paths at a tenant host.
    await page.waitForURL(`${hostUrl}/console/sign-in?next=%2F`);
    await page.getByLabel('Email').fill(BOSS.email);
    await page.getByLabel('Password').fill(BOSS.password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
    await page.waitForURL(`${hostUrl}/console/oauth2-clients`);
    await page.getByText('You have no personal OAuth2 clients yet').waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'lk_session');
    assert.equal(session?.domain, 'acme.test', 'a host-only cookie of the tenant host');

    await page.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByLabel('Name').fill('at-the-host');
    await dialog.getByRole('button', { name: '30 days' }).click();
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    const shown = page.getByRole('dialog', { name: 'Client "at-the-host" created' });
    await shown.waitFor();
    const clientId = (await shown.locator('#created-client-id').textContent())!;
    const secret = (await shown.locator('#created-client-secret').textContent())!;
    await shown.getByRole('tab', { name: 'curl' }).click();
    assert.match((await shown.locator('pre').textContent())!, new RegExp(`^curl -s ${hostUrl}/oauth2/v1/token `));
    await capture(page, 'tenant-host-client-secret');
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await page.getByRole('row').filter({ hasText: 'at-the-host' }).waitFor();

    // The secret works at the host, and the token names the host as its issuer.
    const port = Number(new URL(hostUrl).port);
    const grant = await hostRequest(port, `acme.test:${port}`, 'POST', '/oauth2/v1/token', {
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(grant.status, 200, grant.text);
    assert.equal(decodeJwt(grant.json().access_token).iss, hostUrl);
    // The platform's screens are not offered at a tenant host.
    await page.getByRole('button', { name: 'Profile menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
    assert.equal(await page.getByRole('menuitem', { name: 'Tenants' }).count(), 0);
  });
});
