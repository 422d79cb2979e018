import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { backends, createTestServer, basic, form, type TestServer } from '../helpers/harness.js';
import { makeApp } from '../helpers/oauth.js';
import { loadConfig, parseTrustProxy } from '../../src/config.js';
import { CLIENT_THROTTLE } from '../../src/domain/throttle/policies.js';

/** A server on a real port; requests come from 127.0.0.1, as from a proxy on the same host. */
async function listening(backend: Parameters<typeof createTestServer>[0], trustProxy?: string) {
  const s = await createTestServer(backend, trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
  await s.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = s.app.server.address() as AddressInfo;
  return { s, base: `http://127.0.0.1:${port}/t/demo/oauth2/v1/token` };
}

function post(url: string, params: Record<string, string>, xff: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    body: form(params),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': xff, ...headers },
  });
}

/** The address the server saw for a failed password grant, as its audit event records it. */
async function seenAddress(s: TestServer, url: string, xff: string): Promise<string> {
  const r = await post(
    url,
    {
      grant_type: 'password',
      client_id: 'latchkey-sdk',
      username: `probe-${randomBytes(4).toString('hex')}@demo.test`,
      password: 'wrong',
    },
    xff,
  );
  assert.equal(r.status, 400);
  const demo = (await s.store.tenants.bySlug('demo'))!;
  const [event] = await s.store.audit.list(demo.id, { action: 'user.sign_in_failed' }, 1);
  return event.details.ip as string;
}

test('TRUST_PROXY is a number of hops or a list of proxy addresses; "trust everyone" is refused', () => {
  assert.equal(parseTrustProxy(undefined), false);
  assert.equal(parseTrustProxy(''), false);
  assert.equal(parseTrustProxy('0'), false);
  assert.equal(parseTrustProxy('1'), 1);
  assert.equal(parseTrustProxy('2'), 2);
  assert.deepEqual(parseTrustProxy('10.0.0.0/8, 127.0.0.1,::1 , fd00::/8,loopback'), [
    '10.0.0.0/8',
    '127.0.0.1',
    '::1',
    'fd00::/8',
    'loopback',
  ]);
  for (const v of ['true', 'TRUE', 'all', '*']) assert.throws(() => parseTrustProxy(v), /forged X-Forwarded-For/);
  for (const v of ['proxy.internal', '10.0.0.0/33', '10.0.0.1/8/1', '1.2.3', '-1', '::1/129']) {
    assert.throws(() => parseTrustProxy(v), /TRUST_PROXY must be a number of hops or a comma-separated list/, v);
  }
  assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), /TRUST_PROXY=true/);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
});

for (const backend of await backends()) {
  test(`forwarded addresses over real HTTP (${backend})`, async (t) => {
    await t.test('TRUST_PROXY=1 believes only the entry the proxy appended, not a forged one before it', async () => {
      const { s, base } = await listening(backend, '1');
      t.after(() => s.close());
      assert.equal(await seenAddress(s, base, '6.6.6.6, 203.0.113.7'), '203.0.113.7');
      assert.equal(await seenAddress(s, base, '203.0.113.7'), '203.0.113.7');

      // A forged entry that changes on every request does not escape the per-address throttle.
      const app = await makeApp(s);
      for (let i = 0; i < CLIENT_THROTTLE.pair.limit; i++) {
        const r = await post(base, { grant_type: 'client_credentials' }, `10.9.${i}.1, 203.0.113.7`, {
          authorization: basic(app.clientId, 'lk_cs_wrong'),
        });
        assert.equal(r.status, 401);
      }
      const r = await post(base, { grant_type: 'client_credentials' }, '10.9.200.1, 203.0.113.7', {
        authorization: basic(app.clientId, 'lk_cs_wrong'),
      });
      assert.equal(r.status, 429);
      const elsewhere = await post(base, { grant_type: 'client_credentials' }, '10.9.201.1, 203.0.113.99', {
        authorization: basic(app.clientId, app.clientSecret),
      });
      assert.equal(elsewhere.status, 200);
    });

    await t.test('TRUST_PROXY=2 believes two hops', async () => {
      const { s, base } = await listening(backend, '2');
      t.after(() => s.close());
      assert.equal(await seenAddress(s, base, '6.6.6.6, 198.51.100.7, 203.0.113.9'), '198.51.100.7');
    });

    await t.test('a list of proxy addresses: the right-most address that is not a listed proxy', async () => {
      const { s, base } = await listening(backend, '127.0.0.1, 10.0.0.0/8');
      t.after(() => s.close());
      assert.equal(await seenAddress(s, base, '6.6.6.6, 203.0.113.8, 10.1.2.3'), '203.0.113.8');
    });

    await t.test('without TRUST_PROXY the header is ignored', async () => {
      const { s, base } = await listening(backend);
      t.after(() => s.close());
      assert.equal(await seenAddress(s, base, '6.6.6.6'), '127.0.0.1');
    });
  });
}
