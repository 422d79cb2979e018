import type { Tenant, TenantSettings } from './model.js';

export interface TenantRecords {
  insert(t: Tenant): Promise<void>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  byId(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  count(): Promise<number>;
  update(id: string, patch: Partial<TenantSettings> & { enterpriseEnabled?: boolean; name?: string }): Promise<void>;
}
