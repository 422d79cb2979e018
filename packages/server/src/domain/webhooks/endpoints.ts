import type { UnitOfWork } from '../ports.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { Tenant } from '../tenants/model.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { invalid, notFoundError } from '../errors.js';
import { orderedUuid } from '../../lib/ordered-id.js';
import { WEBHOOK_EVENTS } from './events.js';
import { newWebhookSecret } from './signature.js';
import { checkWebhookUrl } from './url.js';
import { secretAad, type OutboxAttempt, type OutboxMessage, type OutboxState, type WebhookEndpoint } from './model.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import { sendTestEvent } from './test-event.js';

export const MAX_ENDPOINTS_PER_TENANT = 20;

export interface NewEndpoint {
  url: string;
  events: string[];
  description?: string;
  enabled?: boolean;
}

function checkEvents(events: string[]): string[] {
  const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length) throw invalid(`unknown events: ${unknown.join(', ')} (known: ${WEBHOOK_EVENTS.join(', ')})`);
  if (events.length === 0) throw invalid('events must name at least one event');
  return [...new Set(events)].sort();
}

/** Creates an endpoint; its signing secret is returned here once and stored sealed. */
export async function createEndpoint(
  store: UnitOfWork<AuditKinds>,
  sealer: Sealer,
  tenant: Tenant,
  input: NewEndpoint,
  actor: Actor,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkWebhookUrl(input.url);
  const events = checkEvents(input.events);
  const now = Date.now();
  const id = `wh_${orderedUuid(now).replaceAll('-', '')}`;
  const secret = newWebhookSecret();
  const endpoint: WebhookEndpoint = {
    id,
    tenantId: tenant.id,
    url,
    description: input.description ?? '',
    events,
    enabled: input.enabled ?? true,
    secretSealed: sealer.seal(secret, secretAad(id)),
    createdAt: now,
    updatedAt: now,
  };
  await store.transaction(async (tx) => {
    if ((await tx.webhooks.list(tenant.id, MAX_ENDPOINTS_PER_TENANT)).length >= MAX_ENDPOINTS_PER_TENANT) {
      throw invalid(`a domain has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
    }
    await tx.webhooks.insert(endpoint);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'webhook.created',
      targetType: 'webhook',
      targetId: id,
      details: { url, events, enabled: endpoint.enabled },
    });
  });
  return { endpoint, secret };
}

export async function getEndpoint(store: UnitOfWork<'webhooks'>, tenant: Tenant, id: string): Promise<WebhookEndpoint> {
  const e = await store.webhooks.byId(tenant.id, id);
  if (!e) throw notFoundError(`webhook ${id} not found`);
  return e;
}

export async function updateEndpoint(
  store: UnitOfWork<AuditKinds>,
  tenant: Tenant,
  id: string,
  patch: Partial<NewEndpoint>,
  actor: Actor,
): Promise<WebhookEndpoint> {
  const url = patch.url === undefined ? undefined : checkWebhookUrl(patch.url);
  const events = patch.events === undefined ? undefined : checkEvents(patch.events);
  return store.transaction(async (tx) => {
    await getEndpoint(tx, tenant, id);
    await tx.webhooks.update(
      tenant.id,
      id,
      { url, events, description: patch.description, enabled: patch.enabled },
      Date.now(),
    );
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'webhook.updated',
      targetType: 'webhook',
      targetId: id,
      details: {
        fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined),
        ...(url ? { url } : {}),
      },
    });
    return getEndpoint(tx, tenant, id);
  });
}

/** A new secret, shown once; the old one stops signing at once (messages still pending are signed with the new one). */
export async function rotateEndpointSecret(
  store: UnitOfWork<AuditKinds>,
  sealer: Sealer,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  const endpoint = await store.transaction(async (tx) => {
    await getEndpoint(tx, tenant, id);
    await tx.webhooks.update(tenant.id, id, { secretSealed: sealer.seal(secret, secretAad(id)) }, Date.now());
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'webhook.secret_rotated',
      targetType: 'webhook',
      targetId: id,
      details: {},
    });
    return getEndpoint(tx, tenant, id);
  });
  return { endpoint, secret };
}

/** Deletes the endpoint with its delivery log; what was still pending is never sent. */
export async function deleteEndpoint(
  store: UnitOfWork<AuditKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<void> {
  await store.transaction(async (tx) => {
    const e = await getEndpoint(tx, tenant, id);
    await tx.webhooks.delete(tenant.id, id);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'webhook.deleted',
      targetType: 'webhook',
      targetId: id,
      details: { url: e.url },
    });
  });
}

/** Webhook endpoints and their delivery logs, for domain managers. */
export class WebhookService {
  constructor(
    private readonly store: UnitOfWork<AuditKinds>,
    private readonly sealer: Sealer,
  ) {}

  /** The tenant's endpoints, oldest first, after the endpoint `afterId`. */
  list(tenant: Tenant, limit: number, afterId?: string): Promise<WebhookEndpoint[]> {
    return this.store.webhooks.list(tenant.id, limit, afterId);
  }

  get(tenant: Tenant, id: string): Promise<WebhookEndpoint> {
    return getEndpoint(this.store, tenant, id);
  }

  create(tenant: Tenant, input: NewEndpoint, actor: Actor): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return createEndpoint(this.store, this.sealer, tenant, input, actor);
  }

  update(tenant: Tenant, id: string, patch: Partial<NewEndpoint>, actor: Actor): Promise<WebhookEndpoint> {
    return updateEndpoint(this.store, tenant, id, patch, actor);
  }

  rotateSecret(tenant: Tenant, id: string, actor: Actor): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return rotateEndpointSecret(this.store, this.sealer, tenant, id, actor);
  }

  delete(tenant: Tenant, id: string, actor: Actor): Promise<void> {
    return deleteEndpoint(this.store, tenant, id, actor);
  }

  /** Queues a `webhook.test` message for this (enabled) endpoint, delivered like any other. */
  sendTest(tenant: Tenant, id: string, actor: Actor): Promise<OutboxMessage> {
    return sendTestEvent(this.store, tenant, id, actor);
  }

  /** The newest message of each of these endpoints, with its last attempt (for the endpoints' list). */
  latestDeliveries(
    tenant: Tenant,
    endpointIds: string[],
  ): Promise<Array<OutboxMessage & { lastAttempt: OutboxAttempt | null }>> {
    return this.store.outbox.latestForEndpoints(tenant.id, endpointIds);
  }

  /** The delivery log of an endpoint (the caller has checked that it exists), newest message first, before `beforeId`. */
  deliveries(
    tenant: Tenant,
    endpointId: string,
    filter: { state?: OutboxState },
    limit: number,
    beforeId?: string,
  ): Promise<Array<OutboxMessage & { log: OutboxAttempt[] }>> {
    return this.store.outbox.listForEndpoint(tenant.id, endpointId, filter, limit, beforeId);
  }
}
