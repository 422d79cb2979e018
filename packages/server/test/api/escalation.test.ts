import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from './client.js';

const PASSWORD = 'a long enough password';

// Power never flows upwards: no account changes, disables or demotes an account with more power.
for (const backend of await backends()) {
  describe(`account escalation (${backend})`, () => {
    let s: TestServer;
    let admin: Caller;
    let adminId: string;
    let tenantId: string;
    let mallory: Caller;
    let malloryId: string;
    const roleId = async (builtin: string) => (await s.store.roles.list(tenantId)).find((r) => r.builtin === builtin)!.id;

    before(async () => {
      s = await createTestServer(backend);
      const session = await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      admin = as(s, session);
      adminId = session.userId;
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      // A domain manager of demo who is not a platform administrator.
      const res = await admin.request('POST', '/t/demo/api/v1/users', { email: 'mallory@demo.test', password: PASSWORD, roleIds: [await roleId('domain-manager')] });
      assert.equal(res.statusCode, 201, res.body);
      const m = await login(s, 'demo', 'mallory@demo.test', PASSWORD);
      mallory = as(s, m);
      malloryId = m.userId;
    });
    after(() => s.close());

    test('a domain manager cannot change, disable or demote the platform administrator', async () => {
      const url = `/t/demo/api/v1/users/${adminId}`;
      const before = (await s.store.users.byId(tenantId, adminId))!;
      const rolesBefore = (await s.store.roles.forUser(tenantId, adminId)).map((r) => r.id).sort();
      for (const patch of [
        { password: 'mallory owns this account now' },
        { status: 'disabled' },
        { roleIds: [] },
        { roleIds: [await roleId('oauth2-client-creator')] },
        { displayName: 'Pwned' },
      ]) {
        problem(await mallory.request('PATCH', url, patch), 403, /platform administrator.*more power/);
      }
      const after = (await s.store.users.byId(tenantId, adminId))!;
      assert.equal(after.passwordHash, before.passwordHash);
      assert.equal(after.status, 'active');
      assert.equal(after.displayName, before.displayName);
      assert.deepEqual((await s.store.roles.forUser(tenantId, adminId)).map((r) => r.id).sort(), rolesBefore);
      // The administrator's password still works, and the attacker's does not.
      await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD);
      const stolen = await s.app.inject({ method: 'POST', url: '/t/demo/api/v1/session', payload: { email: ADMIN_EMAIL, password: 'mallory owns this account now' } });
      assert.equal(stolen.statusCode, 401);
      assert.equal((await s.store.audit.list(tenantId, { targetId: adminId, action: 'user.password_changed' }, 5)).length, 0);
    });

    test('a manager of another tenant is out of reach: no user of demo can even see them', async () => {
      const made = await admin.request('POST', '/platform/api/v1/tenants', {
        slug: 'acme', name: 'Acme', manager: { email: 'boss@acme.test', password: PASSWORD },
      });
      assert.equal(made.statusCode, 201, made.body);
      const acme = made.json().tenant.id as string;
      const bossId = made.json().manager.id as string;
      const before = (await s.store.users.byId(acme, bossId))!;
      problem(await mallory.request('PATCH', `/t/demo/api/v1/users/${bossId}`, { password: 'mallory owns this account now' }), 404, /not found/);
      problem(await mallory.request('PATCH', `/t/demo/api/v1/users/${bossId}`, { status: 'disabled' }), 404, /not found/);
      // demo's session does not open acme's API, and mallory is no platform administrator.
      problem(await mallory.request('PATCH', `/t/acme/api/v1/users/${bossId}`, { status: 'disabled' }), 401, /another tenant/);
      problem(await mallory.request('PATCH', '/platform/api/v1/tenants/acme', { enterpriseEnabled: false }), 403, /platform administrators/);
      problem(await mallory.request('POST', '/platform/api/v1/tenants', { slug: 'evil', name: 'Evil' }), 403, /platform administrators/);
      const after = (await s.store.users.byId(acme, bossId))!;
      assert.deepEqual(after, before);
      assert.equal(await s.store.tenants.bySlug('evil'), undefined);
    });

    test('managers of equal power still manage each other; the platform administrator manages managers', async () => {
      const res = await admin.request('POST', '/t/demo/api/v1/users', { email: 'peer@demo.test', password: PASSWORD, roleIds: [await roleId('domain-manager')] });
      const peerId = res.json().id as string;
      assert.equal((await mallory.request('PATCH', `/t/demo/api/v1/users/${peerId}`, { displayName: 'Peer' })).statusCode, 200);
      assert.equal((await admin.request('PATCH', `/t/demo/api/v1/users/${peerId}`, { status: 'disabled' })).statusCode, 200);
      assert.equal((await s.store.users.byId(tenantId, peerId))!.status, 'disabled');
    });

    test('changing one\'s own password needs the current password', async () => {
      const url = `/t/demo/api/v1/users/${malloryId}`;
      const before = (await s.store.users.byId(tenantId, malloryId))!.passwordHash;
      problem(await mallory.request('PATCH', url, { password: 'a stolen session sets this' }), 400, /currentPassword is required/);
      problem(await mallory.request('PATCH', url, { password: 'a stolen session sets this', currentPassword: 'a wrong guess here' }), 403, /current password is wrong/);
      assert.equal((await s.store.users.byId(tenantId, malloryId))!.passwordHash, before);
      const ok = await mallory.request('PATCH', url, { password: 'mallory\'s new password', currentPassword: PASSWORD });
      assert.equal(ok.statusCode, 200, ok.body);
      await login(s, 'demo', 'mallory@demo.test', 'mallory\'s new password');
      // currentPassword belongs to one's own password change only.
      const peer = (await s.store.users.byEmail(tenantId, 'peer@demo.test'))!;
      problem(await admin.request('PATCH', `/t/demo/api/v1/users/${peer.id}`, { displayName: 'P', currentPassword: ADMIN_PASSWORD }), 400, /currentPassword/);
    });
  });
}
