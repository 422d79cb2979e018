import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { backends, createTestServer, type TestServer } from '../helpers/harness.js';
import { passwordGrant, demo, makeApp } from '../helpers/oauth.js';
import { setAppActive } from '../../src/domain/clients/apps.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { OutboxDispatcher } from '../../src/delivery/dispatcher.js';
import { systemClock } from '../../src/lib/clock.js';
import { OutboundGuard, isPublicAddress } from '../../src/lib/outbound-guard.js';
import { loadConfig } from '../../src/config.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

/**
 * Names the tests resolve through an injected lookup, never real DNS: the machine's resolver is
 * not on loopback, and tests send nothing beyond it.
 */
const NAMES: Record<string, string> = {
  localhost: '127.0.0.1',
  'foo.localhost': '127.0.0.1',
  'hooks.internal.test': '10.1.2.3',
  'metadata.internal.test': 'fd00::254',
};

function testGuard(allowPrivate: boolean, resolved: string[]) {
  return new OutboundGuard({
    allowPrivate,
    lookup: (hostname, _options, callback) => {
      resolved.push(hostname);
      const address = NAMES[hostname];
      if (!address)
        return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, [{ address, family: net.isIP(address) }]);
    },
  });
}

const adminTokens = new WeakMap<TestServer, string>();

async function api(s: TestServer, method: 'GET' | 'POST', url: string, payload?: object) {
  if (!adminTokens.has(s)) adminTokens.set(s, (await passwordGrant(s)).json().access_token);
  return s.app.inject({
    method,
    url: `/t/demo/api/v1${url}`,
    headers: { authorization: `Bearer ${adminTokens.get(s)}` },
    ...(payload ? { payload } : {}),
  });
}

/** Registers one endpoint per URL for app.deactivated, fires the event once, and answers each endpoint's delivery. */
async function deliverTo(s: TestServer, dispatcher: OutboxDispatcher, urls: string[]) {
  const ids: string[] = [];
  for (const url of urls) {
    const r = await api(s, 'POST', '/webhooks', { url, events: ['app.deactivated'] });
    assert.equal(r.statusCode, 201, `${url}: ${r.body}`);
    ids.push(r.json().id);
  }
  await setAppActive(s.store, await demo(s), (await makeApp(s)).id, false, SYSTEM);
  await dispatcher.tick();
  const out = new Map<
    string,
    {
      state: string;
      lastStatusCode: number | null;
      lastError: string | null;
      log: Array<{ error: string | null; durationMs: number }>;
    }
  >();
  for (const [i, id] of ids.entries()) {
    const log = await api(s, 'GET', `/webhooks/${id}/deliveries`);
    assert.equal(log.statusCode, 200, log.body);
    out.set(urls[i], log.json().items[0]);
  }
  return out;
}

