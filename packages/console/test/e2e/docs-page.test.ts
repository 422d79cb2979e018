// The server's API reference at /docs renders in Chromium under its Content-Security-Policy (no violation),
// and another page cannot frame it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useChromium } from '../helpers/browser.js';
import { createTestServer } from '../../../server/test/helpers/harness.js';

describe('the API reference page', () => {
  const chromium = useChromium();

  test('/docs renders with its CSP and refuses to be framed (Chromium)', async (t) => {
    const s = await createTestServer('sqlite');
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
    t.after(() => s.close());
    const page = await chromium.page();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${base}/docs`);
    await page.getByRole('heading', { name: /Latchkey management API/ }).waitFor();
    await page.getByText('/t/{tenant}/api/v1/settings').first().waitFor();
    assert.deepEqual(violations, [], 'the page runs within its policy');

    // Another page frames it: the browser shows its error page in the frame instead. The JSON
    // document, which has no frame protection, shows that the framing itself works.
    const framerSite = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<iframe id="docs" src="${base}/docs"></iframe><iframe id="json" src="${base}/openapi.json"></iframe>`);
    });
    await new Promise<void>((resolve) => framerSite.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => framerSite.close(() => resolve())));
    const framer = await chromium.page();
    await framer.goto(`http://127.0.0.1:${(framerSite.address() as AddressInfo).port}/`);
    const frameUrl = async (id: string) => {
      const frame = await (await framer.$(`#${id}`))!.contentFrame();
      await frame!.waitForLoadState();
      return frame!.url();
    };
    assert.equal(await frameUrl('json'), `${base}/openapi.json`);
    assert.match(await frameUrl('docs'), /^chrome-error:/, 'the framed /docs was refused');
  });
});
