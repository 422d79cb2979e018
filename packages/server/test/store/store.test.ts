import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL } from '../helpers/harness.js';

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

test('bootstrap is all or nothing: a refused password leaves no tenant, the next start succeeds', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { loadConfig } = await import('../../src/config.js');
  const { openStore, migrateToLatest, Store } = await import('../../src/store/index.js');
  const { bootstrap } = await import('../../src/bootstrap.js');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-boot-'));
  const handle = openStore({ dataDir });
  try {
    await migrateToLatest(handle.db);
    const store = new Store(handle.db, handle.dialect);
    const env = { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_BOOTSTRAP_EMAIL: 'boot@demo.test' };
    await assert.rejects(
      bootstrap(store, loadConfig({ ...env, LATCHKEY_BOOTSTRAP_PASSWORD: 'short' })),
      /at least 12 characters/,
    );
    assert.equal(await store.tenants.count(), 0);
    const r = await bootstrap(store, loadConfig({ ...env, LATCHKEY_BOOTSTRAP_PASSWORD: 'long enough password' }));
    assert.equal(r?.email, 'boot@demo.test');
    const demo = await store.tenants.bySlug('demo');
    assert.ok((await store.users.byEmail(demo!.id, 'boot@demo.test'))?.platformAdmin);
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
