"""Confidential applications (domain managers), sync and async."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from .._credentials.token_file import write_tok_file
from ..types import App, AppWithSecret, Page, TokFile
from ._common import check_out, overlap_body, q

if TYPE_CHECKING:
    from ..client import AsyncClient, Client


class Apps:
    """Confidential applications (domain managers)."""

    def __init__(self, client: Client, base: str) -> None:
        self._c = client
        self._base = f"{base}/apps"

    def list(self, **query: Any) -> Page[App]:
        return cast("Page[App]", self._c.request("GET", self._base, params=query))

    def get(self, app_id: str) -> App:
        return cast(App, self._c.request("GET", f"{self._base}/{q(app_id)}"))

    def create(self, name: str, grant_types: list[str], scopes: list[str], description: str | None = None,
               jwks: dict[str, Any] | None = None) -> AppWithSecret:
        body: dict[str, Any] = {"name": name, "grantTypes": grant_types, "scopes": scopes}
        if description is not None:
            body["description"] = description
        if jwks is not None:
            body["jwks"] = jwks
        return cast(AppWithSecret, self._c.request("POST", self._base, json=body))

    def update(self, app_id: str, **patch: Any) -> App:
        """Fields in the API's names (``name``, ``description``, ``grantTypes``, ``scopes``, ``jwks``)."""
        return cast(App, self._c.request("PATCH", f"{self._base}/{q(app_id)}", json=patch))

    def delete(self, app_id: str) -> None:
        self._c.request("DELETE", f"{self._base}/{q(app_id)}")

    def rotate_secret(self, app_id: str, overlap: timedelta | int | None = None) -> AppWithSecret:
        """A new secret, same client id. Without ``overlap`` the old secret and every refresh token of the
        app die at once; with one (a timedelta or seconds, at most 24 h) they keep working until it ends,
        and a refresh token refreshed with the new secret meanwhile lives on."""
        return cast(AppWithSecret, self._c.request("POST", f"{self._base}/{q(app_id)}/secret", json=overlap_body(overlap)))

    def activate(self, app_id: str) -> App:
        return cast(App, self._c.request("POST", f"{self._base}/{q(app_id)}/activate"))

    def deactivate(self, app_id: str) -> App:
        return cast(App, self._c.request("POST", f"{self._base}/{q(app_id)}/deactivate"))

    def generate_tokens(self, app_id: str, *, scopes: list[str] | None = None, include_refresh_token: bool = True,
                        out: str | None = None, overwrite: bool = False) -> TokFile:
        """The ``.tok`` document; ``out`` also writes it (atomically, mode 0600)."""
        check_out(out, overwrite)
        if scopes is None:
            scopes = self.get(app_id)["scopes"]
        doc = cast(TokFile, self._c.request("POST", f"{self._base}/{q(app_id)}/tokens", json={"scopes": scopes, "includeRefreshToken": include_refresh_token}))
        if out:
            write_tok_file(out, dict(doc))
        return doc


class AsyncApps:
    def __init__(self, client: AsyncClient, base: str) -> None:
        self._c = client
        self._base = f"{base}/apps"

    async def list(self, **query: Any) -> Page[App]:
        return cast("Page[App]", await self._c.request("GET", self._base, params=query))

    async def get(self, app_id: str) -> App:
        return cast(App, await self._c.request("GET", f"{self._base}/{q(app_id)}"))

    async def create(self, name: str, grant_types: list[str], scopes: list[str], description: str | None = None,
                     jwks: dict[str, Any] | None = None) -> AppWithSecret:
        body: dict[str, Any] = {"name": name, "grantTypes": grant_types, "scopes": scopes}
        if description is not None:
            body["description"] = description
        if jwks is not None:
            body["jwks"] = jwks
        return cast(AppWithSecret, await self._c.request("POST", self._base, json=body))

    async def update(self, app_id: str, **patch: Any) -> App:
        return cast(App, await self._c.request("PATCH", f"{self._base}/{q(app_id)}", json=patch))

    async def delete(self, app_id: str) -> None:
        await self._c.request("DELETE", f"{self._base}/{q(app_id)}")

    async def rotate_secret(self, app_id: str, overlap: timedelta | int | None = None) -> AppWithSecret:
        return cast(AppWithSecret, await self._c.request("POST", f"{self._base}/{q(app_id)}/secret", json=overlap_body(overlap)))

    async def activate(self, app_id: str) -> App:
        return cast(App, await self._c.request("POST", f"{self._base}/{q(app_id)}/activate"))

    async def deactivate(self, app_id: str) -> App:
        return cast(App, await self._c.request("POST", f"{self._base}/{q(app_id)}/deactivate"))

    async def generate_tokens(self, app_id: str, *, scopes: list[str] | None = None, include_refresh_token: bool = True,
                              out: str | None = None, overwrite: bool = False) -> TokFile:
        check_out(out, overwrite)
        if scopes is None:
            scopes = (await self.get(app_id))["scopes"]
        doc = cast(TokFile, await self._c.request("POST", f"{self._base}/{q(app_id)}/tokens", json={"scopes": scopes, "includeRefreshToken": include_refresh_token}))
        if out:
            await asyncio.to_thread(write_tok_file, out, dict(doc))
        return doc
