// Behind https (PUBLIC_URL): HSTS on every answer and the session cookie's __Host- prefix; on plain
// http (local development) neither. /docs may not be framed and runs only its own scripts.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';

const setCookies = (headers: Record<string, unknown>) => [headers['set-cookie'] ?? []].flat().map(String);

describe('behind https', () => {
  let s: TestServer;
  before(async () => {
    s = await createTestServer('sqlite', { PUBLIC_URL: 'https://latchkey.test' });
  });
  after(() => s.close());

  test('every answer carries Strict-Transport-Security', async () => {
    for (const [method, url] of [
      ['GET', '/t/demo/.well-known/openid-configuration'],
      ['GET', '/t/demo/oauth2/v1/keys'],
      ['POST', '/t/demo/oauth2/v1/token'],
      ['GET', '/t/demo/api/v1/me'],
      ['GET', '/console/'],
      ['GET', '/docs'],
      ['GET', '/no/such/path'],
    ] as const) {
      const res = await s.app.inject({ method, url });
      assert.equal(
        res.headers['strict-transport-security'],
        'max-age=31536000',
        `${method} ${url} (${res.statusCode})`,
      );
    }
  });

  test('the session cookie is __Host-lk_session: Secure, host-only, Path=/; the unprefixed name is not read', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/t/demo/api/v1/session',
      payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    const cookies = setCookies(res.headers);
    assert.equal(
      cookies.some((c) => c.startsWith('lk_session=')),
      false,
      cookies.join(' | '),
    );
    const header = cookies.find((c) => c.startsWith('__Host-lk_session='));
    assert.ok(header, cookies.join(' | '));
    assert.match(header, /; Secure/i);
    assert.match(header, /; HttpOnly/i);
    assert.match(header, /; SameSite=Strict/i);
    assert.match(header, /; Path=\/(;|$)/);
    assert.doesNotMatch(header, /; Domain=/i);
    const value = header.slice('__Host-lk_session='.length).split(';')[0]!;
    const prefixed = await s.app.inject({
      method: 'GET',
      url: '/t/demo/api/v1/session',
      cookies: { '__Host-lk_session': value },
    });
    assert.equal(prefixed.statusCode, 200, prefixed.body);
    const plain = await s.app.inject({ method: 'GET', url: '/t/demo/api/v1/session', cookies: { lk_session: value } });
    assert.equal(plain.statusCode, 401, 'a cookie without the prefix (which any subdomain could set) is not a session');
    // Signing out clears the prefixed cookie.
    const out = await s.app.inject({
      method: 'DELETE',
      url: '/t/demo/api/v1/session',
      cookies: { '__Host-lk_session': value },
      headers: { 'x-csrf-token': prefixed.json().csrfToken },
    });
    assert.equal(out.statusCode, 204, out.body);
    assert.ok(
      setCookies(out.headers).some((c) => c.startsWith('__Host-lk_session=;') && /Secure/i.test(c)),
      setCookies(out.headers).join(' | '),
    );
    const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.equal(doc.components.securitySchemes.session.name, '__Host-lk_session');
  });
});

describe('on plain http (local development)', () => {
  let s: TestServer;
  before(async () => {
    s = await createTestServer('sqlite');
  });
  after(() => s.close());

  test('no HSTS (a browser would refuse http afterwards), and the cookie keeps its plain name', async () => {
    assert.equal(
      (await s.app.inject({ method: 'GET', url: '/t/demo/.well-known/openid-configuration' })).headers[
        'strict-transport-security'
      ],
      undefined,
    );
    const res = await s.app.inject({
      method: 'POST',
      url: '/t/demo/api/v1/session',
      payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    });
    const header = setCookies(res.headers).find((c) => c.startsWith('lk_session='));
    assert.ok(header);
    assert.doesNotMatch(header, /; Secure/i);
  });

  test('/docs may not be framed and loads only its own scripts', async () => {
    for (const url of ['/docs', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/docs/json']) {
      const res = await s.app.inject({ method: 'GET', url });
      assert.ok(res.statusCode === 200 || res.statusCode === 302, `${url}: ${res.statusCode}`);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/, `${url}: ${csp}`);
      assert.match(csp, /script-src 'self'(;|$)/, `${url}: ${csp}`);
      assert.match(csp, /object-src 'none'/);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    }
  });
});
