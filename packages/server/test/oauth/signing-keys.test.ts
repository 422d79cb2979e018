import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { makeApp, clientCredentials, demo, introspect } from '../helpers/oauth.js';
import { as, bearer, login, problem } from '../helpers/api-client.js';
import { verifyAccessToken } from '../../src/domain/tokens/verify-access-token.js';
import { KeyService } from '../../src/domain/keys/service.js';
import { createUser } from '../../src/domain/users/service.js';

const DAY = 86_400_000;

for (const backend of await backends()) {
  test(`signing keys: published before they sign, rotated once across processes, on demand (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const rotationMs = 30 * DAY; // the next key is published one day ahead
    // Each KeyService stands for a server process of its own on the same database.
    const process = () => new KeyService(s.store, s.services.sealer, rotationMs);
    const rows = () =>
      s.store.db
        .selectFrom('signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenant.id)
        .orderBy('created_at')
        .execute();
    const activeAgo = async (kid: string, ms: number) => {
      await s.store.db
        .updateTable('signing_keys')
        .set({ activated_at: Date.now() - ms })
        .where('kid', '=', kid)
        .execute();
    };
    const events = async (action: string) => s.store.audit.list(tenant.id, { action }, 50);

    const first = await process().active(tenant);
    await t.test('twenty-nine days in, the next key is published but does not sign', async () => {
      await activeAgo(first.kid, 29.5 * DAY);
      const p = process();
      assert.equal((await p.active(tenant)).kid, first.kid, 'the active key still signs');
      const next = (await rows()).find((r) => r.status === 'next');
      assert.ok(next, 'a next key is stored');
      assert.deepEqual((await p.jwks(tenant)).keys.map((k) => k.kid).sort(), [first.kid, next.kid].sort());
      assert.equal((await events('signing_key.published'))[0]?.targetId, next.kid);
      // Another process that loads now sees it and publishes no second one.
      await process().jwks(tenant);
      assert.equal((await rows()).filter((r) => r.status === 'next').length, 1);
    });

    await t.test('when due, exactly one of two processes activates the published key', async () => {
      const next = (await rows()).find((r) => r.status === 'next')!;
      await activeAgo(first.kid, 30 * DAY + 1000);
      const before = (await events('signing_key.rotated')).length;
      const [a, b] = await Promise.all([process().active(tenant), process().active(tenant)]);
      assert.equal(a.kid, next.kid, 'the key published a day ago signs now');
      assert.equal(b.kid, next.kid);
      const after = await rows();
      assert.deepEqual(
        after.map((r) => [r.kid, r.status]),
        [
          [first.kid, 'retired'],
          [next.kid, 'active'],
        ],
      );
      assert.ok(after[0].expires_at! >= Date.now() + 3600_000, 'the old key stays published for one token lifetime');
      const rotated = await events('signing_key.rotated');
      assert.equal(rotated.length - before, 1, 'one rotation, not one per process');
      assert.deepEqual(rotated[0].details, { reason: 'schedule', previous: first.kid, prepublished: true });
    });

    await t.test(
      'domain managers list the keys and rotate on demand; tokens switch keys, old tokens still verify',
      async () => {
        const app = await makeApp(s);
        const before = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
        const manager = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
        const list = await manager.request('GET', '/t/demo/api/v1/signing-keys');
        assert.equal(list.statusCode, 200, list.body);
        const activeKid = decodeProtectedHeader(before).kid;
        assert.deepEqual(
          list.json().items.map((k: { kid: string; status: string }) => [k.kid, k.status]),
          [
            [activeKid, 'active'],
            [first.kid, 'retired'],
          ],
        );
        assert.equal(list.json().items[0].publicJwk.d, undefined, 'no private part');
        assert.equal(JSON.stringify(list.json()).includes('privateKey'), false);

        const rotate = await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate');
        assert.equal(rotate.statusCode, 200, rotate.body);
        const newKid = rotate.json().kid;
        assert.notEqual(newKid, activeKid);
        assert.equal(rotate.json().items.find((k: { kid: string }) => k.kid === newKid).status, 'active');
        const after = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token;
        assert.equal(decodeProtectedHeader(after).kid, newKid);
        const jwks = (await s.app.inject({ url: '/t/demo/oauth2/v1/keys' })).json();
        for (const tok of [before, after])
          await jwtVerify(tok, createLocalJWKSet(jwks), { issuer: 'http://latchkey.test/t/demo' });
        const [event] = await events('signing_key.rotated');
        assert.equal(event.actorType, 'user');
        assert.deepEqual(event.details, { reason: 'manual', previous: activeKid, prepublished: false });

        await createUser(
          s.store,
          tenant,
          { email: 'plain@demo.test', displayName: 'Plain', password: 'plain user password' },
          { type: 'system', id: null },
        );
        const plain = as(s, await login(s, 'demo', 'plain@demo.test', 'plain user password'));
        problem(await plain.request('GET', '/t/demo/api/v1/signing-keys'), 403);
        problem(await plain.request('POST', '/t/demo/api/v1/signing-keys/rotate'), 403);
        problem(await as(s, null).request('POST', '/t/demo/api/v1/signing-keys/rotate'), 401);
        assert.equal((await rows()).filter((r) => r.status === 'active').length, 1, 'refused calls rotated nothing');
      },
    );

    await t.test('an on-demand rotation activates a key already published by the schedule', async () => {
      const active = (await rows()).find((r) => r.status === 'active')!;
      await activeAgo(active.kid, 29.5 * DAY);
      await process().jwks(tenant); // publishes the next key
      const next = (await rows()).find((r) => r.status === 'next')!;
      assert.equal(await s.services.keys.rotate(tenant, 'manual'), next.kid);
    });
  });
}

for (const backend of await backends()) {
  test(`signing keys: a retired key stays published until the longest-lived token it signed has expired (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const manager = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
    const rs = await makeApp(s);
    const ttl = async (seconds: number) => {
      const res = await manager.request('PATCH', '/t/demo/api/v1/settings', { accessTokenTtlSeconds: seconds });
      assert.equal(res.statusCode, 200, res.body);
    };
    const issue = async () => {
      const tok = (await clientCredentials(s, rs.clientId, rs.clientSecret)).json().access_token as string;
      return { tok, kid: decodeProtectedHeader(tok).kid!, exp: decodeJwt(tok).exp! * 1000 };
    };
    const keyOf = async (kid: string) =>
      (await manager.request('GET', '/t/demo/api/v1/signing-keys'))
        .json()
        .items.find((k: { kid: string }) => k.kid === kid);

    await t.test('lifetime shortened, then rotated: tokens of the old lifetime keep verifying', async () => {
      const t1 = await issue();
      await ttl(600);
      assert.equal((await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate')).statusCode, 200);
      const old = await keyOf(t1.kid);
      assert.equal(old.status, 'retired');
      assert.ok(
        Date.parse(old.unpublishedAt) >= t1.exp,
        `published until ${old.unpublishedAt}, the token expires ${new Date(t1.exp).toISOString()}`,
      );
      const later = (await s.store.signingKeys.live(tenant.id, t1.exp - 60_000)).map((k) => k.kid);
      assert.ok(later.includes(t1.kid), 'still published a minute before the token expires');
      assert.equal((await introspect(s, rs.clientId, rs.clientSecret, t1.tok)).active, true);
    });

    await t.test(
      'lifetime raised, then lowered, then rotated: the longest lifetime the key signed counts',
      async () => {
        await ttl(7200);
        const t2 = await issue();
        assert.ok(t2.exp - Date.now() > 7000_000, 'issued for two hours');
        await ttl(600);
        assert.equal((await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate')).statusCode, 200);
        const old = await keyOf(t2.kid);
        assert.equal(old.status, 'retired');
        assert.ok(
          Date.parse(old.unpublishedAt) >= t2.exp,
          `published until ${old.unpublishedAt}, the token expires ${new Date(t2.exp).toISOString()}`,
        );
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, t2.tok)).active, true);
        const t3 = await issue();
        assert.ok(t3.exp - Date.now() <= 600_000, 'new tokens get the new lifetime');
      },
    );
  });
}

for (const backend of await backends()) {
  test(`signing keys: a rotation after a suspected leak stops the old key at once (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const issuer = s.services.issuer(tenant);
    const manager = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
    const rs = await makeApp(s);
    const adminId = (await s.store.users.byEmail(tenant.id, ADMIN_EMAIL))!.id;
    const me = (tok: string) => as(s, { bearer: tok }).request('GET', '/t/demo/api/v1/me');
    const rows = () =>
      s.store.db
        .selectFrom('signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenant.id)
        .orderBy('created_at')
        .execute();

    await t.test(
      'the leaked key leaves the JWKS, and tokens it signed are refused, also those verified before',
      async () => {
        const leaked = (await s.services.keys.active(tenant)).kid;
        // The schedule already published the next key; it is stored like the leaked one, so it is not trusted either.
        await s.store.db
          .updateTable('signing_keys')
          .set({ activated_at: Date.now() - 29.5 * DAY })
          .where('kid', '=', leaked)
          .execute();
        await new KeyService(s.store, s.services.sealer, 30 * DAY).jwks(tenant);
        const next = (await rows()).find((r) => r.status === 'next')!;
        assert.ok(next, 'a next key is published');
        s.services.keys['cache'].clear();

        const forged = await bearer(s, 'demo', adminId, 3000);
        assert.equal(decodeProtectedHeader(forged).kid, leaked);
        assert.equal((await me(forged)).statusCode, 200, 'verified once, so remembered');
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, forged)).active, true);

        const rotate = await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate', { compromised: true });
        assert.equal(rotate.statusCode, 200, rotate.body);
        const kid = rotate.json().kid;
        assert.ok(kid !== leaked && kid !== next.kid, 'a freshly generated key signs');
        const items = rotate.json().items as {
          kid: string;
          status: string;
          retiredAt: string | null;
          unpublishedAt: string | null;
        }[];
        assert.deepEqual(
          items.map((k) => [k.kid, k.status]),
          [[kid, 'active']],
          'neither the leaked nor the next key is published',
        );
        const stored = await rows();
        const old = stored.find((r) => r.kid === leaked)!;
        assert.equal(old.status, 'retired');
        assert.ok(old.expires_at! <= Date.now(), 'unpublished at once');
        assert.equal(
          stored.find((r) => r.kid === next.kid)!.expires_at! <= Date.now(),
          true,
          'the next key is withdrawn',
        );
        const jwks = (await s.app.inject({ url: '/t/demo/oauth2/v1/keys' })).json();
        assert.deepEqual(
          jwks.keys.map((k: { kid: string }) => k.kid),
          [kid],
        );

        problem(await me(forged), 401);
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, forged)).active, false);
        const fresh = (await clientCredentials(s, rs.clientId, rs.clientSecret)).json().access_token;
        assert.equal(decodeProtectedHeader(fresh).kid, kid);
        assert.equal((await introspect(s, rs.clientId, rs.clientSecret, fresh)).active, true);
        const [event] = await s.store.audit.list(tenant.id, { action: 'signing_key.rotated' }, 5);
        assert.deepEqual(event.details, {
          reason: 'compromised',
          previous: leaked,
          prepublished: false,
          withdrawn: [next.kid],
        });
      },
    );

    await t.test('a planned rotation (no body) keeps the previous key verifying', async () => {
      const before = await bearer(s, 'demo', adminId, 3000);
      assert.equal((await me(before)).statusCode, 200);
      const rotate = await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate');
      assert.equal(rotate.statusCode, 200, rotate.body);
      assert.equal((await me(before)).statusCode, 200);
      assert.equal(rotate.json().items.length, 2);
    });

    await t.test('a bad body changes nothing', async () => {
      const before = await rows();
      problem(
        await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate', { compromised: 'yes' }),
        400,
        /compromised/,
      );
      problem(await manager.request('POST', '/t/demo/api/v1/signing-keys/rotate', { reason: 'leak' }), 400);
      assert.deepEqual(await rows(), before);
    });

    await t.test(
      'another process that verified a token before stops trusting it when it reloads the keys',
      async () => {
        const other = new KeyService(s.store, s.services.sealer, 30 * DAY, 0); // reloads on every use
        const tok = await bearer(s, 'demo', adminId, 3000);
        const kid = decodeProtectedHeader(tok).kid;
        assert.ok(await verifyAccessToken(other, tenant, issuer, tok), 'verified, and remembered, there');
        await s.services.keys.rotate(tenant, 'compromised', { type: 'user', id: adminId });
        assert.equal(
          (await other.jwks(tenant)).keys.some((k) => k.kid === kid),
          false,
        );
        assert.equal(await verifyAccessToken(other, tenant, issuer, tok), null);
      },
    );
  });
}
