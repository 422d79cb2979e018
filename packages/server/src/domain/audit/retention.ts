import type { UnitOfWork } from '../ports.js';
import { DEFAULT_SETTINGS } from '../tenants/model.js';

export interface SweepLimits {
  /** Events deleted per statement. */
  batch: number;
  /** Statements per sweep: a round of maintenance stays short; the next round carries on. */
  maxBatches: number;
}

const LIMITS: SweepLimits = { batch: 1000, maxBatches: 20 };

/**
 * Deletes audit events older than their tenant's `auditRetentionDays` (events of no tenant keep the
 * default), in bounded batches; answers how many. Every process runs it in its maintenance: deletes
 * are idempotent, and a batch another process emptied first ends this sweep (that process carries on).
 */
export async function sweepAudit(store: UnitOfWork, now: number, limits: SweepLimits = LIMITS): Promise<number> {
  let total = 0;
  for (let i = 0; i < limits.maxBatches; i++) {
    const deleted = await store.audit.deleteExpired(now, limits.batch, DEFAULT_SETTINGS.auditRetentionDays);
    total += deleted;
    if (deleted === 0) break;
  }
  return total;
}
