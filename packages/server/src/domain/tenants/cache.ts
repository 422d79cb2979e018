import type { Store } from '../../store/index.js';
import type { Tenant } from './model.js';
import { TtlCache } from '../../lib/ttl-cache.js';

/** Tenants are read on every request, so they are cached by slug (see TtlCache). */
export class TenantCache {
  private readonly cache: TtlCache<Tenant | undefined>;

  constructor(store: Store, ttlMs = 2000) {
    this.cache = new TtlCache((slug) => store.tenants.bySlug(slug), ttlMs);
  }

  get(slug: string): Promise<Tenant | undefined> {
    return this.cache.get(slug);
  }

  invalidate(slug?: string): void {
    if (slug === undefined) this.cache.clear();
    else this.cache.delete(slug);
  }
}
