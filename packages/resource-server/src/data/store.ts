// The sample API's store: each tenant's generated data, kept in memory once made, with the queries
// the routes need. Keyset pagination: a page starts after the record whose id the cursor names.
import { generateTenantData } from './seed.js';
import type { ServiceEntitlement, ServiceInstance, TenantData, UsageRecord } from './model.js';

export interface ListQuery {
  /** Only records of these service codes (any of them). */
  services?: readonly string[];
  /** Start after the record with this id. */
  after?: string;
  limit: number;
}

export interface UsageQuery extends ListQuery {
  /** Inclusive YYYY-MM-DD bounds. */
  from?: string;
  to?: string;
}

/** A page of records; null when `after` names no record of the list (a stale or foreign cursor). */
export type Slice<T> = { items: T[]; hasMore: boolean } | null;

interface Indexed<T> {
  rows: T[];
  position: Map<string, number>;
}

interface TenantTables {
  entitlements: Indexed<ServiceEntitlement>;
  instances: Indexed<ServiceInstance>;
  usage: Indexed<UsageRecord>;
}

function indexed<T extends { id: string }>(rows: T[]): Indexed<T> {
  return { rows, position: new Map(rows.map((r, i) => [r.id, i])) };
}

/** First index in [lo, hi) whose date is >= day (dates are sorted). */
function firstOnOrAfter(rows: UsageRecord[], day: string): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].date < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function slice<T extends { id: string; serviceCode: string }>(
  table: Indexed<T>,
  q: ListQuery,
  lo = 0,
  hi = table.rows.length,
): Slice<T> {
  let start = lo;
  if (q.after !== undefined) {
    const at = table.position.get(q.after);
    if (at === undefined) return null;
    start = Math.max(lo, at + 1);
  }
  const services = q.services?.length ? new Set(q.services) : undefined;
  const items: T[] = [];
  // One record beyond the page tells whether another page exists.
  for (let i = start; i < hi && items.length <= q.limit; i++) {
    const row = table.rows[i];
    if (!services || services.has(row.serviceCode)) items.push(row);
  }
  const hasMore = items.length > q.limit;
  if (hasMore) items.pop();
  return { items, hasMore };
}

export class SampleStore {
  private readonly tenants = new Map<string, TenantTables>();

  /** Keeps at most this many tenants' data in memory (least recently used dropped first). */
  constructor(private readonly maxTenants = 100) {}

  private tables(tenant: string): TenantTables {
    let t = this.tenants.get(tenant);
    if (t) {
      this.tenants.delete(tenant);
    } else {
      const data: TenantData = generateTenantData(tenant);
      t = { entitlements: indexed(data.entitlements), instances: indexed(data.instances), usage: indexed(data.usage) };
      if (this.tenants.size >= this.maxTenants) this.tenants.delete(this.tenants.keys().next().value!);
    }
    this.tenants.set(tenant, t);
    return t;
  }

  entitlements(tenant: string, q: ListQuery): Slice<ServiceEntitlement> {
    return slice(this.tables(tenant).entitlements, q);
  }

  instances(tenant: string, q: ListQuery): Slice<ServiceInstance> {
    return slice(this.tables(tenant).instances, q);
  }

  usage(tenant: string, q: UsageQuery): Slice<UsageRecord> {
    const table = this.tables(tenant).usage;
    const lo = q.from ? firstOnOrAfter(table.rows, q.from) : 0;
    // The day after `to`: YYYY-MM-DD strings compare like dates, and "~" sorts after every digit.
    const hi = q.to ? firstOnOrAfter(table.rows, q.to + '~') : table.rows.length;
    return slice(table, q, lo, Math.max(lo, hi));
  }
}
