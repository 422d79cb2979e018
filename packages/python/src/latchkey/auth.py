"""Adapters that let existing code authenticate with one argument:

    httpx.get(url, auth=latchkey.auth.HttpxAuth(lk))
    requests.get(url, auth=latchkey.auth.RequestsAuth(lk))

Both send ``Authorization: Bearer …`` with the client's current token and, when the API answers 401
with a code a new token mends (``token_expired``, ``ERR_TOKEN_EXPIRED``…), refresh it (once, shared
with every other caller) and send the request again.
``requests`` is optional: ``RequestsAuth`` imports it only when it is used."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

import httpx

from ._http import read_body, refresh_may_mend

if TYPE_CHECKING:
    from .client import AsyncClient, Client

__all__ = ["HttpxAuth", "RequestsAuth"]


class HttpxAuth(httpx.Auth):
    """``httpx.Auth`` for ``httpx.Client`` and ``httpx.AsyncClient``, from a ``Client`` or ``AsyncClient``."""

    requires_response_body = True

    def __init__(self, client: Client | AsyncClient) -> None:
        self._cache = client._core.cache

    def __repr__(self) -> str:
        return "HttpxAuth()"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # httpx's sync flow reads the response body first (requires_response_body).
        token = self._cache.get()
        request.headers["authorization"] = f"Bearer {token}"
        response = yield request
        if refresh_may_mend(response.status_code, read_body(response)):
            request.headers["authorization"] = f"Bearer {self._cache.get(stale=token)}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # The token machinery blocks (file locks, fsync): it runs in a worker thread.
        token = await asyncio.to_thread(self._cache.get)
        request.headers["authorization"] = f"Bearer {token}"
        response = yield request
        await response.aread()
        if refresh_may_mend(response.status_code, read_body(response)):
            fresh = await asyncio.to_thread(self._cache.get, token)
            request.headers["authorization"] = f"Bearer {fresh}"
            yield request


def _requests_auth_base() -> type:
    try:
        import requests.auth
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("latchkey.auth.RequestsAuth needs the requests package: pip install 'latchkey[requests]'") from err
    return requests.auth.AuthBase


class RequestsAuth:
    """``requests.auth.AuthBase`` from a ``Client`` (requests is synchronous)."""

    def __new__(cls, client: Client) -> Any:
        base = _requests_auth_base()
        impl = type("RequestsAuth", (_RequestsAuthImpl, base), {})
        return impl(client)


class _RequestsAuthImpl:
    def __init__(self, client: Client) -> None:
        self._cache = client._core.cache

    def __repr__(self) -> str:
        return "RequestsAuth()"

    def __call__(self, r: Any) -> Any:
        token = self._cache.get()
        r.headers["Authorization"] = f"Bearer {token}"
        # Keep the body to send again (a stream cannot be replayed: such a request is not retried).
        replayable = r.body is None or isinstance(r.body, (bytes, str))

        def retry_if_expired(response: Any, **kwargs: Any) -> Any:
            try:
                body = response.json()
            except ValueError:
                body = response.text
            if not replayable or not refresh_may_mend(response.status_code, body):
                return response
            fresh = self._cache.get(stale=token)
            response.content  # noqa: B018  (consume, so the connection can be reused)
            response.close()
            again = response.request.copy()
            again.headers["Authorization"] = f"Bearer {fresh}"
            new = response.connection.send(again, **kwargs)
            new.history.append(response)
            new.request = again
            return new

        r.register_hook("response", retry_if_expired)
        return r
