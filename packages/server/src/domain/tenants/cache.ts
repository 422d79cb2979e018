import type { UnitOfWork } from '../ports.js';
import type { Tenant } from './model.js';
import { TtlCache, type ReadThroughStats } from '../../lib/ttl-cache.js';
import type { Announcement } from '../changes.js';
import { SLUG_PATTERN } from './service.js';

/**
 * Tenants are read on every request, so they are cached by slug (see TtlCache). A string that is not
 * a valid slug names no tenant: answered without a lookup, and not cached.
 */
export class TenantCache {
  private readonly cache: TtlCache<Tenant | undefined>;

  constructor(store: UnitOfWork, ttlMs = 2000) {
    this.cache = new TtlCache((slug) => store.tenants.bySlug(slug), ttlMs, 10_000, 16 * 1024 * 1024);
  }

  get(slug: string): Promise<Tenant | undefined> {
    if (!SLUG_PATTERN.test(slug)) return Promise.resolve(undefined);
    return this.cache.get(slug);
  }

  /** A fresh cached answer for `slug` without waiting (TtlCache.peek); undefined when `get` must load it. */
  peek(slug: string): { value: Tenant | undefined } | undefined {
    return this.cache.peek(slug);
  }

  onChange(change: Announcement): void {
    if (change.type === 'tenant.changed') this.cache.delete(change.slug);
    else if (change.type === 'changes.missed') this.cache.clear();
  }

  stats(): ReadThroughStats {
    return this.cache.stats();
  }
}
