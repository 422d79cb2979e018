import type { UnitOfWork } from '../ports.js';
import { recordAudit } from '../audit/record.js';

/**
 * Records each client's expiry in the audit log once. Expired clients are already refused by the
 * token endpoint on every request (the check compares expiresAt with now), so this only informs.
 */
export async function noteExpiredClients(store: UnitOfWork, now = Date.now()): Promise<number> {
  return store.transaction(async (tx) => {
    const expired = await tx.clients.takeNewlyExpired(now);
    for (const c of expired) {
      await recordAudit(tx, {
        tenantId: c.tenantId,
        actorType: 'system',
        actorId: null,
        action: c.kind === 'app' ? 'app.expired' : 'personal_client.expired',
        targetType: c.kind === 'app' ? 'app' : 'oauth2_client',
        targetId: c.id,
        at: c.expiresAt ?? now,
        details: { name: c.name, ownerId: c.ownerUserId },
      });
    }
    return expired.length;
  });
}
