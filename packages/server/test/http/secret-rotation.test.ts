import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_EMAIL, backends, basic, createTestServer, type TestServer } from '../helpers/harness.js';
import { clientCredentials, demo, introspect, makeApp, passwordGrant, token } from '../helpers/oauth.js';
import { createUser } from '../../src/domain/users/service.js';
import { updateRole } from '../../src/domain/roles/service.js';
import { endSecretOverlaps } from '../../src/domain/clients/secret-rotation.js';
import { reportLeak } from '../../src/domain/secret-scanning/report-leak.js';
import { OutboxDispatcher } from '../../src/delivery/dispatcher.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { until } from '../helpers/until.js';

const DAY = 86_400_000;
const SYSTEM = { type: 'system' as const, id: null };
const PASSWORD = 'a sufficiently long password';
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

type Who = { headers: Record<string, string> };

async function userWithRoles(s: TestServer, email: string, builtins: string[]) {
  const tenant = await demo(s);
  const roles = (await s.store.roles.list(tenant.id)).filter((r) => r.builtin && builtins.includes(r.builtin));
  const user = await createUser(
    s.store,
    tenant,
    { email, displayName: email, password: PASSWORD, roleIds: roles.map((r) => r.id) },
    SYSTEM,
  );
  const tok = (
    await token(s, { grant_type: 'password', client_id: 'latchkey-sdk', username: email, password: PASSWORD })
  ).json().access_token as string;
  return { user, headers: { authorization: `Bearer ${tok}` } };
}

/**
 * Rotating a client's secret keeps its id: the new secret is shown once; the old one, and the tokens
 * it obtained, stop working at once or when the overlap ends; owners rotate their own clients,
 * managers anyone's (but not a more powerful account's); audited and announced.
 */
