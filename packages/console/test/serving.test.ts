// How the server serves the built console: SPA fallback under /console/ only, cache headers, CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { CONSOLE_DIST, consoleRoutes } from '../../server/src/http/console.js';
import { ensureConsoleBuilt } from './helpers/build.js';
import { firstScreenJs } from '../scripts/first-screen.js';

test('the built console is served at /console/ with a strict policy and long-cached assets', async () => {
  ensureConsoleBuilt();
  const app = Fastify();
  await app.register(consoleRoutes);
  try {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/console/');
    assert.equal((await app.inject({ url: '/console' })).headers.location, '/console/');

    for (const url of ['/console/', '/console/t/demo/oauth2-clients', '/console/t/acme/manage/users?x=1']) {
      const r = await app.inject({ url });
      assert.equal(r.statusCode, 200, url);
      assert.match(String(r.headers['content-type']), /^text\/html/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.match(r.body, /<div id="root"><\/div>/);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      // No inline script in the page: every <script> has a src.
      assert.equal([...r.body.matchAll(/<script(?![^>]*\ssrc=)[^>]*>/g)].length, 0);
    }

    const asset = fs.readdirSync(path.join(CONSOLE_DIST, 'assets')).find((f) => f.endsWith('.js'))!;
    const a = await app.inject({ url: `/console/assets/${asset}` });
    assert.equal(a.statusCode, 200);
    assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(a.headers['content-type']), /javascript/);

    const missing = await app.inject({ url: '/console/assets/index-00000000.js' });
    assert.equal(missing.statusCode, 404);
    assert.match(String(missing.headers['content-type']), /problem\+json/);

    // Only /console/ falls back to the page; other unknown paths stay API 404s.
    assert.equal((await app.inject({ url: '/consolex' })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/console/t/demo/x' })).statusCode, 404);
  } finally {
    await app.close();
  }
});

test('the first screen needs at most 300 KB of gzipped JavaScript; the manager screens load later', () => {
  ensureConsoleBuilt();
  const js = firstScreenJs();
  assert.ok(js.gzipBytes <= 300 * 1024, `first-screen JS is ${(js.gzipBytes / 1024).toFixed(1)} KB gzipped`);
  const html = fs.readFileSync(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /ManagerScreen/);
  assert.ok(fs.readdirSync(path.join(CONSOLE_DIST, 'assets')).some((f) => f.startsWith('ManagerScreen-')));
});
