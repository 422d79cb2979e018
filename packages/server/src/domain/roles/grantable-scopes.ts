import type { UnitOfWork } from '../ports.js';
import { MANAGEMENT_SCOPES } from './management-scopes.js';

export interface GrantableScope {
  scope: string;
  /** What it allows, in words; empty when the API does not describe it. */
  description: string;
  /** The API it belongs to. */
  api: string;
  /** True for Latchkey's own management scopes. */
  management: boolean;
}

export const MANAGEMENT_API_NAME = 'Latchkey management API';

/** Every scope a role may grant in the tenant: its APIs' scopes, then the management API's. */
export async function grantableScopes(store: UnitOfWork<'resources'>, tenantId: string): Promise<GrantableScope[]> {
  const apis = (await store.resources.list(tenantId)).sort((a, b) => a.name.localeCompare(b.name));
  return [
    ...apis.flatMap((r) =>
      [...r.scopes]
        .sort()
        .map((scope) => ({ scope, description: r.scopeDescriptions[scope] ?? '', api: r.name, management: false })),
    ),
    ...Object.entries(MANAGEMENT_SCOPES).map(([scope, description]) => ({
      scope,
      description,
      api: MANAGEMENT_API_NAME,
      management: true,
    })),
  ];
}
