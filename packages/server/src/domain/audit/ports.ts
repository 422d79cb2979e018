import type { AuditEvent, NewAuditEvent } from './model.js';

export interface AuditFilter {
  action?: string;
  actorId?: string;
  targetId?: string;
  from?: number;
  to?: number;
}

export interface AuditRecords {
  /** Stores one event as given; record.ts is what records events (and their announcements). */
  insert(e: NewAuditEvent & { at: number }): Promise<void>;
  /** Deletes up to `limit` events older than their tenant's retention (`orphanDays` for events of no tenant); answers how many. */
  deleteExpired(now: number, limit: number, orphanDays: number): Promise<number>;
  /** Newest first; the cursor is the last id seen. */
  list(tenantId: string, f: AuditFilter, limit: number, beforeId?: number): Promise<AuditEvent[]>;
}
