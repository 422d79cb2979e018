// What unauthenticated callers can make the SSO endpoints write or fetch: no audit row without a real
// sign-in attempt (a known state), per-address throttles on the start and the callback that spare
// people signing in, the provider's error parameter stored only as a known code, and a provider
// whose discovery fails fetched once per interval rather than once per request.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { backends, createTestServer, ADMIN_EMAIL, type TestServer } from '../helpers/harness.js';
import { as, bearer } from '../helpers/api-client.js';
import { startUpstreamProvider, type UpstreamProvider } from '../helpers/oidc-upstream.js';
import { errorPage, remember, ssoSignIn, type Jar } from '../helpers/sso-browser.js';
import { createUser } from '../../src/domain/users/service.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { SSO_THROTTLE } from '../../src/domain/throttle/policies.js';
import { FAILED_DISCOVERY_MS, ProviderConfigs } from '../../src/domain/sso/discovery.js';

const manager = async (s: TestServer) => {
  const tenant = (await s.store.tenants.bySlug('demo'))!;
  return as(s, { bearer: await bearer(s, 'demo', (await s.store.users.byEmail(tenant.id, ADMIN_EMAIL))!.id) });
};

async function addProvider(s: TestServer, issuer: string, clientId: string, clientSecret: string): Promise<string> {
  const res = await (
    await manager(s)
  ).request('POST', '/t/demo/api/v1/identity-providers', {
    name: 'Acme',
    issuer,
    clientId,
    clientSecret,
    allowedEmailDomains: ['acme.test'],
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

const start = (s: TestServer, idpId: string, remoteAddress: string) =>
  s.app.inject({ method: 'GET', url: `/t/demo/login/sso?idp=${idpId}`, remoteAddress });

/** The throttle's answer: 429, Retry-After, and a page a person can read. */
function throttledPage(res: LightMyRequestResponse): void {
  errorPage(res, 429, /Too many sign-in attempts/);
  const wait = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(wait) && wait > 0, `Retry-After: ${res.headers['retry-after']}`);
  assert.match(res.body, new RegExp(`${wait} seconds`));
}

for (const backend of await backends()) {
  describe(`SSO endpoints and unauthenticated callers (${backend})`, () => {
    let s: TestServer;
    let upstream: UpstreamProvider;
    let idpId: string;
    const demo = async () => (await s.store.tenants.bySlug('demo'))!;
    const failures = async () => s.store.audit.list((await demo()).id, { action: 'session.sso_failed' }, 1000);
    const pending = async () => (await s.store.db.selectFrom('sso_login_states').select('state_hash').execute()).length;

    before(async () => {
      s = await createTestServer(backend);
      upstream = await startUpstreamProvider({
        redirectUris: [`${s.config.publicUrl}/t/demo/login/sso/callback`],
        accounts: [{ email: 'ann@acme.test' }],
      });
      idpId = await addProvider(s, upstream.issuer, upstream.clientId, upstream.clientSecret);
      await createUser(s.store, await demo(), { email: 'ann@acme.test', displayName: 'Ann', roleIds: [] }, SYSTEM);
    });
    after(async () => {
      await upstream.close();
      await s.close();
    });

    test('forged callbacks write no audit row, and an address that keeps sending them gets 429', async () => {
      const before = (await failures()).length;
      const forged = 100;
      const started = Date.now();
      const statuses: number[] = [];
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i < forged; i++) {
        last = await s.app.inject({
          method: 'GET',
          remoteAddress: '203.0.113.9',
          url: `/t/demo/login/sso/callback?code=x&state=${randomBytes(16).toString('base64url')}&error=${'x'.repeat(100)}`,
        });
        statuses.push(last.statusCode);
      }
      const elapsed = Date.now() - started;
      assert.equal((await failures()).length, before, 'no audit row for a state nobody started');
      assert.deepEqual(statuses.slice(0, SSO_THROTTLE.pair.limit), Array(SSO_THROTTLE.pair.limit).fill(400));
      assert.ok(
        statuses.slice(SSO_THROTTLE.pair.limit).every((c) => c === 429),
        statuses.join(','),
      );
      throttledPage(last!);
      console.log(
        `# ${forged} forged callbacks from one address: ${elapsed} ms, ${statuses.filter((c) => c === 429).length} answered 429, 0 audit rows`,
      );
      // Someone elsewhere signs in as usual.
      const ann = await ssoSignIn(s, idpId, 'ann@acme.test', { address: '198.51.100.20' });
      assert.equal(ann.res.statusCode, 302, ann.res.body);
    });

    test('an address that keeps starting sign-ins it never finishes gets 429 and writes a bounded number of pending logins; IPv6 counts by /64', async () => {
      const before = await pending();
      const statuses: number[] = [];
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i < 100; i++) {
        last = await start(s, idpId, '203.0.113.10');
        statuses.push(last.statusCode);
      }
      assert.deepEqual(statuses.slice(0, SSO_THROTTLE.pair.limit), Array(SSO_THROTTLE.pair.limit).fill(302));
      assert.ok(
        statuses.slice(SSO_THROTTLE.pair.limit).every((c) => c === 429),
        statuses.join(','),
      );
      throttledPage(last!);
      assert.equal(last!.cookies.length, 0, 'no binding cookie with a refusal');
      assert.equal((await pending()) - before, SSO_THROTTLE.pair.limit, 'one pending login per accepted start');
      // Rotating through one IPv6 /64 is one address.
      const v6: number[] = [];
      for (let i = 1; i <= SSO_THROTTLE.pair.limit + 1; i++)
        v6.push((await start(s, idpId, `2001:db8:5:7::${i.toString(16)}`)).statusCode);
      assert.equal(v6.at(-1), 429, v6.join(','));
    });

    test('an owner who cancels and retries is never locked out, and a finished sign-in starts the count afresh', async () => {
      const address = '198.51.100.30';
      for (let round = 0; round < 3; round++) {
        // Several cancelled or abandoned attempts, then the real one.
        for (let i = 0; i < 5; i++)
          errorPage(
            (await ssoSignIn(s, idpId, 'ann@acme.test', { deny: true, address })).res,
            403,
            /Sign-in was cancelled/,
          );
        for (let i = 0; i < SSO_THROTTLE.pair.limit - 7; i++)
          assert.equal((await start(s, idpId, address)).statusCode, 302);
        const done = await ssoSignIn(s, idpId, 'ann@acme.test', { address });
        assert.equal(done.res.statusCode, 302, `round ${round}: ${done.res.body}`);
      }
    });

    test('the provider\'s error parameter is stored as a known OAuth code or "other", never as the caller\'s text', async () => {
      const tenant = await demo();
      const callback = async (error: string, description: string) => {
        const jar: Jar = new Map();
        const begun = await start(s, idpId, '198.51.100.40');
        assert.equal(begun.statusCode, 302);
        remember(jar, begun);
        const state = new URL(String(begun.headers.location)).searchParams.get('state')!;
        const q = new URLSearchParams({ state, error, error_description: description });
        const res = await s.app.inject({
          method: 'GET',
          url: `/t/demo/login/sso/callback?${q}`,
          cookies: Object.fromEntries(jar),
          remoteAddress: '198.51.100.40',
        });
        errorPage(res, 400, /The identity provider refused the sign-in/);
        const [event] = await s.store.audit.list(tenant.id, { action: 'session.sso_failed' }, 1);
        return event!.details;
      };
      const chosen = '<script>alert(1)</script> call +1 555 0100 now';
      let details = await callback(chosen, chosen);
      assert.deepEqual(details, { reason: 'provider_error', error: 'other' });
      details = await callback('temporarily_unavailable', chosen);
      assert.deepEqual(details, { reason: 'provider_error', error: 'temporarily_unavailable' });
      assert.ok(!JSON.stringify(await failures()).includes('555 0100'), "the caller's text is stored nowhere");
    });
  });
}

