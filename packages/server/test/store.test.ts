import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL } from './helpers/harness.js';

for (const backend of await backends()) {
  test(`store (${backend}): migrations apply and bootstrap creates demo`, async () => {
    const s = await createTestServer(backend);
    try {
      assert.equal(s.store.dialect, backend);
      const demo = await s.store.tenants.bySlug('demo');
      assert.ok(demo);
      assert.equal(demo.enterpriseEnabled, true);
      const admin = await s.store.users.byEmail(demo.id, ADMIN_EMAIL);
      assert.ok(admin?.platformAdmin);
      const roles = await s.store.roles.forUser(demo.id, admin!.id);
      assert.deepEqual(roles.map((r) => r.builtin).sort(), ['domain-manager', 'oauth2-client-creator']);
      const sdk = await s.store.clients.byClientId(demo.id, 'latchkey-sdk');
      assert.equal(sdk?.kind, 'public');
      const ready = await s.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().database, backend);
    } finally {
      await s.close();
    }
  });
}
