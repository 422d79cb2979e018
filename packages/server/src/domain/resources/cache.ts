import type { UnitOfWork } from '../ports.js';
import type { Resource } from './model.js';
import { TtlCache, type ReadThroughStats } from '../../lib/ttl-cache.js';
import type { Announcement } from '../changes.js';

/** Tenant resources (APIs and their scopes), cached because every token needs its audience. */
export class ResourceCache {
  private readonly cache: TtlCache<Resource[]>;

  constructor(store: UnitOfWork, ttlMs = 2000) {
    this.cache = new TtlCache((tenantId) => store.resources.list(tenantId), ttlMs, 10_000, 32 * 1024 * 1024);
  }

  list(tenantId: string): Promise<Resource[]> {
    return this.cache.get(tenantId);
  }

  /** Audiences of the resources that define any of the scopes. */
  async audiences(tenantId: string, scopes: readonly string[]): Promise<string[]> {
    const set = new Set(scopes);
    return (await this.list(tenantId)).filter((r) => r.scopes.some((s) => set.has(s))).map((r) => r.audience);
  }

  async allScopes(tenantId: string): Promise<string[]> {
    return [...new Set((await this.list(tenantId)).flatMap((r) => r.scopes))].sort();
  }

  onChange(change: Announcement): void {
    if (change.type === 'resource.changed') this.cache.delete(change.tenantId);
    else if (change.type === 'changes.missed') this.cache.clear();
  }

  stats(): ReadThroughStats {
    return this.cache.stats();
  }
}
