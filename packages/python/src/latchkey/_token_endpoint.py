"""The token endpoint (RFC 6749) and the revocation endpoint (RFC 7009), as the TypeScript SDK's
lib/token-endpoint.ts calls them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

import httpx

from ._http import HttpOptions, read_body, retry_after, send
from .errors import AuthError


def basic_authorization(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded (the
    characters JavaScript's encodeURIComponent keeps are kept, so both clients send the same header)."""
    def enc(s: str) -> str:
        return quote_plus(s, safe="!'()*-._~")

    return "Basic " + base64.b64encode(f"{enc(client_id)}:{enc(client_secret)}".encode()).decode()


@dataclass(frozen=True)
class ClientAuth:
    client_id: str
    client_secret: str | None = None

    def __repr__(self) -> str:
        return f"ClientAuth(client_id={self.client_id!r})"

    def apply(self, headers: dict[str, str], form: dict[str, str]) -> None:
        if self.client_secret:
            headers["authorization"] = basic_authorization(self.client_id, self.client_secret)
        else:
            form["client_id"] = self.client_id


def request_token(http: HttpOptions, client: httpx.Client, endpoint: str, auth: ClientAuth, params: dict[str, str], context: str) -> dict[str, Any]:
    """POSTs a grant to the token endpoint; the token response, or AuthError."""
    headers = {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"}
    form = dict(params)
    auth.apply(headers, form)
    res = send(http, client, "POST", endpoint, headers=headers, data=form)
    body = read_body(res)
    b = body if isinstance(body, dict) else {}
    if res.is_error:
        desc = b.get("error_description")
        raise AuthError(
            error=b["error"] if isinstance(b.get("error"), str) else "invalid_response",
            error_description=http.secrets.redact(desc) if isinstance(desc, str)
            else f"the token endpoint {endpoint} answered HTTP {res.status_code} without an OAuth error",
            status=res.status_code, retry_after=retry_after(res), context=context,
        )
    if not isinstance(b.get("access_token"), str) or b["access_token"] == "":
        raise AuthError(error="invalid_response", error_description="the token endpoint answered without an access_token", status=res.status_code, context=context)
    http.secrets.add(b["access_token"], b.get("refresh_token"))
    return b


def revoke_token(http: HttpOptions, client: httpx.Client, endpoint: str, auth: ClientAuth, token: str, hint: str) -> None:
    """RFC 7009 revocation; errors are reported like token errors."""
    headers = {"content-type": "application/x-www-form-urlencoded"}
    form = {"token": token, "token_type_hint": hint}
    auth.apply(headers, form)
    res = send(http, client, "POST", endpoint, headers=headers, data=form)
    if not res.is_error:
        return
    body = read_body(res)
    b = body if isinstance(body, dict) else {}
    desc = b.get("error_description")
    raise AuthError(error=b["error"] if isinstance(b.get("error"), str) else "invalid_response",
                    error_description=http.secrets.redact(desc) if isinstance(desc, str) else None,
                    status=res.status_code, context="revocation failed")
