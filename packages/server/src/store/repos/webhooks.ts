import type { Selectable } from 'kysely';
import type { WebhookRecords } from '../../domain/webhooks/ports.js';
import type { Db } from '../db.js';
import type { WebhookEndpointsTable } from '../schema.js';
import type { WebhookEndpoint } from '../../domain/webhooks/model.js';

const toEndpoint = (r: Selectable<WebhookEndpointsTable>): WebhookEndpoint => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  events: JSON.parse(r.events),
  enabled: r.enabled === 1,
  secretSealed: r.secret_sealed,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A tenant's webhook endpoints. */
export class WebhookRepo implements WebhookRecords {
  constructor(private readonly db: Db) {}

  async insert(e: WebhookEndpoint): Promise<void> {
    await this.db
      .insertInto('webhook_endpoints')
      .values({
        id: e.id,
        tenant_id: e.tenantId,
        url: e.url,
        description: e.description,
        events: JSON.stringify(e.events),
        enabled: e.enabled ? 1 : 0,
        secret_sealed: e.secretSealed,
        created_at: e.createdAt,
        updated_at: e.updatedAt,
      })
      .execute();
  }

  async byId(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const r = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toEndpoint(r);
  }

  /** Oldest first; the cursor is the last id seen (ids are time-ordered). */
  async list(tenantId: string, limit: number, afterId?: string): Promise<WebhookEndpoint[]> {
    let q = this.db.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return (await q.orderBy('id').limit(limit).execute()).map(toEndpoint);
  }

  /** Enabled endpoints of the tenant subscribed to the event type. */
  async subscribed(tenantId: string, type: string): Promise<WebhookEndpoint[]> {
    const rows = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', 1)
      .execute();
    return rows.map(toEndpoint).filter((e) => e.events.includes(type));
  }

  async update(
    tenantId: string,
    id: string,
    patch: { url?: string; description?: string; events?: string[]; enabled?: boolean; secretSealed?: string },
    now: number,
  ): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({
        updated_at: now,
        ...(patch.url !== undefined ? { url: patch.url } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        ...(patch.secretSealed !== undefined ? { secret_sealed: patch.secretSealed } : {}),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** The endpoint and its messages (pending ones are dropped with it). */
  async delete(tenantId: string, id: string): Promise<void> {
    const ids = this.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', '=', id);
    await this.db.deleteFrom('outbox_attempts').where('message_id', 'in', ids).execute();
    await this.db
      .deleteFrom('outbox_messages')
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', '=', id)
      .execute();
    await this.db.deleteFrom('webhook_endpoints').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  }

  /**
   * Takes (or renews) the endpoint's lease unless another process holds a live one: the one attempt
   * in flight for this endpoint, across every process (a compare-and-set, the same on both back ends).
   */
  async lease(id: string, owner: string, now: number, until: number): Promise<boolean> {
    const r = await this.db
      .updateTable('webhook_endpoints')
      .set({ lease_owner: owner, lease_until: until })
      .where('id', '=', id)
      .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now), w('lease_owner', '=', owner)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('webhook_endpoints')
      .set({ lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }
}
