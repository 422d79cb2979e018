import type { UnitOfWork } from '../ports.js';
import type { NewAuditEvent } from '../audit/model.js';
import { emailsAbout, webhookPayload, type EventContext, type WebhookEventType } from './events.js';

/** What announcing reads and writes: the subscriptions, the outbox, and the event's context (tenant, client, owner). */
export type AnnounceKinds = 'webhooks' | 'outbox' | 'outboxSettings' | 'tenants' | 'clients' | 'users';

/**
 * What an audited change announces (`type`, from webhookEventFor), queued in the change's own
 * transaction (the durable outbox): a message per subscribed endpoint, and one email when the event
 * is emailed and SMTP is set up. A rolled-back change is never announced, a committed one always is.
 */
export async function announce(
  tx: UnitOfWork<AnnounceKinds>,
  type: WebhookEventType,
  e: NewAuditEvent & { tenantId: string },
  at: number,
): Promise<void> {
  const endpoints = await tx.webhooks.subscribed(e.tenantId, type);
  const email = tx.outboxSettings.email && emailsAbout(type, e.details);
  if (endpoints.length === 0 && !email) return;
  const payload = JSON.stringify(webhookPayload(type, e, at, await eventContext(tx, e)));
  const message = { tenantId: e.tenantId, eventType: type, payload, at };
  await tx.outbox.enqueue([
    ...endpoints.map((ep) => ({ ...message, channel: 'webhook' as const, endpointId: ep.id })),
    ...(email ? [{ ...message, channel: 'email' as const, endpointId: null }] : []),
  ]);
}

/** The tenant's slug, and the target client as it is now (personal clients and apps). */
async function eventContext(
  tx: UnitOfWork<AnnounceKinds>,
  e: NewAuditEvent & { tenantId: string },
): Promise<EventContext> {
  const { tenantId } = e;
  const tenant = await tx.tenants.byId(tenantId);
  const out: EventContext = { tenant: tenant?.slug ?? tenantId };
  if ((e.targetType === 'oauth2_client' || e.targetType === 'app') && e.targetId) {
    const c = await tx.clients.byId(tenantId, e.targetId);
    if (c) {
      const owner = c.ownerUserId === null ? undefined : await tx.users.byId(tenantId, c.ownerUserId);
      out.client = {
        id: c.id,
        clientId: c.clientId,
        name: c.name,
        ownerId: c.ownerUserId,
        ownerEmail: owner?.email ?? null,
      };
    }
  }
  return out;
}
