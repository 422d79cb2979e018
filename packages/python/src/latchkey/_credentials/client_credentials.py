"""client_credentials: a personal client (or an application) by id and secret."""

from __future__ import annotations

from ..config import ClientSecret
from .._token_endpoint import ClientAuth
from .types import AccessToken, GrantContext, from_token_response, scope_param


class ClientCredentialsSource:
    """client_credentials with HTTP Basic: a personal client acts with its owner's permissions."""

    kind = "client_credentials"

    def __init__(self, ctx: GrantContext, c: ClientSecret) -> None:
        self._ctx = ctx
        self._auth = ClientAuth(c.client_id, c.client_secret)
        self._scope = scope_param(c.scope)
        ctx.http.secrets.pin(c.client_secret)

    @property
    def client_auth(self) -> ClientAuth:
        return self._auth

    def obtain(self, stale: str | None, force: bool) -> AccessToken:
        r = self._ctx.request_token(self._auth, {"grant_type": "client_credentials", **self._scope}, f"client {self._auth.client_id} could not get a token")
        return from_token_response(r, self._ctx.now())

    def revoke(self) -> bool:
        return False
