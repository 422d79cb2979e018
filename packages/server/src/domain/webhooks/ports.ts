import type { OutboxAttempt, OutboxChannel, OutboxMessage, OutboxState, WebhookEndpoint } from './model.js';

export interface WebhookRecords {
  insert(e: WebhookEndpoint): Promise<void>;
  byId(tenantId: string, id: string): Promise<WebhookEndpoint | undefined>;
  list(tenantId: string, limit: number, afterId?: string): Promise<WebhookEndpoint[]>;
  subscribed(tenantId: string, type: string): Promise<WebhookEndpoint[]>;
  update(
    tenantId: string,
    id: string,
    patch: { url?: string; description?: string; events?: string[]; enabled?: boolean; secretSealed?: string },
    now: number,
  ): Promise<void>;
  delete(tenantId: string, id: string): Promise<void>;
}

/** Messages waiting to be delivered (webhooks, emails): queued in the transaction that decided them. */
export interface OutboxRecords {
  enqueue(
    messages: Array<{
      tenantId: string;
      channel: OutboxChannel;
      endpointId: string | null;
      eventType: string;
      payload: string;
      at: number;
    }>,
  ): Promise<string[]>;
  listForEndpoint(
    tenantId: string,
    endpointId: string,
    f: { state?: OutboxState },
    limit: number,
    beforeId?: string,
  ): Promise<Array<OutboxMessage & { log: OutboxAttempt[] }>>;
  /** The newest message of each of these endpoints (none for an endpoint that never got one), with its last attempt. */
  latestForEndpoints(
    tenantId: string,
    endpointIds: string[],
  ): Promise<Array<OutboxMessage & { lastAttempt: OutboxAttempt | null }>>;
}

/** What the audit trail announces besides webhooks (set once at startup). */
export interface OutboxSettings {
  email: boolean;
}
