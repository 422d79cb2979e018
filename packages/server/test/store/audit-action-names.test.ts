import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely';
import { backends, createScratchDatabase } from '../helpers/harness.js';
import { openStore } from '../../src/store/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { AUDIT_ACTIONS } from '../../src/domain/audit/actions.js';
import { WEBHOOK_EVENTS } from '../../src/domain/webhooks/events.js';

test('one name per event: every webhook event is an audit action of the same name', () => {
  for (const e of WEBHOOK_EVENTS) assert.ok((AUDIT_ACTIONS as readonly string[]).includes(e), e);
  assert.equal(new Set(AUDIT_ACTIONS).size, AUDIT_ACTIONS.length, 'no action named twice');
});

for (const backend of await backends()) {
  test(`events recorded under an older name take the one name (${backend})`, async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lk-audit-names-'));
    const scratch = backend === 'postgres' ? await createScratchDatabase() : undefined;
    const handle = openStore({ databaseUrl: scratch?.url, dataDir });
    t.after(async () => {
      await handle.close();
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
    assert.equal((await migrator.migrateTo('0018_audit_retention')).error, undefined);
    const old = [
      ['oauth2_client.created', 'oauth2_client'],
      ['oauth2_client.revoked', 'oauth2_client'],
      ['oauth2_client.expired', 'oauth2_client'],
      ['oauth2_client.expired', 'app'],
      ['app.secret_rotated', 'app'],
      ['app.secret_reported_leaked', 'app'],
      ['user.invited', 'user'],
    ];
    await handle.db
      .insertInto('audit_events')
      .values(
        old.map(([action, targetType], i) => ({
          tenant_id: null,
          at: i,
          actor_type: 'system',
          actor_id: null,
          action,
          target_type: targetType,
          target_id: null,
          details: '{}',
        })),
      )
      .execute();
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const actions = (await handle.db.selectFrom('audit_events').select('action').orderBy('at').execute()).map(
      (r) => r.action,
    );
    assert.deepEqual(actions, [
      'personal_client.created',
      'personal_client.revoked',
      'personal_client.expired',
      'app.expired',
      'app.secret_regenerated',
      'app.reported_leaked',
      'user.invited',
    ]);
  });
}
