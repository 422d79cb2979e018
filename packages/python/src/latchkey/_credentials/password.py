"""The password grant through the public client ``latchkey-sdk``."""

from __future__ import annotations

from typing import Any

from ..config import Password
from ..errors import AuthError
from .._token_endpoint import ClientAuth
from .refresh_token import SDK_CLIENT_ID
from .types import AccessToken, GrantContext, from_token_response, is_dead_grant, scope_param


class PasswordSource:
    """The password grant with the public SDK client; the refresh token it returns is kept in memory
    and rotated on each refresh; when it dies the client signs in with the password again."""

    kind = "password"

    def __init__(self, ctx: GrantContext, c: Password) -> None:
        self._ctx = ctx
        self._email = c.email
        self._password = c.password
        self._auth = ClientAuth(c.client_id or SDK_CLIENT_ID)
        self._scope = scope_param(c.scope)
        self._refresh_token: str | None = None
        ctx.http.secrets.pin(c.password)

    def obtain(self, stale: str | None, force: bool) -> AccessToken:
        if self._refresh_token:
            try:
                return self._keep(self._ctx.request_token(self._auth, {"grant_type": "refresh_token", "refresh_token": self._refresh_token},
                                                          f"refreshing the session of {self._email} failed"))
            except AuthError as err:
                if not is_dead_grant(err):
                    raise
                self._refresh_token = None  # sign in again below
        return self._keep(self._ctx.request_token(self._auth, {"grant_type": "password", "username": self._email, "password": self._password, **self._scope},
                                                  f"signing in as {self._email} failed"))

    def _keep(self, r: dict[str, Any]) -> AccessToken:
        if isinstance(r.get("refresh_token"), str):
            self._refresh_token = r["refresh_token"]
        return from_token_response(r, self._ctx.now())

    def revoke(self) -> bool:
        if not self._refresh_token:
            return False
        self._ctx.revoke_token(self._auth, self._refresh_token, "refresh_token")
        self._refresh_token = None
        return True
