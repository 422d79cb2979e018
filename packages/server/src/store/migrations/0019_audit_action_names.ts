import type { Kysely } from 'kysely';

// One name per event: the audit log used other names than the webhooks for the same events
// (oauth2_client.* for personal_client.*, app.secret_rotated for app.secret_regenerated,
// app.secret_reported_leaked for app.reported_leaked), and an application's expiry was named as a
// personal client's. Older events take the one name, so the log, its filters and the console speak
// of each event one way.
const RENAMED: Record<string, string> = {
  'oauth2_client.created': 'personal_client.created',
  'oauth2_client.expiring': 'personal_client.expiring',
  'oauth2_client.expired': 'personal_client.expired',
  'oauth2_client.revoked': 'personal_client.revoked',
  'oauth2_client.reported_leaked': 'personal_client.reported_leaked',
  'app.secret_rotated': 'app.secret_regenerated',
  'app.secret_reported_leaked': 'app.reported_leaked',
};

export async function up(db: Kysely<any>): Promise<void> {
  // An application's expiry was recorded under the personal clients' name too.
  await db
    .updateTable('audit_events')
    .set({ action: 'app.expired' })
    .where('action', '=', 'oauth2_client.expired')
    .where('target_type', '=', 'app')
    .execute();
  for (const [from, to] of Object.entries(RENAMED)) {
    await db.updateTable('audit_events').set({ action: to }).where('action', '=', from).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db
    .updateTable('audit_events')
    .set({ action: 'oauth2_client.expired' })
    .where('action', '=', 'app.expired')
    .execute();
  for (const [from, to] of Object.entries(RENAMED)) {
    await db.updateTable('audit_events').set({ action: from }).where('action', '=', to).execute();
  }
}
