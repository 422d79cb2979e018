// Single sign-on end to end in Chromium, through an upstream OpenID Connect provider nobody here wrote
// (oidc-provider from npm, PKCE required, its own login and consent pages): a domain manager reads the
// redirect URI and adds the provider in the console; a user invited without a password signs in
// through it, creates a personal client and uses it; each failure has its page; enforcement refuses
// passwords and the earlier password refresh token, spares personal clients and the break-glass
// account (audited); signing out ends the session here and offers the provider's logout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { capture, useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';
import { startUpstreamProvider, type UpstreamProvider } from '../../../server/test/helpers/oidc-upstream.js';

const ACCOUNTS = [
  { email: 'ann@acme.test' },
  { email: 'dis@acme.test' },
  { email: 'nobody@acme.test' },
  { email: 'unverified@acme.test', emailVerified: false },
  { email: 'eve@evil.test' },
];

describe('console: single sign-on through an upstream OpenID Connect provider', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let admin: Page;
  let adminToken: string;
  let upstream: UpstreamProvider;
  let redirectUri: string;
  let ann: Page;
  let annClient: { clientId: string; secret: string };
  let usedCallback: string | undefined;
  /** A browser of its own (no cookies, so the provider asks for login and consent again). */
  const freshPage = () => chromium.page();
  const signInWithPassword = async (page: Page, email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'SIGN IN' }).click();
  };
  /**
   * From the console's sign-in page through the provider's own login and consent pages (cancelled
   * there if asked); resolves once the browser is back at Latchkey.
   */
  const ssoSignIn = async (page: Page, email: string, opts: { provider?: string; cancel?: boolean } = {}) => {
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByRole('link', { name: `Sign in with ${opts.provider ?? 'Acme'}` }).click();
    await page.waitForURL((u) => u.href.startsWith(`${upstream.issuer}/interaction/`));
    await page.getByPlaceholder('Enter any login').fill(email);
    await page.getByPlaceholder('and password').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    await consent.waitFor();
    if (opts.cancel) await page.getByRole('link', { name: '[ Cancel ]' }).click();
    else await consent.click();
    await page.waitForURL((u) => u.href.startsWith(lk.url));
  };
  /** Latchkey's page for a failed sign-in: its heading, a way back, nothing internal, no session. */
  const failurePage = async (page: Page, heading: string) => {
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'Back to sign-in' }).getAttribute('href'),
      '/console/t/demo/sign-in',
    );
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, /\bat .*\.(ts|js):\d+|Error:|\{"|undefined/, 'no stack trace or internals');
    assert.equal(
      (await page.context().cookies()).some((c) => c.name === 'lk_session'),
      false,
      'no session',
    );
  };
  const inviteWithoutPassword = async (email: string, builtinRoles: string[]) => {
    const roles = (await lk.api(adminToken, 'GET', '/roles')).body.items as { id: string; builtin: string | null }[];
    const r = await lk.api(adminToken, 'POST', '/users', {
      email,
      displayName: email.split('@')[0],
      roleIds: roles.filter((x) => x.builtin && builtinRoles.includes(x.builtin)).map((x) => x.id),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string };
  };
  const passwordGrant = async (email: string, password: string) => {
    const res = await fetch(`${lk.url}/t/demo/oauth2/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'latchkey-sdk', username: email, password }),
    });
    return { status: res.status, body: await res.json() };
  };
  const refresh = async (refreshToken: string) => {
    const res = await fetch(`${lk.url}/t/demo/oauth2/v1/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'latchkey-sdk',
        refresh_token: refreshToken,
      }),
    });
    return { status: res.status, body: await res.json() };
  };
  /** The administrator's console session (a platform administrator's password session outlives enforcement). */
  const adminGet = async (path: string) => {
    const res = await admin.request.get(`${lk.url}/t/demo/api/v1${path}`);
    assert.equal(res.status(), 200, await res.text());
    return res.json();
  };

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
    admin = await freshPage();
    await admin.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lk.url });
    await admin.goto(`${lk.url}/console/t/demo/sign-in`);
    await signInWithPassword(admin, ADMIN.email, ADMIN.password);
    await admin.waitForURL(/\/oauth2-clients$/);
  });

  after(async () => {
    await upstream?.close();
    await lk?.stop();
  });

  test('Settings → Single sign-on: the redirect URI to register, with a copy button; an unreachable issuer is refused; the provider is added', async () => {
    await admin.getByRole('button', { name: 'Profile menu' }).click();
    await admin.getByRole('menuitem', { name: 'Settings' }).click();
    await admin.getByRole('tab', { name: 'Single sign-on' }).click();
    await admin.waitForURL(/\/manage\/sso$/);
    await admin.getByText('No identity provider yet').waitFor();
    redirectUri = (await admin.locator('#sso-redirect-uri').textContent())!;
    assert.equal(redirectUri, `${lk.url}/t/demo/login/sso/callback`);
    await admin.getByRole('button', { name: 'Copy redirect URI' }).click();
    await admin.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), redirectUri);
    assert.equal(await admin.getByLabel('Enforce single sign-on').isDisabled(), true, 'nothing to enforce with yet');

    // The provider's administrator registers exactly the URI the console showed.
    upstream = await startUpstreamProvider({
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [`${lk.url}/console/t/demo/sign-in`],
      accounts: ACCOUNTS,
    });

    await admin.getByRole('button', { name: 'ADD IDENTITY PROVIDER' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Add an identity provider' });
    await dialog.getByLabel('Name').fill('Acme');
    await dialog.getByText('Shown on the sign-in page: "Sign in with Acme".').waitFor();
    await dialog.getByLabel('Issuer').fill('http://127.0.0.1:1');
    await dialog.getByLabel('Client ID').fill(upstream.clientId);
    await dialog.getByLabel('Client secret').fill(upstream.clientSecret);
    await dialog.getByLabel('Allowed email domains').fill('Acme.test');
    await dialog.getByLabel('Allowed email domains').press('Enter');
    await dialog.getByRole('button', { name: 'Remove acme.test' }).waitFor();
    await dialog.getByRole('button', { name: 'ADD' }).click();
    // The issuer's problem reads under the issuer field.
    await dialog.getByText(/could not be fetched/).waitFor();
    assert.doesNotMatch((await dialog.textContent())!, /\{"|"status"|at \w+ \(/);
    await dialog.getByLabel('Issuer').fill(upstream.issuer);
    await dialog.getByRole('button', { name: 'ADD' }).click();
    await admin.getByText('Identity provider "Acme" added.').waitFor();
    await dialog.waitFor({ state: 'detached' });
    const row = admin.getByRole('row').filter({ hasText: 'Acme' });
    await row
      .filter({ hasText: upstream.issuer })
      .filter({ hasText: 'acme.test' })
      .filter({ hasText: 'Existing accounts only' })
      .waitFor();
    assert.equal(await admin.getByLabel('Enforce single sign-on').isDisabled(), false);
    assert.equal((await admin.content()).includes(upstream.clientSecret), false, 'the secret is not shown');
    await capture(admin, 'sso-settings');

    const listed = await lk.api(adminToken, 'GET', '/identity-providers');
    assert.equal(listed.body.items.length, 1);
    assert.equal(listed.body.items[0].issuer, upstream.issuer);
    assert.equal(listed.body.redirectUri, redirectUri);
  });

  test('a user invited without a password signs in through the provider, lands in the console, creates a personal client and uses it', async () => {
    await inviteWithoutPassword('ann@acme.test', ['oauth2-client-creator']);
    ann = await freshPage();
    ann.on('request', (r) => {
      if (r.url().startsWith(redirectUri)) usedCallback = r.url();
    });
    await ssoSignIn(ann, 'ann@acme.test');
    await ann.waitForURL(`${lk.url}/console/t/demo/oauth2-clients`);
    await ann.getByText('You have no personal OAuth2 clients yet').waitFor();
    assert.ok(usedCallback, 'the provider came back to the registered redirect URI');
    const session = await (await ann.request.get(`${lk.url}/t/demo/api/v1/session`)).json();
    assert.equal(session.method, 'sso');

    await ann.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
    const dialog = ann.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
    await dialog.getByLabel('Name').fill('ann-nightly');
    await dialog.getByRole('button', { name: '30 days' }).click();
    await dialog.getByRole('button', { name: 'SAVE' }).click();
    const shown = ann.getByRole('dialog', { name: 'Client "ann-nightly" created' });
    await shown.waitFor();
    annClient = {
      clientId: (await shown.locator('#created-client-id').textContent())!,
      secret: (await shown.locator('#created-client-secret').textContent())!,
    };
    assert.match(annClient.clientId, /^lk_pc_/);
    assert.match(annClient.secret, /^lk_cs_/);
    await shown.getByRole('button', { name: 'CLOSE' }).click();
    await shown.waitFor({ state: 'detached' });
    await ann.getByRole('row').filter({ hasText: 'ann-nightly' }).waitFor();

    const grant = await lk.clientCredentials(annClient.clientId, annClient.secret);
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    assert.equal(grant.body.token_type, 'Bearer');
  });

  test('each failure gives its own page: replay, cancelled consent, unverified email, foreign email, no account, disabled, provider unreachable', async () => {
    // The callback ann's browser used, once more.
    await ann.goto(usedCallback!);
    await ann.getByRole('heading', { level: 1, name: 'This sign-in link has expired or was already used' }).waitFor();
    assert.doesNotMatch(await ann.locator('body').innerText(), /\bat .*\.(ts|js):\d+/);

    // One browser for the failures; no cookies before each (no session here, none at the provider).
    const page = await freshPage();
    const again = () => page.context().clearCookies();
    await ssoSignIn(page, 'ann@acme.test', { cancel: true });
    await failurePage(page, 'Sign-in was cancelled');
    await capture(page, 'sso-error');
    await page.getByRole('link', { name: 'Back to sign-in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Latchkey' }).waitFor();

    await again();
    await ssoSignIn(page, 'unverified@acme.test');
    await failurePage(page, 'Your email address is not verified');

    // Even with an account here, an email outside the provider's domains is refused.
    await inviteWithoutPassword('eve@evil.test', []);
    await again();
    await ssoSignIn(page, 'eve@evil.test');
    await failurePage(page, 'This email address may not sign in here');

    await again();
    await ssoSignIn(page, 'nobody@acme.test');
    await failurePage(page, 'There is no account for you yet');
    const nobody = await lk.api(adminToken, 'GET', `/users?q=${encodeURIComponent('nobody@acme.test')}`);
    assert.equal(nobody.status, 200, JSON.stringify(nobody.body));
    assert.equal(nobody.body.items.length, 0, 'no account was created');

    const dis = await inviteWithoutPassword('dis@acme.test', []);
    assert.equal((await lk.api(adminToken, 'PATCH', `/users/${dis.id}`, { status: 'disabled' })).status, 200);
    await again();
    await ssoSignIn(page, 'dis@acme.test');
    await failurePage(page, 'This account is disabled');

    // A second provider that has gone away since it was added.
    const gone = await startUpstreamProvider({ redirectUris: [redirectUri], accounts: ACCOUNTS });
    const added = await lk.api(adminToken, 'POST', '/identity-providers', {
      name: 'Backup',
      issuer: gone.issuer,
      clientId: gone.clientId,
      clientSecret: gone.clientSecret,
      allowedEmailDomains: ['acme.test'],
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await gone.close();
    await again();
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Backup' }).click();
    await failurePage(page, 'The identity provider could not be reached');

    const failures = await lk.api(adminToken, 'GET', '/audit?action=session.sso_failed&limit=50');
    assert.deepEqual(
      new Set(failures.body.items.map((e: { details: { reason: string } }) => e.details.reason)),
      new Set(['denied', 'unverified', 'foreign_email', 'no_account', 'disabled']),
      'the replayed state started nothing here: not audited',
    );

    // The manager removes the dead provider through the console.
    await admin.reload();
    await admin.getByRole('button', { name: 'Actions for Backup' }).click();
    await admin.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = admin.getByRole('dialog', { name: 'Delete "Backup"?' });
    await confirm.getByRole('button', { name: 'DELETE' }).click();
    const toast = admin.getByRole('status').filter({ hasText: 'Identity provider "Backup" deleted.' });
    await toast.getByRole('button', { name: 'Close' }).click();
    await toast.waitFor({ state: 'detached' });
    await admin.getByRole('row').filter({ hasText: 'Backup' }).waitFor({ state: 'detached' });
  });

  test('enforced: the sign-in page offers the provider; passwords, the password grant and its earlier refresh token are refused; the personal client works; break-glass signs in, audited', async () => {
    const bob = await lk.invite(adminToken, 'bob@demo.test', []);
    const carol = await lk.invite(adminToken, 'carol@demo.test', []);
    const before = await passwordGrant(bob.email, bob.password);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.ok(before.body.refresh_token);
    assert.equal((await refresh(before.body.refresh_token)).status, 200, 'the refresh token works before');
    const bobToken = (await passwordGrant(bob.email, bob.password)).body.refresh_token as string;

    // Only a platform administrator names break-glass accounts.
    const named = await fetch(`${lk.url}/platform/api/v1/tenants/demo`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ breakGlassAccounts: [carol.email] }),
    });
    const tenant = await named.json();
    assert.equal(named.status, 200, JSON.stringify(tenant));
    assert.deepEqual(tenant.breakGlassAccounts, [carol.email]);

    // The switch asks first: it is checked only once the server said yes.
    await admin.getByLabel('Enforce single sign-on').click();
    const confirm = admin.getByRole('dialog', { name: 'Enforce single sign-on?' });
    await confirm.getByText('Personal OAuth2 clients keep working').waitFor();
    await capture(admin, 'sso-enforce');
    await confirm.getByRole('button', { name: 'ENFORCE' }).click();
    await admin.getByText('Single sign-on is enforced.').waitFor();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await admin.getByLabel('Enforce single sign-on').isChecked(), true);
    const [enforced] = (await adminGet('/audit?action=sso.enforced')).items;
    assert.ok(enforced.details.refreshTokenGrantsEnded >= 1, JSON.stringify(enforced.details));

    // The sign-in page: the provider's button, the password form only behind the break-glass disclosure.
    const page = await freshPage();
    await page.goto(`${lk.url}/console/t/demo/sign-in`);
    await page.getByRole('link', { name: 'Sign in with Acme' }).waitFor();
    await page.getByText('This domain signs in with single sign-on only.').waitFor();
    assert.equal(await page.getByLabel('Password').count(), 0, 'no password form at first');
    await capture(page, 'sign-in-sso-enforced');
    const disclosure = page.getByRole('button', { name: 'Break-glass sign-in with a password' });
    await disclosure.click();
    assert.equal(await disclosure.getAttribute('aria-expanded'), 'true');
    await signInWithPassword(page, bob.email, bob.password);
    await page
      .getByRole('alert')
      .filter({ hasText: /single sign-on/ })
      .waitFor();

    const grant = await passwordGrant(bob.email, bob.password);
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'invalid_grant');
    assert.match(grant.body.error_description, /single sign-on.*personal OAuth2 client/);
    const refreshed = await refresh(bobToken);
    assert.equal(refreshed.body.error, 'invalid_grant', JSON.stringify(refreshed.body));

    // People who signed in through the provider, and their scripts, carry on.
    assert.equal((await lk.clientCredentials(annClient.clientId, annClient.secret)).status, 200);
    await ann.goto(`${lk.url}/console/t/demo/oauth2-clients`);
    await ann.getByRole('row').filter({ hasText: 'ann-nightly' }).waitFor();

    // The break-glass account signs in with its password in the browser, and it is audited.
    await signInWithPassword(page, carol.email, carol.password);
    await page.waitForURL(/\/console\/t\/demo\/oauth2-clients$/);
    const glass = (await adminGet(`/audit?action=sso.break_glass_sign_in&actorId=${carol.id}`)).items;
    assert.equal(glass.length, 1);
    assert.equal(glass[0].details.email, carol.email);
    assert.equal(glass[0].details.via, 'console');
  });

  test("sign-out through the profile menu ends the session and offers the provider's logout", async () => {
    await ann.goto(`${lk.url}/console/t/demo/oauth2-clients`);
    const cookie = (await ann.context().cookies()).find((c) => c.name === 'lk_session')!.value;
    await ann.getByRole('button', { name: 'Profile menu' }).click();
    await ann.getByRole('menuitem', { name: 'Sign out' }).click();
    await ann.waitForURL(/\/console\/t\/demo\/sign-in$/);
    const host = new URL(upstream.issuer).host;
    await ann.getByText(`You may still be signed in at ${host}`).waitFor();
    // The session is gone at the server, not only from the browser.
    const me = await fetch(`${lk.url}/t/demo/api/v1/me`, { headers: { cookie: `lk_session=${cookie}` } });
    assert.equal(me.status, 401);

    // The provider's own logout, which comes back to the sign-in page.
    await ann.getByRole('link', { name: `Also sign out of ${host}` }).click();
    await ann.waitForURL((u) => u.href.startsWith(upstream.issuer));
    await ann.getByRole('button', { name: 'Yes, sign me out' }).click();
    await ann.waitForURL(`${lk.url}/console/t/demo/sign-in`);
    await ann.getByRole('link', { name: 'Sign in with Acme' }).waitFor();
    // A console page now asks to sign in.
    await ann.goto(`${lk.url}/console/t/demo/oauth2-clients`);
    await ann.waitForURL(/\/console\/t\/demo\/sign-in/);
    await ann.getByRole('link', { name: 'Sign in with Acme' }).waitFor();
  });
});
