// Where a tenant's endpoints are, from the Latchkey URL and an optional tenant name. The one rule of
// the SDK, the CLI and (latchkey/_tenant_url.py) the Python client; both run the cases of
// test/fixtures/tenant-url-cases.json.
//
//   URL + tenant                    path form: issuer `{URL}/t/{tenant}` (every tenant under one host)
//   URL ending in /t/{tenant}       the same path form (an issuer pasted whole)
//   URL alone                       a tenant host (`https://acme.id.example.com`): issuer `{URL}`
//
// Either way every endpoint is under the issuer (`{issuer}/oauth2/v1/token`, `{issuer}/api/v1/…`,
// `{issuer}/.well-known/…` on a tenant host): the two forms differ only in the issuer.
import { LatchkeyConfigError } from './errors.js';

/** A tenant name as the settings accept it (the server's slugs are a subset). */
export const TENANT_NAME = /^[A-Za-z0-9._~-]+$/;

// The authority, then any base path, then /t/{tenant} at the very end.
const PATH_FORM = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+(?:\/.*)?)\/t\/([^/]+)$/i;

export interface TenantLocation {
  /** The server's URL without `/t/{tenant}` (a profile's `url`); a tenant host's URL as it is. */
  baseUrl: string;
  /** The tenant's name in the path form; undefined on a tenant host, whose URL names no tenant. */
  tenant: string | undefined;
  /** The tenant's issuer: the `iss` of its tokens and the prefix of each of its endpoints. */
  issuer: string;
}

/**
 * The issuer of the tenant `tenant` at `url` (an absolute http(s) URL without trailing slash), or of
 * the tenant whose own URL `url` is when no tenant is given.
 */
export function locateTenant(url: string, tenant?: string): TenantLocation {
  if (/[?#]/.test(url)) throw new LatchkeyConfigError(`the Latchkey URL must have no query or fragment, got "${url}"`);
  if (tenant !== undefined && !TENANT_NAME.test(tenant))
    throw new LatchkeyConfigError(`tenant "${tenant}" is not a valid tenant name`);
  const m = PATH_FORM.exec(url);
  if (m) {
    const [, base, named] = m as unknown as [string, string, string];
    if (!TENANT_NAME.test(named))
      throw new LatchkeyConfigError(`the Latchkey URL ${url} ends in /t/ with an invalid tenant name "${named}"`);
    if (tenant !== undefined && tenant !== named) {
      throw new LatchkeyConfigError(
        `the Latchkey URL ${url} names tenant "${named}" but the tenant is "${tenant}": give the server's URL with the tenant, or the tenant's URL alone`,
      );
    }
    return { baseUrl: base, tenant: named, issuer: url };
  }
  if (tenant === undefined) return { baseUrl: url, tenant: undefined, issuer: url };
  return { baseUrl: url, tenant, issuer: `${url}/t/${encodeURIComponent(tenant)}` };
}

/** The tenant's endpoints, all under its issuer whichever form it has. */
export function tenantEndpoints(issuer: string) {
  return {
    token: `${issuer}/oauth2/v1/token`,
    revocation: `${issuer}/oauth2/v1/revoke`,
    introspection: `${issuer}/oauth2/v1/introspect`,
    api: `${issuer}/api/v1`,
  };
}
