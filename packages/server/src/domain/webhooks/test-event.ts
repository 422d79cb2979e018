import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import { conflictError, notFoundError } from '../errors.js';
import type { OutboxMessage } from './model.js';

/**
 * The event SEND TEST EVENT sends. Not among WEBHOOK_EVENTS: nobody subscribes to it, it goes to the
 * one endpoint asked for, and it announces nothing that happened (the audit log records the asking,
 * as `webhook.test_sent`).
 */
export const TEST_EVENT = 'webhook.test';

/**
 * Queues one `webhook.test` message for this endpoint in the outbox, like any event: the dispatcher
 * signs and delivers it, retries it, and the delivery log shows it. A disabled endpoint is refused:
 * the dispatcher delivers nothing to it, so the test would wait unseen until someone enabled it.
 */
export async function sendTestEvent(
  store: UnitOfWork<AuditKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
  now = Date.now(),
): Promise<OutboxMessage> {
  return store.transaction(async (tx) => {
    const endpoint = await tx.webhooks.byId(tenant.id, id);
    if (!endpoint) throw notFoundError(`webhook ${id} not found`);
    if (!endpoint.enabled)
      throw conflictError(
        `webhook ${id} is disabled and gets no deliveries: enable it, then send the test event again`,
      );
    const payload = JSON.stringify({
      type: TEST_EVENT,
      timestamp: new Date(now).toISOString(),
      data: {
        tenant: tenant.slug,
        targetType: 'webhook',
        targetId: id,
        actor: { type: actor.type, id: actor.id },
        message: 'A test event sent from Latchkey: this endpoint receives and verifies signed deliveries.',
      },
    });
    const [messageId] = await tx.outbox.enqueue([
      { tenantId: tenant.id, channel: 'webhook', endpointId: id, eventType: TEST_EVENT, payload, at: now },
    ]);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'webhook.test_sent',
      targetType: 'webhook',
      targetId: id,
      details: { messageId },
      at: now,
    });
    return {
      id: messageId!,
      tenantId: tenant.id,
      channel: 'webhook',
      endpointId: id,
      eventType: TEST_EVENT,
      payload,
      state: 'pending',
      attempts: 0,
      createdAt: now,
      nextAttemptAt: now,
      firstAttemptAt: null,
      finishedAt: null,
    };
  });
}
