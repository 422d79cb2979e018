// "Expires on day X" means the end of X in UTC for a console user anywhere, as it does for the API, the
// SDK, the CLI and the Python client. Chromium set to Los Angeles (west of UTC) and to Auckland (east of
// it) creates a personal client for a chosen day: the stored expiresAt is that day's 23:59:59.999Z, the
// lists show that very day (not the one before or after), and the managers' expiry filter finds it on it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureConsoleBuilt } from '../helpers/build.js';
import { useChromium } from '../helpers/browser.js';
import { ADMIN, startLatchkey, type Latchkey } from '../helpers/server.js';

const DAY = 86_400_000;
const shownDate = (day: string) =>
  new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T12:00:00Z`));

describe('console: an expiration date is the end of that day in UTC, in any time zone', () => {
  const chromium = useChromium();
  let lk: Latchkey;
  let adminToken: string;

  before(async () => {
    ensureConsoleBuilt();
    lk = await startLatchkey();
    adminToken = await lk.token(ADMIN.email, ADMIN.password);
  });

  after(async () => {
    await lk?.stop();
  });

  for (const [timezoneId, ahead] of [
    ['America/Los_Angeles', 30],
    ['Pacific/Auckland', 31],
  ] as const) {
    test(`in ${timezoneId}`, async () => {
      const page = await chromium.page({ timezoneId });
      assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), timezoneId);
      await page.goto(`${lk.url}/console/t/demo/sign-in`);
      await page.getByLabel('Email').fill(ADMIN.email);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'SIGN IN' }).click();
      await page.waitForURL(/\/oauth2-clients$/);

      const day = new Date(Date.now() + ahead * DAY).toISOString().slice(0, 10);
      const name = `until ${day} in ${timezoneId}`;
      await page.getByRole('button', { name: 'CREATE CLIENT' }).first().click();
      const dialog = page.getByRole('dialog', { name: 'Create a personal OAuth2 client' });
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByLabel('Expiration date').fill(day);
      // The dialog says when that is on this user's clock, with the zone (written by the browser's Intl).
      const local = await page.evaluate(
        ([d, tz]) =>
          new Intl.DateTimeFormat('en', {
            month: 'short',
            day: 'numeric',
            year: 'numeric',
            hour: 'numeric',
            minute: '2-digit',
            timeZoneName: 'short',
            timeZone: tz,
          }).format(new Date(`${d}T23:59:59.999Z`)),
        [day, timezoneId] as const,
      );
      await dialog.getByText(`Ends at 23:59 UTC on the chosen day (${local})`).waitFor();
      await dialog.getByRole('button', { name: 'SAVE' }).click();
      const shown = page.getByRole('dialog', { name: `Client "${name}" created` });
      await shown.getByRole('button', { name: 'CLOSE' }).click();
      await shown.waitFor({ state: 'detached' });

      const stored = (await lk.api(adminToken, 'GET', '/me/oauth2-clients')).body.items as {
        name: string;
        expiresAt: string;
      }[];
      assert.equal(
        stored.find((c) => c.name === name)?.expiresAt,
        `${day}T23:59:59.999Z`,
        'the end of the chosen day, UTC',
      );

      // Listed with the chosen day, and the instant in this user's time on hover.
      const row = page.getByRole('row').filter({ hasText: name });
      const date = row.locator('.expires > span').first();
      assert.equal(await date.textContent(), shownDate(day));
      assert.ok((await date.getAttribute('title'))!.endsWith(` UTC (${local})`), "the instant in this user's time");

      // A domain manager's filter on the next day does not find it; on that day, it does.
      const next = new Date(Date.parse(day) + DAY).toISOString().slice(0, 10);
      await page.goto(`${lk.url}/console/t/demo/manage/oauth2-clients`);
      await page.getByLabel('Name contains').fill(name);
      await page.getByLabel('Expires after (UTC)').fill(next);
      await page.getByLabel('Expires before (UTC)').fill(next);
      await page.getByText('No clients match').waitFor();
      await page.getByLabel('Expires after (UTC)').fill(day);
      await page.getByLabel('Expires before (UTC)').fill(day);
      const listed = page.getByRole('row').filter({ hasText: name });
      await listed.waitFor();
      assert.equal(await listed.locator('.expires > span').first().textContent(), shownDate(day));
    });
  }
});
