import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SCREENSHOTS = path.join(root, 'docs/screenshots');

/**
 * Debian's Chromium (installed by .ci/run), headless. Tests take it through `useChromium`; `args`
 * adds switches (`--host-resolver-rules=MAP acme.test 127.0.0.1` resolves a tenant host name to
 * the test server without touching /etc/hosts).
 */
export async function launchBrowser(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...args],
  });
}

export interface Chromium {
  /**
   * A page in a browser context of its own (a fresh profile: no cookies, no storage), 1280×800 unless
   * `options` say otherwise. Requests for web fonts on the internet are refused: nothing waits for it.
   */
  page(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * One Chromium for the calling `describe`: launched by its `before` hook (the launch runs while the
 * suite's own `before` starts the server) and closed, with every context it opened, by its `after`.
 */
export function useChromium(options: { args?: string[] } = {}): Chromium {
  let launched: Promise<Browser> | undefined;
  const contexts: BrowserContext[] = [];
  before(() => {
    launched = launchBrowser(options.args);
    launched.catch(() => {
      /* reported by the first page() */
    });
  });
  after(async () => {
    const browser = await launched?.catch(() => undefined);
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
  });
  return {
    async page(options = {}) {
      if (!launched) throw new Error('useChromium(): page() before the suite started');
      const context = await (await launched).newContext({ viewport: { width: 1280, height: 800 }, ...options });
      await context.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (r) => r.abort());
      contexts.push(context);
      return context.newPage();
    },
  };
}

/** Saves docs/screenshots/<name>.png (the README shows them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // Let transitions (dialogs, menus) settle, so the picture shows the final state.
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false, animations: 'disabled' });
}

/** axe-core on the current screen: no serious or critical violation. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`)
          .join(', ')}`,
    ),
    [],
    `accessibility of ${screen}`,
  );
}

/** Both of the above: every screen is pictured and checked. */
export async function capture(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await assertAccessible(page, name);
}
