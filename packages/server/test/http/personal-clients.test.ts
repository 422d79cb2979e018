import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, type TestServer } from '../helpers/harness.js';
import { passwordGrant, clientCredentials, introspect, makeApp, demo, token, changeTenant } from '../helpers/oauth.js';
import { createUser } from '../../src/domain/users/service.js';
import { createTenant } from '../../src/domain/tenants/service.js';
import { updateRole } from '../../src/domain/roles/service.js';
import { noteExpiredClients } from '../../src/domain/clients/expiry.js';

const DAY = 86_400_000;
const SYSTEM = { type: 'system' as const, id: null };
const PASSWORD = 'a sufficiently long password';
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

async function userWithRoles(s: TestServer, email: string, builtins: string[], slug = 'demo') {
  const tenant = (await s.store.tenants.bySlug(slug))!;
  const roles = (await s.store.roles.list(tenant.id)).filter((r) => r.builtin && builtins.includes(r.builtin));
  const user = await createUser(
    s.store,
    tenant,
    { email, displayName: email, password: PASSWORD, roleIds: roles.map((r) => r.id) },
    SYSTEM,
  );
  const tok = (
    await token(s, { grant_type: 'password', client_id: 'latchkey-sdk', username: email, password: PASSWORD }, {}, slug)
  ).json().access_token as string;
  return { user, headers: { authorization: `Bearer ${tok}` } };
}

