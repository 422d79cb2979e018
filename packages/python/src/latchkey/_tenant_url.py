"""Where a tenant's endpoints are, from the Latchkey URL and an optional tenant name: the TypeScript
SDK's rule (packages/sdk/src/tenant-url.ts); both run the cases of
packages/sdk/test/fixtures/tenant-url-cases.json.

  URL + tenant                  path form: issuer ``{URL}/t/{tenant}`` (every tenant under one host)
  URL ending in /t/{tenant}     the same path form (an issuer pasted whole)
  URL alone                     a tenant host (``https://acme.id.example.com``): issuer ``{URL}``

Either way every endpoint is under the issuer (``{issuer}/oauth2/v1/token``, ``{issuer}/api/v1/…``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from .errors import ConfigError

#: A tenant name as the settings accept it (the server's slugs are a subset).
TENANT_NAME = re.compile(r"[A-Za-z0-9._~-]+")
# The authority, then any base path, then /t/{tenant} at the very end.
_PATH_FORM = re.compile(r"([a-z][a-z0-9+.-]*://[^/?#]+(?:/.*)?)/t/([^/]+)", re.IGNORECASE)


@dataclass(frozen=True)
class TenantLocation:
    #: The server's URL without ``/t/{tenant}`` (a profile's ``url``); a tenant host's URL as it is.
    base_url: str
    #: The tenant's name in the path form; None on a tenant host, whose URL names no tenant.
    tenant: str | None
    #: The tenant's issuer: the ``iss`` of its tokens and the prefix of each of its endpoints.
    issuer: str


def locate_tenant(url: str, tenant: str | None = None) -> TenantLocation:
    """The issuer of the tenant ``tenant`` at ``url`` (an absolute http(s) URL without trailing
    slash), or of the tenant whose own URL ``url`` is when no tenant is given."""
    if "?" in url or "#" in url:
        raise ConfigError(f'the Latchkey URL must have no query or fragment, got "{url}"')
    if tenant is not None and not TENANT_NAME.fullmatch(tenant):
        raise ConfigError(f'tenant "{tenant}" is not a valid tenant name')
    m = _PATH_FORM.fullmatch(url)
    if m:
        base, named = m.group(1), m.group(2)
        if not TENANT_NAME.fullmatch(named):
            raise ConfigError(f'the Latchkey URL {url} ends in /t/ with an invalid tenant name "{named}"')
        if tenant is not None and tenant != named:
            raise ConfigError(f'the Latchkey URL {url} names tenant "{named}" but the tenant is "{tenant}": '
                              "give the server's URL with the tenant, or the tenant's URL alone")
        return TenantLocation(base_url=base, tenant=named, issuer=url)
    if tenant is None:
        return TenantLocation(base_url=url, tenant=None, issuer=url)
    return TenantLocation(base_url=url, tenant=tenant, issuer=f"{url}/t/{quote(tenant, safe='')}")


@dataclass(frozen=True)
class TenantEndpoints:
    token: str
    revocation: str
    introspection: str
    api: str


def tenant_endpoints(issuer: str) -> TenantEndpoints:
    """The tenant's endpoints, all under its issuer whichever form it has."""
    return TenantEndpoints(token=f"{issuer}/oauth2/v1/token", revocation=f"{issuer}/oauth2/v1/revoke",
                           introspection=f"{issuer}/oauth2/v1/introspect", api=f"{issuer}/api/v1")
