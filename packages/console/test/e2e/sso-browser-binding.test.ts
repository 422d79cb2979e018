// Login CSRF through single sign-on, in Chromium with real processes: Latchkey at http://localhost
// and the upstream provider (oidc-provider) at http://127.0.0.1 are different sites, as they are in
// production. A sign-in finishes only in the browser that started it: the binding cookie (SameSite=Lax)
// comes back on the provider's cross-site redirect, and a callback URL taken from the attacker's own
// sign-in, opened in the victim's browser, signs nobody in.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';
import { freePort } from '../../../server/test/helpers/process.js';
import { startUpstreamProvider, type UpstreamProvider } from '../../../server/test/helpers/oidc-upstream.js';

describe(
  'console: an SSO sign-in finishes only in the browser that started it (Chromium, two sites)',
  { timeout: 120_000 },
  () => {
    const chromium = useChromium();
    let lk: Latchkey;
    let site: string;
    let upstream: UpstreamProvider;
    let adminToken: string;
    let ann: { email: string; password: string };
    const freshPage = () => chromium.page();
    /** From the console's sign-in page through the provider's login and consent pages. */
    const throughProvider = async (page: Page, email: string) => {
      await page.goto(`${site}/console/t/demo/sign-in`);
      await page.getByRole('link', { name: 'Sign in with Acme' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${upstream.issuer}/interaction/`));
      await page.getByPlaceholder('Enter any login').fill(email);
      await page.getByPlaceholder('and password').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
    };
    const sessionOf = async (page: Page) => {
      const res = await page.request.get(`${site}/t/demo/api/v1/session`);
      return res.ok() ? ((await res.json()) as { user: { email: string }; method: string }) : undefined;
    };

    before(async () => {
      ensureConsoleBuilt();
      const port = await freePort();
      site = `http://localhost:${port}`;
      lk = await startLatchkey({ PORT: String(port), PUBLIC_URL: site });
      upstream = await startUpstreamProvider({
        redirectUris: [`${site}/t/demo/login/sso/callback`],
        accounts: [{ email: 'ann@acme.test' }, { email: 'mallory@acme.test' }],
      });
      adminToken = await lk.token(ADMIN.email, ADMIN.password);
      const added = await lk.api(adminToken, 'POST', '/identity-providers', {
        name: 'Acme',
        issuer: upstream.issuer,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        allowedEmailDomains: ['acme.test'],
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      ann = await lk.invite(adminToken, 'ann@acme.test', []);
      const mallory = await lk.api(adminToken, 'POST', '/users', {
        email: 'mallory@acme.test',
        displayName: 'Mallory',
      });
      assert.equal(mallory.status, 201, JSON.stringify(mallory.body));
    });

    after(async () => {
      await upstream?.close();
      await lk?.stop();
    });

    test('a sign-in that starts here comes back from the other site and finishes; the binding cookie is HttpOnly, SameSite=Lax, host-only, then gone', async () => {
      const page = await freshPage();
      let binding: Awaited<ReturnType<BrowserContext['cookies']>>[number] | undefined;
      // The cookie as the browser holds it while the sign-in is at the provider.
      page.on('framenavigated', async (f) => {
        if (f === page.mainFrame() && f.url().startsWith(`${upstream.issuer}/interaction/`) && !binding) {
          binding = (await page.context().cookies(site)).find((c) => c.name === 'lk_sso');
        }
      });
      await throughProvider(page, 'mallory@acme.test');
      await page.waitForURL(/\/console\/t\/demo\/(oauth2-clients)?$/);
      assert.ok(binding, 'the browser held the binding cookie during the sign-in');
      assert.equal(binding.httpOnly, true);
      assert.equal(binding.sameSite, 'Lax');
      assert.equal(binding.path, '/');
      assert.equal(binding.domain, 'localhost', 'host-only');
      assert.ok(
        binding.expires > Date.now() / 1000 && binding.expires <= Date.now() / 1000 + 600 + 5,
        'lives 10 minutes at most',
      );
      const session = await sessionOf(page);
      assert.equal(session?.user.email, 'mallory@acme.test');
      assert.equal(session?.method, 'sso');
      assert.equal(
        (await page.context().cookies(site)).some((c) => c.name === 'lk_sso'),
        false,
        'cleared at the callback',
      );
    });

    test("a callback URL from the attacker's own sign-in, opened in the victim's browser, shows the error page and the victim stays herself", async () => {
      // Mallory signs in at the provider and stops at the redirect back: that URL is her bait.
      const mallory = await freshPage();
      // Playwright routes no redirect, so the consent form's answer is followed here, through the
      // provider's redirects (with the browser's cookies), and the one back to Latchkey is kept.
      const callback = `${site}/t/demo/login/sso/callback`;
      const caught = new Promise<string>((resolve) => {
        void mallory.context().route(
          (u) => u.href.startsWith(`${upstream.issuer}/interaction/`),
          async (r) => {
            if (r.request().method() !== 'POST') return r.continue();
            let res = await r.fetch({ maxRedirects: 0 });
            let at = r.request().url();
            for (let hop = 0; hop < 5 && res.headers().location; hop++) {
              at = new URL(res.headers().location!, at).href;
              if (at.startsWith(callback)) {
                resolve(at);
                return r.fulfill({ status: 200, contentType: 'text/plain', body: 'kept' });
              }
              res = await mallory.context().request.get(at, { maxRedirects: 0 });
            }
            return r.fulfill({ response: res });
          },
        );
      });
      await throughProvider(mallory, 'mallory@acme.test');
      const bait = await caught;
      assert.ok(new URL(bait).searchParams.get('code'), 'a callback URL with a code');

      // Ann is signed in with her password, and opens the link.
      const victim = await freshPage();
      await victim.goto(`${site}/console/t/demo/sign-in`);
      await victim.getByLabel('Email').fill(ann.email);
      await victim.getByLabel('Password').fill(ann.password);
      await victim.getByRole('button', { name: 'SIGN IN' }).click();
      await victim.waitForURL(/\/oauth2-clients$/);
      const before = (await victim.context().cookies(site)).find((c) => c.name === 'lk_session')!.value;
      const opened = await victim.goto(bait);
      assert.equal((await sessionOf(victim))?.user.email, ann.email, 'still signed in as herself');
      assert.equal(
        (await victim.context().cookies(site)).find((c) => c.name === 'lk_session')?.value,
        before,
        'the session cookie is untouched',
      );
      assert.equal(opened?.status(), 400);
      await victim.getByRole('heading', { level: 1, name: 'This sign-in was started in another browser' }).waitFor();
      assert.equal(
        await victim.getByRole('link', { name: 'Back to sign-in' }).getAttribute('href'),
        '/console/t/demo/sign-in',
      );

      // A browser with no session at all gets no session either.
      const stranger = await freshPage();
      const res = await stranger.goto(bait);
      assert.equal(res?.status(), 400);
      assert.equal(
        (await stranger.context().cookies(site)).some((c) => c.name === 'lk_session'),
        false,
      );

      const failures = await lk.api(adminToken, 'GET', '/audit?action=session.sso_failed&limit=10');
      assert.equal(failures.status, 200, JSON.stringify(failures.body));
      assert.ok(
        failures.body.items.some((e: { details: { reason: string } }) => e.details.reason === 'browser'),
        JSON.stringify(failures.body.items),
      );
    });
  },
);