for (const backend of await backends()) {
  test(`with the outbound guard on, webhooks reach no loopback, private, link-local or unique-local address (${backend})`, async (t) => {
    const s = await createTestServer(backend, { LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '0' });
    const receiver = await startReceiver();
    t.after(async () => {
      await receiver.close();
      await s.close();
    });
    const resolved: string[] = [];
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: testGuard(false, resolved),
      clock: systemClock,
      publicUrl: s.config.publicUrl,
    });
    const port = new URL(receiver.url).port;
    const refusedAs = (got: Awaited<ReturnType<typeof deliverTo>>, url: string) => {
      const d = got.get(url)!;
      assert.equal(d.state, 'pending', url);
      assert.equal(d.lastStatusCode, null, url);
      assert.equal(d.lastError, 'address not allowed', url);
    };

    // First this machine's own addresses, with a live receiver behind them: the dispatcher goes
    // through the guard, for addresses in the URL and for names alike.
    const local = [
      receiver.url, // http://127.0.0.1:port
      `http://[::1]:${port}/hook`,
      `https://[::ffff:127.0.0.1]:${port}/hook`,
      `https://0.0.0.0:${port}/hook`,
      `http://localhost:${port}/hook`,
      `https://foo.localhost:${port}/hook`,
    ];
    const gotLocal = await deliverTo(s, dispatcher, local);
    for (const url of local) refusedAs(gotLocal, url);
    assert.equal(receiver.received.length, 0, 'the loopback receiver was never reached');

    // Then addresses beyond this machine. Nothing may be sent there, so the rule is checked to refuse
    // each one before the dispatcher is let near them.
    const remote: Array<[string, string]> = [
      ['https://10.0.0.1/hook', '10.0.0.1'],
      ['https://169.254.169.254/latest/meta-data', '169.254.169.254'],
      ['https://[fc00::1]/hook', 'fc00::1'],
      ['https://[fe80::1]/hook', 'fe80::1'],
      ['https://hooks.internal.test/hook', NAMES['hooks.internal.test']],
      ['https://metadata.internal.test/hook', NAMES['metadata.internal.test']],
    ];
    for (const [url, address] of remote) assert.equal(isPublicAddress(address), false, url);
    const gotRemote = await deliverTo(
      s,
      dispatcher,
      remote.map(([url]) => url),
    );
    for (const [url] of remote) refusedAs(gotRemote, url);

    // Addresses are judged without a lookup; names are resolved, then judged by what they resolve to.
    assert.deepEqual([...new Set(resolved)].sort(), [
      'foo.localhost',
      'hooks.internal.test',
      'localhost',
      'metadata.internal.test',
    ]);
    // Stored like that too, with nothing about the port or the address.
    const rows = await s.store.db.selectFrom('outbox_attempts').select('error').execute();
    assert.equal(rows.length, 2 * local.length + remote.length, 'the second event went to the local endpoints too');
    assert.equal(receiver.received.length, 0);
    assert.ok(
      rows.every((r) => r.error === 'address not allowed'),
      JSON.stringify(rows),
    );
  });

  test(`the delivery log keeps a coarse class of each failure, never the error itself (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    const receiver = await startReceiver();
    // A port nothing listens on, a server that never answers, and plain HTTP where TLS is expected.
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const silent = net.createServer(() => {
      /* accepts, never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(async () => {
      silent.close();
      await receiver.close();
      await s.close();
    });
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: systemClock,
      publicUrl: s.config.publicUrl,
      attemptTimeoutMs: 300,
    });
    const urls = {
      refusedConnection: `http://127.0.0.1:${closedPort}/hook`,
      noAnswer: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`,
      notTls: `https://127.0.0.1:${new URL(receiver.url).port}/hook`,
      badGateway: `${receiver.url}?status=502`,
    };
    receiver.statuses.push(502);
    const got = await deliverTo(s, dispatcher, Object.values(urls));
    const error = (url: string) => got.get(url)!.lastError;
    assert.equal(error(urls.refusedConnection), 'connection failed');
    assert.equal(error(urls.noAnswer), 'timeout');
    assert.equal(error(urls.notTls), 'TLS error');
    assert.equal(error(urls.badGateway), 'HTTP 502');
    assert.equal(got.get(urls.badGateway)!.lastStatusCode, 502);
    const stored = JSON.stringify(await s.store.db.selectFrom('outbox_attempts').select('error').execute());
    assert.doesNotMatch(stored, /ECONN|EPROTO|ERR_|127\.0\.0\.1|\d{4,}/);
  });

  test(`the guard follows PUBLIC_URL unless LATCHKEY_ALLOW_PRIVATE_OUTBOUND says otherwise (${backend})`, async (t) => {
    // A loopback PUBLIC_URL (local development): private addresses are allowed and the loopback receiver gets the event.
    const s = await createTestServer(backend, {
      PUBLIC_URL: 'http://127.0.0.1:8080',
      LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '',
    });
    const receiver = await startReceiver();
    t.after(async () => {
      await receiver.close();
      await s.close();
    });
    assert.equal(s.config.allowPrivateOutbound, true);
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: systemClock,
      publicUrl: s.config.publicUrl,
    });
    const got = await deliverTo(s, dispatcher, [receiver.url]);
    assert.equal(got.get(receiver.url)!.state, 'delivered');
    assert.equal(receiver.received.length, 1);
  });
}

test('LATCHKEY_ALLOW_PRIVATE_OUTBOUND: on by default only when PUBLIC_URL is a loopback URL', () => {
  const allow = (env: Record<string, string>) =>
    loadConfig({ LATCHKEY_DATA_DIR: '/tmp/unused', ...env }).allowPrivateOutbound;
  assert.equal(allow({}), true, 'the default PUBLIC_URL, http://127.0.0.1:8080');
  assert.equal(allow({ PUBLIC_URL: 'http://localhost:8080' }), true);
  assert.equal(allow({ PUBLIC_URL: 'http://[::1]:8080' }), true);
  assert.equal(allow({ PUBLIC_URL: 'https://auth.example.com' }), false);
  assert.equal(allow({ PUBLIC_URL: 'http://dev.localhost:8080' }), false, '*.localhost is not loopback by name');
  assert.equal(allow({ PUBLIC_URL: 'https://auth.example.com', LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '1' }), true);
  assert.equal(allow({ PUBLIC_URL: 'http://127.0.0.1:8080', LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '0' }), false);
  assert.throws(
    () => allow({ LATCHKEY_ALLOW_PRIVATE_OUTBOUND: 'yes' }),
    /LATCHKEY_ALLOW_PRIVATE_OUTBOUND must be 1 or 0/,
  );
});
