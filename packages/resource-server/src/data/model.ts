// The records of the sample API: what a hosting provider's customer portal would show.

/** A service the tenant has bought: plan, committed quantity, term. */
export interface ServiceEntitlement {
  id: string;
  serviceCode: string;
  serviceName: string;
  plan: string;
  status: 'active' | 'suspended' | 'expired';
  quantity: number;
  unit: string;
  region: string;
  /** YYYY-MM-DD */
  startDate: string;
  /** YYYY-MM-DD, null for an open-ended term. */
  endDate: string | null;
}

/** A running (or stopped) thing provisioned under an entitlement. */
export interface ServiceInstance {
  id: string;
  entitlementId: string;
  serviceCode: string;
  name: string;
  region: string;
  size: string;
  status: 'running' | 'stopped' | 'provisioning' | 'terminated';
  /** ISO 8601 timestamp */
  createdAt: string;
}

/** One day of one metric of one instance. */
export interface UsageRecord {
  id: string;
  /** YYYY-MM-DD (UTC day) */
  date: string;
  serviceCode: string;
  instanceId: string;
  metric: string;
  quantity: number;
  unit: string;
}

export interface TenantData {
  tenant: string;
  /** Sorted by id. */
  entitlements: ServiceEntitlement[];
  /** Sorted by id. */
  instances: ServiceInstance[];
  /** Sorted by date, then instance id, then metric. */
  usage: UsageRecord[];
}
