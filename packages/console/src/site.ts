/**
 * Where the console runs. At a tenant host (https://acme.id.example.com/console/) the server names
 * the tenant in the page (`<meta name="latchkey-tenant">`): the console's paths and the API's then
 * leave out `/t/{tenant}`, as every endpoint there lives at the root. Elsewhere the tenant comes
 * from the URL (`/console/t/{tenant}/…`).
 */
export const hostTenant: string | null =
  document.querySelector('meta[name="latchkey-tenant"]')?.getAttribute('content') || null;

/** The prefix of the tenant's console paths: `/t/{tenant}`, or '' at its host. */
export function tenantBase(tenant: string): string {
  return hostTenant ? '' : `/t/${encodeURIComponent(tenant)}`;
}
