"""What credential strategies share: access tokens, the grant context their client gives them, and the
interface each strategy implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .._http import HttpOptions
from .._jwt import jwt_claims, number
from .._tenant_url import tenant_endpoints
from .._token_endpoint import ClientAuth, request_token, revoke_token
from ..errors import AuthError


@dataclass(frozen=True)
class AccessToken:
    value: str
    #: Seconds since the epoch; None when unknown.
    expires_at: float | None
    issued_at: float

    def __repr__(self) -> str:
        return f"AccessToken(expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class RefreshPersisted:
    """Told after a rotated refresh token was written, before the new access token is used."""

    kind: str
    #: A token file path as ``token file PATH`` or ``profile NAME in PATH``.
    location: str


def from_token_response(r: dict[str, Any], now: float) -> AccessToken:
    expires_in = number(r.get("expires_in"))
    if expires_in is not None and expires_in > 0:
        return AccessToken(r["access_token"], now + expires_in, now)
    return AccessToken(r["access_token"], number(jwt_claims(r["access_token"]).get("exp")), now)


def from_stored_jwt(token: str | None, now: float) -> AccessToken | None:
    if not token:
        return None
    claims = jwt_claims(token)
    exp = number(claims.get("exp"))
    if exp is None:
        return None
    iat = number(claims.get("iat"))
    return AccessToken(token, exp, iat if iat is not None else now)


class GrantContext:
    """What token sources get from their client."""

    def __init__(self, http: HttpOptions, client: httpx.Client, issuer: str, is_fresh: Callable[[AccessToken], bool],
                 on_refresh_persisted: Callable[[RefreshPersisted], None] | None, now: Callable[[], float]) -> None:
        self.http = http
        self.client = client
        endpoints = tenant_endpoints(issuer)
        self.token_endpoint = endpoints.token
        self.revocation_endpoint = endpoints.revocation
        self.is_fresh = is_fresh
        self.on_refresh_persisted = on_refresh_persisted
        self.now = now

    def request_token(self, auth: ClientAuth, params: dict[str, str], context: str) -> dict[str, Any]:
        return request_token(self.http, self.client, self.token_endpoint, auth, params, context)

    def revoke_token(self, auth: ClientAuth, token: str, hint: str) -> None:
        revoke_token(self.http, self.client, self.revocation_endpoint, auth, token, hint)

class TokenSource(Protocol):
    kind: str

    def obtain(self, stale: str | None, force: bool) -> AccessToken: ...

    def revoke(self) -> bool: ...


def scope_param(scope: str | list[str] | None) -> dict[str, str]:
    return {} if scope is None else {"scope": scope if isinstance(scope, str) else " ".join(scope)}


def is_dead_grant(err: Exception) -> bool:
    return isinstance(err, AuthError) and err.error == "invalid_grant"
