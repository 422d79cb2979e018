import type { UnitOfWork } from '../ports.js';
import type { Announcement } from '../changes.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import type { FederationPolicy } from './model.js';

/**
 * Each tenant's federation policies, read by every exchange at the token endpoint. Every write
 * announces `federation.changed` (to every process on PostgreSQL), which drops the tenant's entry:
 * a deleted policy stops working everywhere at once; the TTL is the backstop for a lost announcement.
 */
export class FederationPolicyCache {
  private readonly cache: TtlCache<FederationPolicy[]>;

  constructor(store: UnitOfWork<'federationPolicies'>, ttlMs = 2000) {
    this.cache = new TtlCache((tenantId) => store.federationPolicies.all(tenantId), ttlMs, 10_000, 32 * 1024 * 1024);
  }

  /** The tenant's policies that trust tokens of `issuer`. */
  async forIssuer(tenantId: string, issuer: string): Promise<FederationPolicy[]> {
    return (await this.cache.get(tenantId)).filter((p) => p.issuer === issuer);
  }

  onChange(change: Announcement): void {
    if (change.type === 'federation.changed') this.cache.delete(change.tenantId);
    else if (change.type === 'changes.missed') this.cache.clear();
  }
}
