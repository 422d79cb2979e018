import type { Resource } from './model.js';

export interface ResourceRecords {
  insert(r: Resource): Promise<void>;
  update(
    tenantId: string,
    id: string,
    patch: { name?: string; scopes?: string[]; scopeDescriptions?: Record<string, string> },
  ): Promise<void>;
  delete(tenantId: string, id: string): Promise<void>;
  list(tenantId: string): Promise<Resource[]>;
}
