import type { Store } from '../../store/index.js';
import type { Tenant } from './model.js';

/**
 * Tenants are read on every request, so they are cached by slug. Local writes invalidate at once;
 * other processes see a change within `ttlMs`.
 */
export class TenantCache {
  private readonly bySlug = new Map<string, { tenant: Tenant | undefined; at: number }>();

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  async get(slug: string): Promise<Tenant | undefined> {
    const hit = this.bySlug.get(slug);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.tenant;
    const tenant = await this.store.tenants.bySlug(slug);
    this.bySlug.set(slug, { tenant, at: now });
    return tenant;
  }

  invalidate(slug?: string): void {
    if (slug === undefined) this.bySlug.clear();
    else this.bySlug.delete(slug);
  }
}
