import type { UnitOfWork } from '../ports.js';
import type { PageQuery, Page } from '../paging.js';
import type { ClientWithOwner, StaleCutoffs, StaleSort } from './ports.js';
import { invalid } from '../errors.js';
import type { Tenant } from '../tenants/model.js';

const DAY_MS = 86_400_000;

export type StaleReason = 'never_used' | 'unused' | 'expiring';

/** What a manager asks for: any combination; a credential is stale when it meets any of them. */
export interface StaleQuery {
  kind?: 'personal' | 'app';
  neverUsed?: boolean;
  unusedDays?: number;
  expiringWithinDays?: number;
}

export function staleCutoffs(q: StaleQuery, now = Date.now()): StaleCutoffs {
  if (!q.neverUsed && q.unusedDays === undefined && q.expiringWithinDays === undefined) {
    throw invalid('say what makes a credential stale: neverUsed=true, unusedDays=N and/or expiringWithinDays=N');
  }
  return {
    now,
    kind: q.kind,
    neverUsed: q.neverUsed || undefined,
    unusedBefore: q.unusedDays === undefined ? undefined : now - q.unusedDays * DAY_MS,
    expiringBefore: q.expiringWithinDays === undefined ? undefined : now + q.expiringWithinDays * DAY_MS,
  };
}

/** Which of the asked conditions a credential meets: the same rule the store query filters by. */
export function staleReasons(c: ClientWithOwner, f: StaleCutoffs): StaleReason[] {
  const out: StaleReason[] = [];
  if (f.neverUsed && c.lastUsedAt === null) out.push('never_used');
  if (f.unusedBefore !== undefined && (c.lastUsedAt ?? c.createdAt) < f.unusedBefore) out.push('unused');
  if (f.expiringBefore !== undefined && c.expiresAt !== null && c.expiresAt > f.now && c.expiresAt <= f.expiringBefore)
    out.push('expiring');
  return out;
}

/** Personal clients and applications (not revoked) that are never used, unused for a while, or about to expire. */
export async function staleCredentials(
  store: UnitOfWork<'clients'>,
  tenantId: string,
  q: StaleQuery,
  page: PageQuery<StaleSort>,
  now = Date.now(),
): Promise<{ page: Page<ClientWithOwner>; reasons: (c: ClientWithOwner) => StaleReason[] }> {
  const cutoffs = staleCutoffs(q, now);
  return { page: await store.clients.stale(tenantId, cutoffs, page), reasons: (c) => staleReasons(c, cutoffs) };
}

/** Credentials worth a manager's look: never used, unused for a while, or about to expire. */
export class StaleCredentialService {
  constructor(private readonly store: UnitOfWork<'clients'>) {}

  list(
    tenant: Tenant,
    q: StaleQuery,
    page: PageQuery<StaleSort>,
  ): Promise<{ page: Page<ClientWithOwner>; reasons: (c: ClientWithOwner) => StaleReason[] }> {
    return staleCredentials(this.store, tenant.id, q, page);
  }
}
