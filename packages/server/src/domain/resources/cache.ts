import type { Store } from '../../store/index.js';
import type { Resource } from './model.js';

/** Tenant resources (APIs and their scopes), cached because every token needs its audience. */
export class ResourceCache {
  private readonly entries = new Map<string, { resources: Resource[]; at: number }>();

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  async list(tenantId: string): Promise<Resource[]> {
    const hit = this.entries.get(tenantId);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.resources;
    const resources = await this.store.resources.list(tenantId);
    this.entries.set(tenantId, { resources, at: now });
    return resources;
  }

  /** Audiences of the resources that define any of the scopes. */
  async audiences(tenantId: string, scopes: readonly string[]): Promise<string[]> {
    const set = new Set(scopes);
    return (await this.list(tenantId)).filter((r) => r.scopes.some((s) => set.has(s))).map((r) => r.audience);
  }

  async allScopes(tenantId: string): Promise<string[]> {
    return [...new Set((await this.list(tenantId)).flatMap((r) => r.scopes))].sort();
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}
