import type { Page, PageQuery } from '../paging.js';
import type { FederationPolicy } from './model.js';

export type FederationPolicySort = 'name' | 'createdAt' | 'lastUsedAt';

export interface FederationPolicyFilter {
  appId?: string;
  issuer?: string;
  nameContains?: string;
}

/** One exchange under a policy, as the batched usage records it. */
export interface FederationPolicyUse {
  tenantId: string;
  at: number;
  subject: string;
}

export interface FederationPolicyRecords {
  insert(p: FederationPolicy): Promise<void>;
  replace(p: FederationPolicy): Promise<void>;
  byId(tenantId: string, id: string): Promise<FederationPolicy | undefined>;
  /** Every policy of the tenant (at most MAX_POLICIES): what the token endpoint matches tokens against. */
  all(tenantId: string): Promise<FederationPolicy[]>;
  list(
    tenantId: string,
    f: FederationPolicyFilter,
    page: PageQuery<FederationPolicySort>,
  ): Promise<Page<FederationPolicy>>;
  delete(tenantId: string, id: string): Promise<void>;
  /** First use is set once, last use only moves forward; returns the ids used for the first time. */
  recordUsage(uses: Map<string, FederationPolicyUse>): Promise<string[]>;
}
