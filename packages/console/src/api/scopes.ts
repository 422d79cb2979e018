import { api, call } from './client';

/**
 * Every scope a role may grant (the domain's APIs' and Latchkey's management scopes), with what each
 * allows. Keyed under 'resources': whatever refreshes the APIs (a scope added, described or removed)
 * refreshes this list too.
 */
export const scopesQuery = (tenant: string) => ({
  queryKey: ['resources', tenant, 'grantable-scopes'],
  queryFn: () => call(api.GET('/t/{tenant}/api/v1/scopes', { params: { path: { tenant } } })),
});
