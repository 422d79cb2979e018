import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../../helpers/harness.js';
import { demo } from '../../helpers/oauth.js';
import { warnExpiringClients } from '../../../src/domain/clients/expiry-warnings.js';
import { createPersonalClient } from '../../../src/domain/clients/personal.js';
import { createEndpoint } from '../../../src/domain/webhooks/endpoints.js';
import { loadConfig } from '../../../src/config.js';

const DAY = 86_400_000;
const SYSTEM = { type: 'system' as const, id: null };

test('the test clock is refused in production; SMTP_URL must be smtp(s)', () => {
  assert.throws(
    () => loadConfig({ LATCHKEY_TEST_CLOCK_FILE: '/tmp/x', NODE_ENV: 'production' }),
    /refused when NODE_ENV=production/,
  );
  assert.match(loadConfig({ LATCHKEY_TEST_CLOCK_FILE: '/tmp/x' }).testClockFile!, /x$/);
  assert.throws(() => loadConfig({ SMTP_URL: 'http://mail.example.com' }), /smtp:\/\//);
  assert.throws(() => loadConfig({ LATCHKEY_MAINTENANCE_INTERVAL_MS: '5' }), /LATCHKEY_MAINTENANCE_INTERVAL_MS/);
});

for (const backend of await backends()) {
  test(`expiry warnings: once per threshold per client, none for a threshold already passed at creation (${backend})`, async () => {
    const s = await createTestServer(backend, { SMTP_URL: 'smtp://127.0.0.1:1' });
    try {
      const tenant = await demo(s);
      const owner = (await s.services.principals.get(
        tenant.id,
        (await s.store.users.byEmail(tenant.id, 'admin@demo.test'))!.id,
      ))!;
      await createEndpoint(
        s.store,
        s.services.sealer,
        tenant,
        { url: 'https://hooks.example.com/x', events: ['personal_client.expiring'] },
        SYSTEM,
      );
      const long = await createPersonalClient(s.store, s.services.hasher, tenant, owner, {
        name: 'long',
        expiresAt: Date.now() + 10 * DAY,
      });
      await createPersonalClient(s.store, s.services.hasher, tenant, owner, {
        name: 'short',
        expiresAt: Date.now() + 3 * DAY,
      });
      const expiring = async () =>
        (
          await s.store.db
            .selectFrom('outbox_messages')
            .selectAll()
            .where('event_type', '=', 'personal_client.expiring')
            .orderBy('id')
            .execute()
        )
          .map((m) => ({ channel: m.channel, ...JSON.parse(m.payload).data }))
          .map((d) => `${d.channel}:${d.name}:${d.days}`);

      assert.equal(await warnExpiringClients(s.store, Date.now()), 0, 'short was made with 3 days: no 7-day warning');
      const now = Date.now();
      // Two rounds at once (as two processes would): each warning is taken once.
      const [a, b] = await Promise.all([
        warnExpiringClients(s.store, now + 4 * DAY),
        warnExpiringClients(s.store, now + 4 * DAY),
      ]);
      assert.equal(a + b, 1);
      assert.deepEqual((await expiring()).sort(), ['email:long:7', 'webhook:long:7']);
      assert.equal(await warnExpiringClients(s.store, now + 4 * DAY), 0);
      assert.equal(await warnExpiringClients(s.store, now + 2.5 * DAY + 3600_000), 1, 'short: 1 day left');
      assert.equal(await warnExpiringClients(s.store, now + 9.5 * DAY), 1, 'long: 1 day left');
      assert.equal(await warnExpiringClients(s.store, now + 9.6 * DAY), 0);
      assert.deepEqual((await expiring()).filter((x) => x.startsWith('webhook')).sort(), [
        'webhook:long:1',
        'webhook:long:7',
        'webhook:short:1',
      ]);
      const audit = await s.store.audit.list(
        tenant.id,
        { action: 'personal_client.expiring', targetId: long.client.id },
        10,
      );
      assert.deepEqual(
        audit.map((e) => e.details.days),
        [1, 7],
      );
    } finally {
      await s.close();
    }
  });
}