for (const backend of await backends()) {
  test(`secret rotation (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    const receiver = await startReceiver();
    t.after(async () => {
      await receiver.close();
      await s.close();
    });
    const tenant = await demo(s);
    const creatorRole = (await s.store.roles.list(tenant.id)).find((r) => r.builtin === 'oauth2-client-creator')!;
    await updateRole(
      s.store,
      tenant,
      creatorRole.id,
      { scopes: ['myservices', 'latchkey:read', 'latchkey:clients'] },
      SYSTEM,
    );
    const probe = await makeApp(s, { name: 'probe', grantTypes: ['client_credentials'], scopes: [] });
    const alice = await userWithRoles(s, 'alice@demo.test', ['oauth2-client-creator']);
    const bob = await userWithRoles(s, 'bob@demo.test', ['oauth2-client-creator']);
    const boss = await userWithRoles(s, 'boss@demo.test', ['domain-manager']);
    const admin = { headers: { authorization: `Bearer ${(await passwordGrant(s)).json().access_token}` } };
    const call = (who: Who, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
      s.app.inject({
        method,
        url: `/t/demo/api/v1${url}`,
        headers: who.headers,
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
    const create = async (who: Who, name: string) => {
      const r = await call(who, 'POST', '/me/oauth2-clients', { name, expiresAt: inDays(30) });
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as { id: string; clientId: string; clientSecret: string };
    };
    const cc = async (clientId: string, secret: string) => {
      const r = await clientCredentials(s, clientId, secret);
      return { status: r.statusCode, body: r.json() };
    };
    const active = async (tok: string) => (await introspect(s, probe.clientId, probe.clientSecret, tok)).active;
    const stored = async (id: string) => (await s.store.clients.byId(tenant.id, id))!;
    const dispatcher = new OutboxDispatcher({
      store: s.store,
      sealer: s.services.sealer,
      outbound: s.services.outbound,
      clock: { now: () => Date.now() },
      publicUrl: s.config.publicUrl,
    });
    const hook = await call(admin, 'POST', '/webhooks', {
      url: receiver.url,
      events: ['personal_client.secret_rotated', 'app.secret_regenerated'],
    });
    assert.equal(hook.statusCode, 201, hook.body);
    /** The webhook events delivered since `n` receipts, for one client id. */
    const delivered = async (clientId: string) => {
      await dispatcher.tick();
      return receiver.received.map((x) => JSON.parse(x.body)).filter((b) => b.data.clientId === clientId);
    };

    await t.test(
      'no overlap: the old secret and its tokens stop at once, the new one works, the id stays',
      async () => {
        const c = await create(alice, 'nightly job');
        const before = await cc(c.clientId, c.clientSecret);
        assert.equal(before.status, 200);
        const oldToken = before.body.access_token as string;
        assert.ok(claimsOf(oldToken).sid?.startsWith('secret:'), "a personal client's token names its secret's grant");
        assert.equal(await active(oldToken), true);

        const r = await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, {});
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.headers['cache-control'], 'no-store');
        const rotated = r.json();
        assert.equal(rotated.id, c.id);
        assert.equal(rotated.clientId, c.clientId);
        assert.match(rotated.clientSecret, /^lk_cs_/);
        assert.notEqual(rotated.clientSecret, c.clientSecret);
        assert.equal(rotated.previousSecretExpiresAt, null);
        assert.equal(rotated.status, 'active');

        const old = await cc(c.clientId, c.clientSecret);
        assert.equal(old.status, 401);
        assert.equal(old.body.error, 'invalid_client');
        assert.equal((await cc(c.clientId, rotated.clientSecret)).status, 200);
        assert.equal(await active(oldToken), false, 'the old secret’s token ended with it');

        const row = await stored(c.id);
        assert.equal(row.secretVersion, 2);
        assert.equal(row.previousSecretHash, null);
        assert.equal(row.secretHash, s.services.hasher.hash(rotated.clientSecret));
        const shown = await call(alice, 'GET', `/me/oauth2-clients/${c.id}`);
        assert.ok(!shown.body.includes(rotated.clientSecret), 'the secret is shown once');
        assert.equal(shown.json().previousSecretExpiresAt, null);

        const audit = await s.store.audit.list(
          tenant.id,
          { action: 'personal_client.secret_rotated', targetId: c.id },
          5,
        );
        assert.equal(audit.length, 1);
        assert.equal(audit[0].actorId, alice.user.id);
        assert.deepEqual(audit[0].details, {
          name: 'nightly job',
          clientId: c.clientId,
          ownerId: alice.user.id,
          by: 'owner',
          overlapSeconds: 0,
          overlapEndsAt: null,
        });
        assert.ok(!JSON.stringify(audit).includes(rotated.clientSecret));
        const events = await delivered(c.clientId);
        assert.deepEqual(
          events.map((e) => e.type),
          ['personal_client.secret_rotated'],
        );
        assert.equal(events[0].data.by, 'owner');
        assert.equal(events[0].data.overlapSeconds, 0);
        assert.equal(events[0].data.owner.email, 'alice@demo.test');
        assert.ok(!JSON.stringify(events).includes(rotated.clientSecret));
      },
    );

    await t.test(
      'an overlap: both secrets work until it ends, then the old one and its tokens are refused',
      async () => {
        const c = await create(alice, 'overlapping');
        const preToken = (await cc(c.clientId, c.clientSecret)).body.access_token as string;
        const r = await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3 });
        assert.equal(r.statusCode, 200, r.body);
        const { clientSecret, previousSecretExpiresAt } = r.json();
        const ends = Date.parse(previousSecretExpiresAt);
        assert.ok(ends > Date.now() && ends <= Date.now() + 3000, previousSecretExpiresAt);

        const viaOld = await cc(c.clientId, c.clientSecret);
        assert.equal(viaOld.status, 200, 'the old secret still works during the overlap');
        assert.ok(viaOld.body.expires_in <= 3, `a token of the old secret ends with it (${viaOld.body.expires_in} s)`);
        assert.ok(claimsOf(viaOld.body.access_token).exp * 1000 <= ends);
        const viaNew = await cc(c.clientId, clientSecret);
        assert.equal(viaNew.status, 200);
        assert.ok(viaNew.body.expires_in > 60, 'a token of the new secret is not cut');
        assert.equal(await active(preToken), true, 'tokens obtained before the rotation live through the overlap');
        const listed = (await call(alice, 'GET', '/me/oauth2-clients'))
          .json()
          .items.find((x: { id: string }) => x.id === c.id);
        assert.equal(listed.previousSecretExpiresAt, previousSecretExpiresAt);
        assert.equal(await endSecretOverlaps(s.store), 0, 'the sweep leaves a running overlap alone');

        await until(
          'the old secret refused',
          async () => (await cc(c.clientId, c.clientSecret)).status === 401,
          6000,
          100,
        );
        assert.ok(Date.now() >= ends, 'refused no earlier than the end');
        assert.equal((await cc(c.clientId, c.clientSecret)).body.error, 'invalid_client');
        assert.equal(await active(preToken), false, 'the old secret’s tokens end with the overlap');
        assert.equal((await cc(c.clientId, clientSecret)).status, 200);
        assert.equal(await active(viaNew.body.access_token), true);

        // The sweep forgets the old hash once, whichever process runs it first.
        assert.ok((await stored(c.id)).previousSecretHash);
        assert.equal(await endSecretOverlaps(s.store), 1);
        assert.equal(await endSecretOverlaps(s.store), 0);
        const row = await stored(c.id);
        assert.equal(row.previousSecretHash, null);
        assert.equal(row.previousSecretExpiresAt, null);
        assert.equal(await active(viaNew.body.access_token), true, 'the sweep ends only the old secret’s tokens');
        assert.equal((await call(alice, 'GET', `/me/oauth2-clients/${c.id}`)).json().previousSecretExpiresAt, null);
      },
    );

    await t.test('rotating again during an overlap ends the older secret at once', async () => {
      const c = await create(alice, 'twice');
      const first = (await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3600 })).json();
      const tokOfOriginal = (await cc(c.clientId, c.clientSecret)).body.access_token as string;
      const second = (await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3600 })).json();
      assert.equal((await cc(c.clientId, c.clientSecret)).status, 401, 'the original secret is gone');
      assert.equal(await active(tokOfOriginal), false);
      assert.equal((await cc(c.clientId, first.clientSecret)).status, 200, 'the one just replaced overlaps');
      assert.equal((await cc(c.clientId, second.clientSecret)).status, 200);
    });

    await t.test('bad overlaps are refused with a specific problem and change nothing', async () => {
      const c = await create(alice, 'bad input');
      const before = await stored(c.id);
      const cases: Array<[unknown, RegExp]> = [
        [{ overlapSeconds: -1 }, /overlapSeconds must be >= 0/],
        [{ overlapSeconds: 86_401 }, /overlapSeconds must be <= 86400/],
        [{ overlapSeconds: 1.5 }, /overlapSeconds must be integer/],
        [{ overlapSeconds: '1h' }, /overlapSeconds must be integer/],
        [{ overlapHours: 1 }, /overlapHours is not allowed/],
      ];
      for (const [payload, detail] of cases) {
        const r = await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, payload);
        assert.equal(r.statusCode, 400, `${JSON.stringify(payload)} → ${r.body}`);
        assert.equal(r.json().code, 'invalid');
        assert.match(r.json().detail, detail);
      }
      const after = await stored(c.id);
      assert.equal(after.secretHash, before.secretHash);
      assert.equal(after.secretVersion, before.secretVersion);
      assert.equal((await cc(c.clientId, c.clientSecret)).status, 200);
      assert.equal(
        (await s.store.audit.list(tenant.id, { action: 'personal_client.secret_rotated', targetId: c.id }, 5)).length,
        0,
      );
      // No body at all is the default: no overlap.
      const bare = await s.app.inject({
        method: 'POST',
        url: `/t/demo/api/v1/me/oauth2-clients/${c.id}/rotate`,
        headers: alice.headers,
      });
      assert.equal(bare.statusCode, 200, bare.body);
      assert.equal(bare.json().previousSecretExpiresAt, null);
    });

    await t.test('revoked and expired clients are refused with 409; nothing changes', async () => {
      const gone = await create(alice, 'revoked one');
      assert.equal((await call(alice, 'DELETE', `/me/oauth2-clients/${gone.id}`)).statusCode, 204);
      let r = await call(alice, 'POST', `/me/oauth2-clients/${gone.id}/rotate`, {});
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json().code, 'conflict');
      assert.match(r.json().detail, /revoked/);
      const old = await create(alice, 'expired one');
      await s.store.transaction(async (tx) => {
        await tx.db
          .updateTable('clients')
          .set({ expires_at: Date.now() - 1000 })
          .where('id', '=', old.id)
          .execute();
        tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: old.clientId });
      });
      const hash = (await stored(old.id)).secretHash;
      r = await call(boss, 'POST', `/oauth2-clients/${old.id}/rotate`, {});
      assert.equal(r.statusCode, 409, r.body);
      assert.match(r.json().detail, /expired/);
      assert.equal((await stored(old.id)).secretHash, hash);
    });

    await t.test("owners rotate only their own; managers anyone's but a more powerful account's", async () => {
      const c = await create(alice, 'shared name');
      let r = await call(bob, 'POST', `/me/oauth2-clients/${c.id}/rotate`, {});
      assert.equal(r.statusCode, 404, "another user's client does not exist for bob");
      r = await call(bob, 'POST', `/oauth2-clients/${c.id}/rotate`, {});
      assert.equal(r.statusCode, 403, 'the manager route needs a manager');
      assert.equal((await cc(c.clientId, c.clientSecret)).status, 200, 'nothing changed');

      r = await call(boss, 'POST', `/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3600 });
      assert.equal(r.statusCode, 200, r.body);
      const m = r.json();
      assert.equal(m.clientId, c.clientId);
      assert.deepEqual(m.owner, { id: alice.user.id, email: 'alice@demo.test', displayName: 'alice@demo.test' });
      assert.ok(m.previousSecretExpiresAt);
      assert.equal((await cc(c.clientId, m.clientSecret)).status, 200);
      assert.equal((await cc(c.clientId, c.clientSecret)).status, 200, 'the overlap keeps the owner’s scripts working');
      const audit = (
        await s.store.audit.list(tenant.id, { action: 'personal_client.secret_rotated', targetId: c.id }, 5)
      )[0];
      assert.equal(audit.actorId, boss.user.id);
      assert.equal(audit.details.by, 'manager');
      assert.equal(audit.details.overlapSeconds, 3600);
      assert.equal(audit.details.overlapEndsAt, m.previousSecretExpiresAt);

      const adminClient = await create(admin, 'platform admin script');
      r = await call(boss, 'POST', `/oauth2-clients/${adminClient.id}/rotate`, {});
      assert.equal(r.statusCode, 403, r.body);
      assert.match(r.json().detail, /more power/);
      assert.equal((await cc(adminClient.clientId, adminClient.clientSecret)).status, 200);
      assert.equal((await call(admin, 'POST', `/oauth2-clients/${c.id}/rotate`, {})).statusCode, 200);
    });

    await t.test("a personal client's own token cannot rotate a secret", async () => {
      const c = await create(alice, 'self rotating');
      const tok = (await cc(c.clientId, c.clientSecret)).body.access_token as string;
      const r = await call(
        { headers: { authorization: `Bearer ${tok}` } },
        'POST',
        `/me/oauth2-clients/${c.id}/rotate`,
        {},
      );
      assert.equal(r.statusCode, 403, r.body);
      assert.equal(r.json().code, 'credential_minting');
    });

    await t.test('wrong secrets during an overlap are throttled as before', async () => {
      const c = await create(alice, 'throttled');
      await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3600 });
      let last = 0;
      for (let i = 0; i < 30 && last !== 429; i++) last = (await cc(c.clientId, 'lk_cs_wrong')).status;
      assert.equal(last, 429, 'failures are counted whether or not an overlap runs');
    });

    await t.test('a reported leak of the replaced secret ends the overlap only', async () => {
      const c = await create(alice, 'leaky');
      const r = (await call(alice, 'POST', `/me/oauth2-clients/${c.id}/rotate`, { overlapSeconds: 3600 })).json();
      const oldTok = (await cc(c.clientId, c.clientSecret)).body.access_token as string;
      assert.equal(
        await reportLeak(s.services, c.clientSecret, { reporter: 'github', url: null, source: 'content' }),
        'true_positive',
      );
      assert.equal((await cc(c.clientId, c.clientSecret)).status, 401);
      assert.equal(await active(oldTok), false);
      assert.equal((await cc(c.clientId, r.clientSecret)).status, 200, 'the current secret was not reported');
      const row = await stored(c.id);
      assert.equal(row.status, 'active');
      assert.equal(row.previousSecretHash, null);
      const leak = await s.store.audit.list(
        tenant.id,
        { action: 'personal_client.reported_leaked', targetId: c.id },
        5,
      );
      assert.equal(leak[0].details.overlapEnded, true);
      assert.equal(
        await reportLeak(s.services, c.clientSecret, { reporter: 'github', url: null, source: 'content' }),
        'false_positive',
        'a secret no longer working is nothing to revoke',
      );
    });

    await t.test(
      'applications: REGENERATE SECRET with an overlap; a refresh token moves onto the new secret',
      async () => {
        const app = await makeApp(s, { name: 'tok app' });
        const tokFile = async () => {
          const r = await call(admin, 'POST', `/apps/${app.id}/tokens`, {
            scopes: ['myservices'],
            includeRefreshToken: true,
          });
          assert.equal(r.statusCode, 200, r.body);
          return r.json() as { app_access_token: string; refresh_token: string };
        };
        const refresh = (rt: string, secret: string) =>
          token(s, { grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic(app.clientId, secret) });
        const moving = await tokFile();
        const staying = await tokFile();
        const ccOld = (await cc(app.clientId, app.clientSecret)).body.access_token as string;

        let r = await call(admin, 'POST', `/apps/${app.id}/secret`, { overlapSeconds: 86_401 });
        assert.equal(r.statusCode, 400);
        r = await call(admin, 'POST', `/apps/${app.id}/secret`, { overlapSeconds: 3 });
        assert.equal(r.statusCode, 200, r.body);
        const { clientSecret, previousSecretExpiresAt, clientId } = r.json();
        assert.equal(clientId, app.clientId);
        const ends = Date.parse(previousSecretExpiresAt);

        // Refreshed with the new secret: bound to it from now on.
        const moved = await refresh(moving.refresh_token, clientSecret);
        assert.equal(moved.statusCode, 200, moved.body);
        // Refreshed with the old secret: still bound to it, cut at the overlap's end.
        const kept = await refresh(staying.refresh_token, app.clientSecret);
        assert.equal(kept.statusCode, 200, kept.body);
        assert.ok(kept.json().expires_in <= 3);
        assert.equal(await active(ccOld), true);
        assert.equal(await active(moving.app_access_token), true);

        await until(
          'the old secret refused',
          async () => (await cc(app.clientId, app.clientSecret)).status === 401,
          6000,
          100,
        );
        assert.ok(Date.now() >= ends);
        assert.equal(await active(ccOld), false, "the old secret's client_credentials token ended with it");
        const again = await refresh(kept.json().refresh_token, clientSecret);
        assert.equal(again.statusCode, 400);
        assert.equal(again.json().error, 'invalid_grant');
        assert.match(again.json().error_description, /secret was regenerated/);
        const onward = await refresh(moved.json().refresh_token, clientSecret);
        assert.equal(onward.statusCode, 200, 'the moved grant outlives the overlap');

        assert.equal(await endSecretOverlaps(s.store), 1);
        assert.equal(await active(kept.json().access_token), false);
        assert.equal(await active(onward.json().access_token), true);
        const audit = await s.store.audit.list(tenant.id, { action: 'app.secret_regenerated', targetId: app.id }, 5);
        assert.equal(audit[0].details.overlapSeconds, 3);
        assert.equal(audit[0].details.overlapEndsAt, previousSecretExpiresAt);
        const events = await delivered(app.clientId);
        assert.deepEqual(
          events.map((e) => e.type),
          ['app.secret_regenerated'],
        );
        assert.equal(events[0].data.overlapSeconds, 3);
        assert.ok(!JSON.stringify(events).includes(clientSecret));
        // Owned by a manager of the domain: the admin is told the whole story.
        assert.equal(events[0].data.actor.id, (await s.store.users.byEmail(tenant.id, ADMIN_EMAIL))!.id);
      },
    );
  });
}