/** A provider's discovery document, served or refused on demand, counting the fetches. */
async function discoveryServer() {
  let failing = false;
  let fetches = 0;
  const server = http.createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
    fetches++;
    if (failing) return void res.writeHead(503).end('down');
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    fail: (on: boolean) => {
      failing = on;
    },
    fetches: () => fetches,
    reset: () => {
      fetches = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a provider whose discovery fails', () => {
  test('is fetched once per interval, not once per sign-in; a change to the provider tries again at once', async () => {
    const [backend] = await backends();
    const s = await createTestServer(backend!);
    const doc = await discoveryServer();
    try {
      const idpId = await addProvider(s, doc.issuer, 'latchkey', 'secret');
      doc.fail(true);
      doc.reset();
      for (let i = 0; i < 10; i++)
        errorPage(await start(s, idpId, `198.51.100.${50 + i}`), 502, /The identity provider could not be reached/);
      assert.equal(doc.fetches(), 1, 'one fetch for ten sign-ins');
      // The manager fixes the provider (any change is announced): the next sign-in fetches again.
      doc.fail(false);
      const renamed = await (
        await manager(s)
      ).request('PATCH', `/t/demo/api/v1/identity-providers/${idpId}`, { name: 'Acme SSO' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.equal((await start(s, idpId, '198.51.100.70')).statusCode, 302);
      assert.equal(doc.fetches(), 2);

      // The interval, on a clock of its own: a failure is kept for FAILED_DISCOVERY_MS, then tried again.
      const p = (await s.store.identityProviders.byId((await s.store.tenants.bySlug('demo'))!.id, idpId))!;
      let now = 1_000_000;
      const configs = new ProviderConfigs(s.services.sealer, s.services.outbound, () => now);
      doc.fail(true);
      doc.reset();
      await assert.rejects(configs.get(p));
      now += FAILED_DISCOVERY_MS - 1;
      await assert.rejects(configs.get(p));
      assert.equal(doc.fetches(), 1);
      now += 1;
      doc.fail(false);
      await configs.get(p);
      assert.equal(doc.fetches(), 2);
    } finally {
      await doc.close();
      await s.close();
    }
  });
});
