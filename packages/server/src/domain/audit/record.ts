import type { UnitOfWork } from '../ports.js';
import type { NewAuditEvent } from './model.js';
import { webhookEventFor } from '../webhooks/events.js';
import { announce, type AnnounceKinds } from '../webhooks/announce.js';

/** The records auditing touches: a use-case that audits names these among its own (`UnitOfWork<'roles' | AuditKinds>`). */
export type AuditKinds = 'audit' | AnnounceKinds;

/**
 * The one way to audit: records the event and, in the same transaction, queues what it announces
 * (webhooks, emails). Called inside the use-case's transaction; an event that announces something
 * and is recorded on its own gets a transaction of its own, so the two are never apart.
 */
export async function recordAudit(store: UnitOfWork<AuditKinds>, e: NewAuditEvent): Promise<void> {
  const at = e.at ?? Date.now();
  const type = webhookEventFor(e);
  if (!type || e.tenantId === null) {
    await store.audit.insert({ ...e, at });
    return;
  }
  const { tenantId } = e;
  await store.transaction(async (tx) => {
    await tx.audit.insert({ ...e, at });
    await announce(tx, type, { ...e, tenantId }, at);
  });
}
