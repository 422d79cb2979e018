import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  backends,
  createTestServer,
  basic,
  form,
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  type TestServer,
} from '../helpers/harness.js';
import { makeApp } from '../helpers/oauth.js';
import { createTenant } from '../../src/domain/tenants/service.js';
import { createUser } from '../../src/domain/users/service.js';
import { CLIENT_THROTTLE, PASSWORD_THROTTLE } from '../../src/domain/throttle/policies.js';

/** A token request as seen from `ip` (the socket's remote address). */
function tokenFrom(
  s: TestServer,
  ip: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  slug = 'demo',
) {
  return s.app.inject({
    method: 'POST',
    url: `/t/${slug}/oauth2/v1/token`,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: form(params),
  });
}

const clientCredentialsFrom = (s: TestServer, ip: string, clientId: string, secret: string, slug = 'demo') =>
  tokenFrom(s, ip, { grant_type: 'client_credentials' }, { authorization: basic(clientId, secret) }, slug);

const passwordFrom = (s: TestServer, ip: string, username: string, password: string) =>
  tokenFrom(s, ip, { grant_type: 'password', client_id: 'latchkey-sdk', username, password });

const wrongSecret = () => 'lk_cs_' + randomBytes(32).toString('base64url');
const unknownClient = () => 'lk_app_' + randomBytes(12).toString('base64url');

