import type { Tenant, TenantSettings } from './model.js';

export interface TenantRecords {
  insert(t: Tenant): Promise<void>;
  bySlug(slug: string): Promise<Tenant | undefined>;
  byId(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
  count(): Promise<number>;
  update(id: string, patch: Partial<TenantSettings> & { enterpriseEnabled?: boolean; name?: string }): Promise<void>;
}

/** A host name that serves a tenant at its root, with the tenant's slug. */
export interface TenantHost {
  host: string;
  tenantId: string;
  slug: string;
}

/** The host names assigned to tenants (unique: a host belongs to one tenant). */
export interface TenantHostRecords {
  /** Every assigned host, with its tenant's slug: what each process routes by. */
  all(): Promise<TenantHost[]>;
  /** The tenant's hosts, sorted. */
  forTenant(tenantId: string): Promise<string[]>;
  /** Which tenant holds `host`, if any. */
  holder(host: string): Promise<TenantHost | undefined>;
  /** Makes `hosts` the tenant's whole list. */
  replace(tenantId: string, hosts: readonly string[], now: number): Promise<void>;
}
