import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import { clientCredentials, demo, token } from '../helpers/oauth.js';
import { problem } from '../helpers/api-client.js';
import { createUser, updateUser } from '../../src/domain/users/service.js';
import { createRole } from '../../src/domain/roles/service.js';

const DAY = 86_400_000;
const SYSTEM = { type: 'system' as const, id: null };
const PASSWORD = 'a sufficiently long password';
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
const scopeOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).scope ?? '';

for (const backend of await backends()) {
  test(`scoped personal OAuth2 clients (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const tenant = await demo(s);
    const roles = await s.store.roles.list(tenant.id);
    const creator = roles.find((r) => r.builtin === 'oauth2-client-creator')!;
    const manager = roles.find((r) => r.builtin === 'domain-manager')!;
    const services = await createRole(s.store, tenant, { name: 'services reader', scopes: ['myservices'] }, SYSTEM);
    const metering = await createRole(s.store, tenant, { name: 'metering reader', scopes: ['metering'] }, SYSTEM);
    const alice = await createUser(
      s.store,
      tenant,
      {
        email: 'alice@demo.test',
        displayName: 'Alice',
        password: PASSWORD,
        roleIds: [creator.id, services.id, metering.id],
      },
      SYSTEM,
    );
    await createUser(
      s.store,
      tenant,
      { email: 'boss@demo.test', displayName: 'Boss', password: PASSWORD, roleIds: [manager.id] },
      SYSTEM,
    );
    const bearer = async (email: string) =>
      `Bearer ${(await token(s, { grant_type: 'password', client_id: 'latchkey-sdk', username: email, password: PASSWORD })).json().access_token}`;
    const aliceAuth = await bearer('alice@demo.test');
    const bossAuth = await bearer('boss@demo.test');
    const call = (auth: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      s.app.inject({
        method,
        url: `/t/demo/api/v1${url}`,
        headers: { authorization: auth },
        ...(payload ? { payload } : {}),
      });
    const create = (name: string, scopes?: string[] | null) =>
      call(aliceAuth, 'POST', '/me/oauth2-clients', {
        name,
        expiresAt: inDays(30),
        ...(scopes === undefined ? {} : { scopes }),
      });
    const liveCount = async () => (await s.store.clients.liveOfOwner(tenant.id, alice.id)).length;

    await t.test(
      'a subset outside what the owner holds is refused, naming the scopes; nothing is created',
      async () => {
        const before = await liveCount();
        const auditBefore = (await s.store.audit.list(tenant.id, {}, 500)).length;
        const detail = problem(await create('too wide', ['metering', 'billing', 'admin:all']), 400);
        assert.match(detail, /admin:all/);
        assert.match(detail, /billing/);
        assert.doesNotMatch(detail, /metering/, 'scopes she holds are not named');
        problem(await create('empty', []), 400, /at least one scope/);
        problem(await create('blank', ['']), 400);
        problem(await create('null', null), 400);
        assert.equal(await liveCount(), before);
        assert.equal((await s.store.audit.list(tenant.id, {}, 500)).length, auditBefore, 'nothing audited');
      },
    );

    const scoped = (await create('metering only', ['metering', 'metering'])).json();
    const all = (await create('everything')).json();

    await t.test("answers show the subset, or null for all of the owner's permissions", async () => {
      assert.deepEqual(scoped.scopes, ['metering']);
      assert.equal(all.scopes, null);
      assert.deepEqual((await call(aliceAuth, 'GET', `/me/oauth2-clients/${scoped.id}`)).json().scopes, ['metering']);
      const mine = (await call(aliceAuth, 'GET', '/me/oauth2-clients')).json().items;
      assert.deepEqual(Object.fromEntries(mine.map((c: { name: string; scopes: unknown }) => [c.name, c.scopes])), {
        'metering only': ['metering'],
        everything: null,
      });
      const managed = (await call(bossAuth, 'GET', '/oauth2-clients')).json().items;
      assert.deepEqual(managed.find((c: { id: string }) => c.id === scoped.id).scopes, ['metering']);
      assert.deepEqual(
        (await s.store.clients.byId(tenant.id, scoped.id))!.scopes,
        ['metering'],
        'stored once, deduplicated',
      );
    });

    await t.test('tokens never carry a scope outside the subset', async () => {
      // Asking for nothing: the subset (within what she holds).
      let r = await clientCredentials(s, scoped.clientId, scoped.clientSecret);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(scopeOf(r.json().access_token), 'metering');
      // Asking for more: a scope she holds but the client does not have.
      for (const ask of ['myservices', 'metering myservices']) {
        r = await clientCredentials(s, scoped.clientId, scoped.clientSecret, ask);
        assert.equal(r.statusCode, 400, ask);
        assert.equal(r.json().error, 'invalid_scope');
        assert.match(r.json().error_description, /myservices/);
      }
      r = await clientCredentials(s, scoped.clientId, scoped.clientSecret, 'metering');
      assert.equal(scopeOf(r.json().access_token), 'metering');
      // The unscoped client keeps all of her permissions.
      r = await clientCredentials(s, all.clientId, all.clientSecret);
      assert.equal(
        scopeOf(r.json().access_token),
        'latchkey:clients latchkey:read metering myservices',
        "the creator role's management scopes too",
      );
    });

    await t.test("the owner loses a role: the client's tokens lose that scope", async () => {
      await updateUser(s.store, tenant, alice.id, { roleIds: [creator.id, services.id] }, SYSTEM);
      let r = await clientCredentials(s, scoped.clientId, scoped.clientSecret);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(scopeOf(r.json().access_token), '', 'the subset holds nothing she still has');
      r = await clientCredentials(s, scoped.clientId, scoped.clientSecret, 'metering');
      assert.equal(r.json().error, 'invalid_scope');
      r = await clientCredentials(s, all.clientId, all.clientSecret);
      assert.equal(scopeOf(r.json().access_token), 'latchkey:clients latchkey:read myservices');
      // Regaining it brings it back (the subset is kept, the owner's holdings are read per request).
      await updateUser(s.store, tenant, alice.id, { roleIds: [creator.id, services.id, metering.id] }, SYSTEM);
      r = await clientCredentials(s, scoped.clientId, scoped.clientSecret);
      assert.equal(scopeOf(r.json().access_token), 'metering');
    });
  });
}
