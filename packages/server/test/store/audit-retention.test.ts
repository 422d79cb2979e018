// Audit retention: each tenant keeps its audit log for `auditRetentionDays` (default 400, 30-3650),
// and the maintenance of every process deletes older events in bounded batches, safely side by side.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, anotherProcessStore, ADMIN_EMAIL, type TestServer } from '../helpers/harness.js';
import { as, bearer, problem } from '../helpers/api-client.js';
import { provisionTenant } from '../../src/domain/tenants/provision.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { startMaintenance } from '../../src/maintenance.js';
import { sweepAudit } from '../../src/domain/audit/retention.js';

const DAY = 86_400_000;

for (const backend of await backends()) {
  describe(`audit retention (${backend})`, () => {
    let s: TestServer;
    let demoId: string;
    let otherId: string;
    const settings = async (method: 'GET' | 'PATCH', body?: unknown) =>
      as(s, { bearer: await bearer(s, 'demo', (await s.store.users.byEmail(demoId, ADMIN_EMAIL))!.id) }).request(
        method,
        '/t/demo/api/v1/settings',
        body,
      );
    /** Rows of a marker action, `days` old each. */
    const age = async (tenantId: string | null, days: number[], action = 'test.aged') => {
      const now = Date.now();
      for (let i = 0; i < days.length; i += 500) {
        await s.store.db
          .insertInto('audit_events')
          .values(
            days.slice(i, i + 500).map((d) => ({
              tenant_id: tenantId,
              at: now - d * DAY,
              actor_type: 'system',
              actor_id: null,
              actor_client_id: null,
              action,
              target_type: null,
              target_id: null,
              details: JSON.stringify({ days: d }),
            })),
          )
          .execute();
      }
    };
    const ages = async (tenantId: string | null, action = 'test.aged') => {
      let q = s.store.db.selectFrom('audit_events').select('details').where('action', '=', action);
      q = tenantId === null ? q.where('tenant_id', 'is', null) : q.where('tenant_id', '=', tenantId);
      return (await q.execute()).map((r) => JSON.parse(r.details).days as number).sort((a, b) => a - b);
    };

    before(async () => {
      s = await createTestServer(backend);
      demoId = (await s.store.tenants.bySlug('demo'))!.id;
      otherId = (await provisionTenant(s.store, { slug: 'other', name: 'Other' }, undefined, SYSTEM)).tenant.id;
    });
    after(async () => {
      await s.close();
    });

    test('auditRetentionDays is a setting: 400 days by default, from 30 to 3650, audited when changed', async () => {
      assert.equal((await settings('GET')).json().auditRetentionDays, 400);
      problem(await settings('PATCH', { auditRetentionDays: 29 }), 400, /auditRetentionDays/);
      problem(await settings('PATCH', { auditRetentionDays: 3651 }), 400, /auditRetentionDays/);
      problem(await settings('PATCH', { auditRetentionDays: 45.5 }), 400, /auditRetentionDays/);
      assert.equal((await s.store.tenants.byId(demoId))!.auditRetentionDays, 400, 'a refused change changes nothing');
      const res = await settings('PATCH', { auditRetentionDays: 30 });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().auditRetentionDays, 30);
      assert.equal((await s.store.tenants.byId(demoId))!.auditRetentionDays, 30);
      const [event] = await s.store.audit.list(demoId, { action: 'settings.updated' }, 1);
      assert.deepEqual(event!.details, { changed: { auditRetentionDays: { from: 400, to: 30 } } });
      const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const field =
        doc.paths['/t/{tenant}/api/v1/settings'].patch.requestBody.content['application/json'].schema.properties
          .auditRetentionDays;
      assert.deepEqual([field.minimum, field.maximum], [30, 3650]);
    });

    test("the maintenance of a running process deletes each tenant's events older than its retention, and nothing else", async () => {
      await age(demoId, [10, 29, 31, 100, 500]);
      await age(otherId, [10, 399, 401, 1000]);
      await age(null, [10, 401]);
      const stop = startMaintenance(s.services, 50);
      try {
        const deadline = Date.now() + 10_000;
        while ((await ages(otherId)).length > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await stop();
      }
      assert.deepEqual(await ages(demoId), [10, 29], 'demo keeps 30 days');
      assert.deepEqual(await ages(otherId), [10, 399], 'other keeps the default 400 days');
      assert.deepEqual(await ages(null), [10], 'events of no tenant keep the default 400 days');
      assert.ok((await s.store.audit.list(demoId, { action: 'settings.updated' }, 5)).length > 0, 'recent events stay');
    });

    test('a sweep deletes in bounded batches, picks up where it stopped, and is idempotent', async () => {
      await age(demoId, Array(2500).fill(40), 'test.bulk');
      const now = Date.now();
      assert.equal(await sweepAudit(s.store, now, { batch: 1000, maxBatches: 2 }), 2000);
      assert.equal((await ages(demoId, 'test.bulk')).length, 500);
      assert.equal(await sweepAudit(s.store, now, { batch: 1000, maxBatches: 2 }), 500);
      assert.equal(await sweepAudit(s.store, now, { batch: 1000, maxBatches: 2 }), 0);
      assert.deepEqual(await ages(demoId, 'test.bulk'), []);
    });

    test('sweeps running side by side (two processes on PostgreSQL) delete each row once and fail nowhere', async () => {
      await age(demoId, Array(3000).fill(60), 'test.side');
      await age(demoId, [5], 'test.side');
      const other = backend === 'postgres' ? anotherProcessStore(s.databaseUrl!) : undefined;
      try {
        const now = Date.now();
        const counts = await Promise.all([
          sweepAudit(s.store, now, { batch: 500, maxBatches: 10 }),
          sweepAudit(other?.store ?? s.store, now, { batch: 500, maxBatches: 10 }),
        ]);
        assert.equal(counts[0]! + counts[1]!, 3000, `deleted ${counts.join(' + ')}`);
        assert.deepEqual(await ages(demoId, 'test.side'), [5]);
      } finally {
        await other?.close();
      }
    });
  });
}
