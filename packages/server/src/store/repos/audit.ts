import { sql, type Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { AuditEventsTable } from '../schema.js';
import type { AuditEvent, NewAuditEvent } from '../../domain/audit/model.js';
import type { AuditFilter, AuditRecords } from '../../domain/audit/ports.js';

const toEvent = (r: Selectable<AuditEventsTable>): AuditEvent => ({
  id: Number(r.id),
  tenantId: r.tenant_id,
  at: r.at,
  actorType: r.actor_type as AuditEvent['actorType'],
  actorId: r.actor_id,
  actorClientId: r.actor_client_id ?? null,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  details: JSON.parse(r.details),
});

export class AuditRepo implements AuditRecords {
  constructor(private readonly db: Db) {}

  /** Stores one event as given; domain/audit/record.ts is what records events (and their announcements). */
  async insert(e: NewAuditEvent & { at: number }): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({
        tenant_id: e.tenantId,
        at: e.at,
        actor_type: e.actorType,
        actor_id: e.actorId,
        actor_client_id: e.actorClientId ?? null,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        details: JSON.stringify(e.details ?? {}),
      })
      .execute();
  }

  /**
   * Deletes up to `limit` events older than their tenant's retention (`orphanDays` for events of no
   * tenant); answers how many. One statement each, by id: another process deleting the same rows at
   * the same time only makes this one delete fewer.
   */
  async deleteExpired(now: number, limit: number, orphanDays: number): Promise<number> {
    const day = 86_400_000;
    const ofTenants = this.db
      .selectFrom('audit_events as a')
      .innerJoin('tenants as t', 't.id', 'a.tenant_id')
      .select('a.id')
      .where('a.at', '<', sql<number>`cast(${now} as bigint) - t.audit_retention_days * cast(${day} as bigint)`)
      .limit(limit);
    const deleted = Number(
      (await this.db.deleteFrom('audit_events').where('id', 'in', ofTenants).executeTakeFirst()).numDeletedRows,
    );
    if (deleted >= limit) return deleted;
    const orphans = this.db
      .selectFrom('audit_events')
      .select('id')
      .where('tenant_id', 'is', null)
      .where('at', '<', now - orphanDays * day)
      .limit(limit - deleted);
    return (
      deleted +
      Number((await this.db.deleteFrom('audit_events').where('id', 'in', orphans).executeTakeFirst()).numDeletedRows)
    );
  }

  /** Newest first; the cursor is the last id seen. */
  async list(tenantId: string, f: AuditFilter, limit: number, beforeId?: number): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenantId);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.actorId) q = q.where('actor_id', '=', f.actorId);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<', f.to);
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEvent);
  }
}