for (const backend of await backends()) {
  test(`credential throttles (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const demo = (await s.store.tenants.bySlug('demo'))!;
    const other = await createTenant(s.store, { slug: 'other', name: 'Other' }, { type: 'system', id: null });
    const PASSWORD = 'a long enough password';
    const user = async (email: string) =>
      createUser(s.store, demo, { email, displayName: email, password: PASSWORD }, { type: 'system', id: null });

    await t.test(
      'a right client secret costs no throttle work: the throttle store is neither read nor written',
      async () => {
        const app = await makeApp(s);
        const before = s.services.throttle.store.stats();
        for (let i = 0; i < 20; i++) {
          const r = await clientCredentialsFrom(s, `198.51.100.${100 + i}`, app.clientId, app.clientSecret);
          assert.equal(r.statusCode, 200, r.body);
        }
        assert.deepEqual(s.services.throttle.store.stats(), before);
      },
    );

    await t.test(
      'wrong secrets from one address lock the client out at that address only, never for everyone',
      async () => {
        const app = await makeApp(s);
        const attacker = '198.51.100.1';
        for (let i = 0; i < CLIENT_THROTTLE.pair.limit; i++) {
          const r = await clientCredentialsFrom(s, attacker, app.clientId, wrongSecret());
          assert.equal(r.statusCode, 401, r.body);
        }
        const locked = await clientCredentialsFrom(s, attacker, app.clientId, wrongSecret());
        assert.equal(locked.statusCode, 429);
        assert.equal(locked.json().error, 'temporarily_unavailable');
        assert.ok(Number(locked.headers['retry-after']) > 0);
        // The application itself, from its own address, is not affected.
        const real = await clientCredentialsFrom(s, '203.0.113.10', app.clientId, app.clientSecret);
        assert.equal(real.statusCode, 200, real.body);
      },
    );

    await t.test("a right secret works from an address where that client's wrong secrets are locked", async () => {
      const app = await makeApp(s);
      const shared = '192.0.2.20';
      assert.equal((await clientCredentialsFrom(s, shared, app.clientId, app.clientSecret)).statusCode, 200);
      for (let i = 0; i < CLIENT_THROTTLE.pair.limit; i++) {
        assert.equal((await clientCredentialsFrom(s, shared, app.clientId, wrongSecret())).statusCode, 401);
      }
      assert.equal((await clientCredentialsFrom(s, shared, app.clientId, wrongSecret())).statusCode, 429);
      const r = await clientCredentialsFrom(s, shared, app.clientId, app.clientSecret);
      assert.equal(r.statusCode, 200, r.body);
    });

    await t.test(
      'failures from one address below the abuse limit block no other client, user or tenant from it',
      async () => {
        const app = await makeApp(s);
        const otherApp = await makeApp(s, {}, 'other');
        const ip = '198.51.100.2';
        for (let i = 0; i < 30; i++) {
          assert.equal((await clientCredentialsFrom(s, ip, unknownClient(), wrongSecret())).statusCode, 401);
        }
        assert.equal((await clientCredentialsFrom(s, ip, app.clientId, app.clientSecret)).statusCode, 200);
        assert.equal(
          (await clientCredentialsFrom(s, ip, otherApp.clientId, otherApp.clientSecret, 'other')).statusCode,
          200,
        );
        const r = await passwordFrom(s, ip, ADMIN_EMAIL, ADMIN_PASSWORD);
        assert.equal(r.statusCode, 200, r.body);
        assert.ok(other.id);
      },
    );

    await t.test(
      "past the abuse limit an address's wrong secrets are refused (429), right ones still work",
      async () => {
        const known = await makeApp(s);
        const fresh = await makeApp(s);
        const ip = '198.51.100.3';
        assert.equal((await clientCredentialsFrom(s, ip, known.clientId, known.clientSecret)).statusCode, 200);
        for (let i = 0; i < CLIENT_THROTTLE.address.limit; i++) {
          assert.equal((await clientCredentialsFrom(s, ip, unknownClient(), wrongSecret())).statusCode, 401);
        }
        const blocked = await clientCredentialsFrom(s, ip, unknownClient(), wrongSecret());
        assert.equal(blocked.statusCode, 429);
        assert.ok(Number(blocked.headers['retry-after']) > 0);
        // A right secret costs no throttle work, so neither a client seen there before nor a new one is refused.
        assert.equal((await clientCredentialsFrom(s, ip, fresh.clientId, fresh.clientSecret)).statusCode, 200);
        assert.equal((await clientCredentialsFrom(s, ip, known.clientId, known.clientSecret)).statusCode, 200);
        // Elsewhere the new client works.
        assert.equal(
          (await clientCredentialsFrom(s, '203.0.113.11', fresh.clientId, fresh.clientSecret)).statusCode,
          200,
        );
      },
    );

    await t.test('addresses rotated within one IPv6 /64 count as one address', async () => {
      const app = await makeApp(s);
      for (let i = 0; i < CLIENT_THROTTLE.address.limit; i++) {
        assert.equal(
          (await clientCredentialsFrom(s, `2001:db8:5:5::${(i + 1).toString(16)}`, unknownClient(), wrongSecret()))
            .statusCode,
          401,
        );
      }
      const guess = (ip: string) => clientCredentialsFrom(s, ip, app.clientId, wrongSecret());
      assert.equal((await guess('2001:db8:5:5:ffff:ffff:ffff:ffff')).statusCode, 429, 'the same /64: locked');
      assert.equal((await guess('2001:db8:5:6::1')).statusCode, 401, 'the next /64: counted, not locked');
    });

    await t.test('wrong passwords from another address do not lock the owner out', async () => {
      await user('owner1@demo.test');
      const home = '203.0.113.50';
      const attacker = '198.51.100.50';
      assert.equal((await passwordFrom(s, home, 'owner1@demo.test', PASSWORD)).statusCode, 200);
      for (let i = 0; i < PASSWORD_THROTTLE.pair.limit; i++) {
        assert.equal((await passwordFrom(s, attacker, 'owner1@demo.test', 'wrong ' + i)).json().error, 'invalid_grant');
      }
      const locked = await passwordFrom(s, attacker, 'owner1@demo.test', PASSWORD);
      assert.equal(locked.statusCode, 429, 'the guessing address is stopped, even with the right password');
      const r = await passwordFrom(s, home, 'owner1@demo.test', PASSWORD);
      assert.equal(r.statusCode, 200, r.body);
    });

    await t.test('guesses spread over many addresses stop new addresses, not the owner at a known one', async () => {
      await user('owner2@demo.test');
      const home = '203.0.113.51';
      assert.equal((await passwordFrom(s, home, 'owner2@demo.test', PASSWORD)).statusCode, 200);
      for (let i = 0; i < PASSWORD_THROTTLE.subject!.limit; i++) {
        assert.equal((await passwordFrom(s, `198.18.0.${i + 1}`, 'owner2@demo.test', 'wrong ' + i)).statusCode, 400);
      }
      assert.equal((await passwordFrom(s, '198.18.1.1', 'owner2@demo.test', PASSWORD)).statusCode, 429);
      const r = await passwordFrom(s, home, 'owner2@demo.test', PASSWORD);
      assert.equal(r.statusCode, 200, r.body);
    });

    await t.test('an address blocked for abuse still lets in the accounts that signed in from it before', async () => {
      await user('owner3@demo.test');
      await user('newcomer@demo.test');
      const office = '198.51.100.60';
      assert.equal((await passwordFrom(s, office, 'owner3@demo.test', PASSWORD)).statusCode, 200);
      for (let i = 0; i < PASSWORD_THROTTLE.address.limit; i++) {
        assert.equal((await passwordFrom(s, office, `nobody${i}@demo.test`, 'wrong')).statusCode, 400);
      }
      assert.equal((await passwordFrom(s, office, 'nobody-else@demo.test', 'wrong')).statusCode, 429);
      assert.equal((await passwordFrom(s, office, 'newcomer@demo.test', PASSWORD)).statusCode, 429);
      const r = await passwordFrom(s, office, 'owner3@demo.test', PASSWORD);
      assert.equal(r.statusCode, 200, r.body);
      // The console shares the password throttle.
      const res = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/session',
        remoteAddress: office,
        payload: { email: 'owner3@demo.test', password: PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
    });
  });
}
