import type { TenantHost, TenantHostRecords } from '../../domain/tenants/ports.js';
import type { Db } from '../db.js';

export class TenantHostRepo implements TenantHostRecords {
  constructor(private readonly db: Db) {}

  private joined() {
    return this.db
      .selectFrom('tenant_hosts')
      .innerJoin('tenants', 'tenants.id', 'tenant_hosts.tenant_id')
      .select(['tenant_hosts.host as host', 'tenant_hosts.tenant_id as tenantId', 'tenants.slug as slug']);
  }

  all(): Promise<TenantHost[]> {
    return this.joined().orderBy('tenant_hosts.host').execute();
  }

  async forTenant(tenantId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('tenant_hosts')
      .select('host')
      .where('tenant_id', '=', tenantId)
      .orderBy('host')
      .execute();
    return rows.map((r) => r.host);
  }

  holder(host: string): Promise<TenantHost | undefined> {
    return this.joined().where('tenant_hosts.host', '=', host).executeTakeFirst();
  }

  async replace(tenantId: string, hosts: readonly string[], now: number): Promise<void> {
    await this.db.deleteFrom('tenant_hosts').where('tenant_id', '=', tenantId).execute();
    if (hosts.length === 0) return;
    await this.db
      .insertInto('tenant_hosts')
      .values(hosts.map((host) => ({ host, tenant_id: tenantId, created_at: now })))
      .execute();
  }
}