for (const backend of await backends()) {
  test(`personal OAuth2 clients (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const probe = await makeApp(s, { name: 'probe', grantTypes: ['client_credentials'], scopes: [] });
    const alice = await userWithRoles(s, 'alice@demo.test', ['oauth2-client-creator']);
    const manager = await userWithRoles(s, 'boss@demo.test', ['domain-manager']);
    const call = (
      who: { headers: Record<string, string> },
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: object,
      slug = 'demo',
    ) =>
      s.app.inject({ method, url: `/t/${slug}/api/v1${url}`, headers: who.headers, ...(payload ? { payload } : {}) });
    const create = (who: { headers: Record<string, string> }, name: string, days = 30) =>
      call(who, 'POST', '/me/oauth2-clients', { name, expiresAt: inDays(days) });
    const tenant = await demo(s);
    // Give alice's role scopes so her tokens carry permissions.
    const creatorRole = (await s.store.roles.list(tenant.id)).find((r) => r.builtin === 'oauth2-client-creator')!;
    await updateRole(s.store, tenant, creatorRole.id, { scopes: ['myservices'] }, SYSTEM);

    await t.test("create answers the secret once; tokens carry exactly the owner's permissions", async () => {
      const r = await create(alice, 'laptop script');
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json();
      assert.deepEqual(Object.keys(c).sort(), [
        'clientId',
        'clientSecret',
        'createdAt',
        'expiresAt',
        'id',
        'name',
        'scopes',
      ]);
      assert.equal(c.scopes, null, "all of the owner's permissions by default");
      assert.match(c.clientSecret, /^lk_cs_/);
      const list = await call(alice, 'GET', '/me/oauth2-clients');
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(c.clientSecret));
      const item = list.json().items.find((x: { id: string }) => x.id === c.id);
      assert.equal(item.status, 'active');
      assert.equal(item.lastUsedAt, null);
      const tok = await clientCredentials(s, c.clientId, c.clientSecret);
      assert.equal(tok.statusCode, 200, tok.body);
      const claims = JSON.parse(Buffer.from(tok.json().access_token.split('.')[1], 'base64url').toString());
      assert.equal(claims.sub, alice.user.id);
      assert.equal(claims.client_id, c.clientId);
      assert.equal(claims.scope, 'myservices');
      assert.equal((await clientCredentials(s, c.clientId, c.clientSecret, 'metering')).json().error, 'invalid_scope');
      await s.services.usage.flush();
      const after = (await call(alice, 'GET', `/me/oauth2-clients/${c.id}`)).json();
      assert.ok(after.lastUsedAt, 'lastUsedAt set by the batched usage flush');
      const audit = await s.store.audit.list(tenant.id, { targetId: c.id }, 10);
      assert.deepEqual(audit.map((e) => e.action).sort(), ['client.first_used', 'personal_client.created']);
    });

    await t.test('bad input: name, duplicates, expiry; nothing is created', async () => {
      const before = (await call(alice, 'GET', '/me/oauth2-clients')).json().items.length;
      const bad: Array<[object, number, RegExp]> = [
        [{ expiresAt: inDays(1) }, 400, /name is required/],
        [{ name: '', expiresAt: inDays(1) }, 400, /name/],
        [{ name: 'x'.repeat(101), expiresAt: inDays(1) }, 400, /name/],
        [{ name: 'no expiry' }, 400, /expiresAt is required/],
        [{ name: 'past', expiresAt: inDays(-1) }, 400, /in the future/],
        [{ name: 'too long', expiresAt: inDays(366) }, 400, /within 365 days/],
        [{ name: 'garbage', expiresAt: 'tomorrow' }, 400, /expiresAt/],
        [{ name: 'laptop script', expiresAt: inDays(1) }, 409, /already have a client named/],
      ];
      for (const [payload, status, detail] of bad) {
        const r = await call(alice, 'POST', '/me/oauth2-clients', payload);
        assert.equal(r.statusCode, status, `${JSON.stringify(payload)} → ${r.body}`);
        assert.match(r.json().detail, detail);
      }
      assert.equal((await call(alice, 'GET', '/me/oauth2-clients')).json().items.length, before);
    });

    await t.test('refused with 403 and a reason without the role or the feature', async () => {
      const bob = await userWithRoles(s, 'bob@demo.test', []);
      let r = await create(bob, 'nope');
      assert.equal(r.statusCode, 403);
      assert.match(r.json().detail, /"oauth2-client-creator"/);
      await s.store.roles.update(tenant.id, creatorRole.id, { name: 'api-power-user' });
      r = await create(bob, 'nope');
      assert.match(r.json().detail, /"api-power-user"/, 'the renamed role is named');
      await changeTenant(s, { enterpriseEnabled: false });
      r = await create(alice, 'feature off');
      assert.equal(r.statusCode, 403);
      assert.match(r.json().detail, /not enabled/);
      await changeTenant(s, { enterpriseEnabled: true });
    });

    await t.test('on an SSO-enforced domain the password grant is refused but personal clients work', async () => {
      const c = (await create(alice, 'sso script')).json();
      await changeTenant(s, { ssoEnforced: true });
      assert.equal((await passwordGrant(s, 'alice@demo.test', PASSWORD)).json().error, 'invalid_grant');
      assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 200);
      // Enforcement ended the password grants, so their access tokens no longer reach the API.
      assert.equal((await call(alice, 'GET', '/me/oauth2-clients')).statusCode, 401);
      await changeTenant(s, { ssoEnforced: false });
      for (const [who, email] of [
        [alice, 'alice@demo.test'],
        [manager, 'boss@demo.test'],
      ] as const) {
        const tok = (await passwordGrant(s, email, PASSWORD)).json().access_token as string;
        who.headers.authorization = `Bearer ${tok}`;
      }
    });

    await t.test(
      'owner disabled, feature off: no tokens and live tokens go inactive; restoring brings them back',
      async () => {
        const c = (await create(alice, 'suspendable')).json();
        const at = (await clientCredentials(s, c.clientId, c.clientSecret)).json().access_token;
        const disable = await call(manager, 'PATCH', `/users/${alice.user.id}`, { status: 'disabled' });
        assert.equal(disable.statusCode, 200, disable.body);
        assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 401);
        assert.equal((await introspect(s, probe.clientId, probe.clientSecret, at)).active, false);
        await call(manager, 'PATCH', `/users/${alice.user.id}`, { status: 'active' });
        assert.equal(
          (await introspect(s, probe.clientId, probe.clientSecret, at)).active,
          true,
          'personal clients only pause',
        );
        // Disabling ended alice's own sign-in grant for good: she signs in again.
        assert.equal((await call(alice, 'GET', '/me')).statusCode, 401);
        alice.headers.authorization = `Bearer ${(await passwordGrant(s, 'alice@demo.test', PASSWORD)).json().access_token}`;
        await changeTenant(s, { enterpriseEnabled: false });
        assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 401);
        assert.equal((await introspect(s, probe.clientId, probe.clientSecret, at)).active, false);
        await changeTenant(s, { enterpriseEnabled: true });
        assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 200);
      },
    );

    await t.test('revocation by the owner and by a manager is immediate, and the owner sees who did it', async () => {
      const a = (await create(alice, 'to revoke')).json();
      const at = (await clientCredentials(s, a.clientId, a.clientSecret)).json().access_token;
      const viaClient = { headers: { authorization: `Bearer ${at}` } };
      const me = await call(viaClient, 'GET', '/me');
      assert.equal(me.statusCode, 200, 'a personal client token acts as its owner on the management API');
      assert.equal(me.json().email, 'alice@demo.test');
      assert.equal((await call(alice, 'DELETE', `/me/oauth2-clients/${a.id}`)).statusCode, 204);
      assert.equal((await call(viaClient, 'GET', '/me')).statusCode, 401, 'and is dead there once revoked');
      assert.equal((await clientCredentials(s, a.clientId, a.clientSecret)).json().error, 'invalid_client');
      assert.equal((await introspect(s, probe.clientId, probe.clientSecret, at)).active, false);
      assert.equal((await call(alice, 'DELETE', `/me/oauth2-clients/${a.id}`)).statusCode, 404);
      const b = (await create(alice, 'manager revokes')).json();
      assert.equal((await call(manager, 'DELETE', `/oauth2-clients/${b.id}`)).statusCode, 204);
      const seen = (await call(alice, 'GET', `/me/oauth2-clients/${b.id}`)).json();
      assert.equal(seen.status, 'revoked');
      assert.deepEqual(seen.revokedBy, { by: 'manager', userId: manager.user.id, email: 'boss@demo.test' });
      const ev = await s.store.audit.list(tenant.id, { action: 'personal_client.revoked', targetId: b.id }, 5);
      assert.equal(ev[0].details.by, 'manager');
      assert.equal(ev[0].actorId, manager.user.id);
      // Others' clients are invisible to non-managers.
      const bob2 = await userWithRoles(s, 'bob2@demo.test', ['oauth2-client-creator']);
      assert.equal((await call(bob2, 'DELETE', `/me/oauth2-clients/${seen.id}`)).statusCode, 404);
      assert.equal((await call(bob2, 'GET', '/oauth2-clients')).statusCode, 403);
    });

    await t.test('losing the creator role revokes the clients (default policy) or keeps them', async () => {
      const carol = await userWithRoles(s, 'carol@demo.test', ['oauth2-client-creator']);
      const c = (await create(carol, 'carol script')).json();
      const r = await call(manager, 'PATCH', `/users/${carol.user.id}`, { roleIds: [] });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 401);
      const seen = (await call(carol, 'GET', `/me/oauth2-clients/${c.id}`)).json();
      assert.equal(seen.status, 'revoked');
      assert.equal(seen.revokedBy.by, 'policy');
      await changeTenant(s, { revokeClientsOnRoleLoss: false });
      const dave = await userWithRoles(s, 'dave@demo.test', ['oauth2-client-creator']);
      const d = (await create(dave, 'dave script')).json();
      await call(manager, 'PATCH', `/users/${dave.user.id}`, { roleIds: [] });
      assert.equal((await clientCredentials(s, d.clientId, d.clientSecret)).statusCode, 200, 'kept by tenant policy');
      await changeTenant(s, { revokeClientsOnRoleLoss: true });
      const roleEvents = await s.store.audit.list(
        tenant.id,
        { action: 'user.role_revoked', targetId: carol.user.id },
        5,
      );
      assert.equal(roleEvents.length, 1);
    });

    await t.test('expiry: refused without a restart, shown as expired, audited once', async () => {
      const c = (await create(alice, 'short lived', 1)).json();
      assert.equal((await clientCredentials(s, c.clientId, c.clientSecret)).statusCode, 200);
      // Time passes: the row is made to expire, and the change announced like any write's.
      await s.store.transaction(async (tx) => {
        await tx.db
          .updateTable('clients')
          .set({ expires_at: Date.now() - 1000 })
          .where('id', '=', c.id)
          .execute();
        tx.changes.record({ type: 'client.changed', tenantId: tenant.id, clientId: c.clientId });
      });
      const r = await clientCredentials(s, c.clientId, c.clientSecret);
      assert.equal(r.json().error, 'invalid_client');
      assert.match(r.json().error_description, /expired/);
      const item = (await call(alice, 'GET', `/me/oauth2-clients/${c.id}`)).json();
      assert.equal(item.status, 'expired');
      assert.ok((await noteExpiredClients(s.store)) >= 1);
      assert.equal(await noteExpiredClients(s.store), 0);
      assert.equal(
        (await s.store.audit.list(tenant.id, { action: 'personal_client.expired', targetId: c.id }, 5)).length,
        1,
      );
      const expired = (await call(manager, 'GET', '/oauth2-clients?status=expired')).json();
      assert.ok(expired.items.some((x: { id: string }) => x.id === c.id));
    });

    await t.test('a second tenant sees none of this', async () => {
      await createTenant(s.store, { slug: 'acme', name: 'Acme', enterpriseEnabled: true }, SYSTEM);
      const acmeBoss = await userWithRoles(s, 'boss@acme.test', ['domain-manager', 'oauth2-client-creator'], 'acme');
      const list = await call(acmeBoss, 'GET', '/oauth2-clients', undefined, 'acme');
      assert.equal(list.statusCode, 200);
      assert.equal(list.json().items.length, 0);
      const demoClient = (await call(manager, 'GET', '/oauth2-clients')).json().items[0];
      assert.equal(
        (await call(acmeBoss, 'DELETE', `/oauth2-clients/${demoClient.id}`, undefined, 'acme')).statusCode,
        404,
      );
      assert.equal(
        (await call(acmeBoss, 'GET', `/me/oauth2-clients/${demoClient.id}`, undefined, 'acme')).statusCode,
        404,
      );
      assert.equal((await call(manager, 'GET', '/oauth2-clients', undefined, 'acme')).statusCode, 401);
      // A demo client cannot get tokens from acme.
      const mine = (await create(alice, 'tenant bound')).json();
      const r = await s.app.inject({
        method: 'POST',
        url: '/t/acme/oauth2/v1/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Basic ' + Buffer.from(`${mine.clientId}:${mine.clientSecret}`).toString('base64'),
        },
        payload: 'grant_type=client_credentials',
      });
      assert.equal(r.statusCode, 401);
    });
  });
}
