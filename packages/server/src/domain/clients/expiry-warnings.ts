import type { UnitOfWork } from '../ports.js';
import { recordAudit } from '../audit/record.js';

/** Days before expiry at which the owner (webhooks, email) is warned. */
export const EXPIRY_WARNING_DAYS = [7, 1] as const;

/**
 * Audits `personal_client.expiring` once per threshold per personal client; the audit trail turns it
 * into the `personal_client.expiring` webhook and the warning email. `now` comes from the clock.
 */
export async function warnExpiringClients(store: UnitOfWork, now: number): Promise<number> {
  return store.transaction(async (tx) => {
    const due = await tx.clients.takeExpiryWarnings(now, EXPIRY_WARNING_DAYS);
    for (const { client: c, days } of due) {
      await recordAudit(tx, {
        tenantId: c.tenantId,
        actorType: 'system',
        actorId: null,
        action: 'personal_client.expiring',
        targetType: 'oauth2_client',
        targetId: c.id,
        at: now,
        details: { name: c.name, ownerId: c.ownerUserId, days, expiresAt: new Date(c.expiresAt!).toISOString() },
      });
    }
    return due.length;
  });
}
