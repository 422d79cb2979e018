"""The signed-in user's own personal OAuth2 clients (``/me/oauth2-clients``), sync and async."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from ..types import (
    CreatedPersonalClient,
    ManagedPersonalClient,
    ManagedRotatedPersonalClient,
    Page,
    PersonalClient,
    RotatedPersonalClient,
    StaleCredential,
)
from ._common import expires, overlap_body, q

if TYPE_CHECKING:
    from ..client import AsyncClient, Client


def _new(name: str, expires_at: Any, scopes: Sequence[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "expiresAt": expires(expires_at)}
    if scopes is not None:
        body["scopes"] = list(scopes)
    return body


def _stale_query(never_used: bool, unused_days: int | None, expiring_within_days: int | None, kind: str | None, **rest: Any) -> dict[str, Any]:
    query: dict[str, Any] = {k: v for k, v in rest.items() if v is not None}
    if never_used:
        query["neverUsed"] = "true"
    if unused_days is not None:
        query["unusedDays"] = unused_days
    if expiring_within_days is not None:
        query["expiringWithinDays"] = expiring_within_days
    if kind is not None:
        query["kind"] = kind
    return query


class StaleCredentials:
    """Personal clients and applications never used, unused for N days or expiring within N days
    (domain managers; the conditions combine with OR, at least one is needed)."""

    def __init__(self, client: Client, base: str) -> None:
        self._c = client
        self._base = f"{base}/stale-credentials"

    def list(self, *, never_used: bool = False, unused_days: int | None = None, expiring_within_days: int | None = None,
             kind: str | None = None, **query: Any) -> Page[StaleCredential]:
        params = _stale_query(never_used, unused_days, expiring_within_days, kind, **query)
        return cast("Page[StaleCredential]", self._c.request("GET", self._base, params=params))


class AsyncStaleCredentials:
    def __init__(self, client: AsyncClient, base: str) -> None:
        self._c = client
        self._base = f"{base}/stale-credentials"

    async def list(self, *, never_used: bool = False, unused_days: int | None = None, expiring_within_days: int | None = None,
                   kind: str | None = None, **query: Any) -> Page[StaleCredential]:
        params = _stale_query(never_used, unused_days, expiring_within_days, kind, **query)
        return cast("Page[StaleCredential]", await self._c.request("GET", self._base, params=params))


class PersonalClients:
    """The signed-in user's own personal OAuth2 clients (``/me/oauth2-clients``)."""

    def __init__(self, client: Client, base: str) -> None:
        self._c = client
        self._base = f"{base}/me/oauth2-clients"

    def list(self, **query: Any) -> Page[PersonalClient]:
        return cast("Page[PersonalClient]", self._c.request("GET", self._base, params=query))

    def get(self, record_id: str) -> PersonalClient:
        return cast(PersonalClient, self._c.request("GET", f"{self._base}/{q(record_id)}"))

    def create(self, name: str, expires_at: Any, scopes: Sequence[str] | None = None) -> CreatedPersonalClient:
        """``expires_at``: a date (the end of that day in UTC), an aware datetime or an ISO 8601 string,
        within the domain's maximum lifetime.
        ``scopes``: a subset of the scopes you hold now; None (the default) for all of your permissions."""
        return cast(CreatedPersonalClient, self._c.request("POST", self._base, json=_new(name, expires_at, scopes)))

    def delete(self, record_id: str) -> None:
        """Revokes the client immediately (the record id, not the client id)."""
        self._c.request("DELETE", f"{self._base}/{q(record_id)}")

    def rotate(self, record_id: str, overlap: timedelta | int | None = None) -> RotatedPersonalClient:
        """A new secret, same client id, returned only this once. The old secret (and the tokens it
        obtained) stops working at once, or when ``overlap`` (a timedelta or seconds, at most 24 h) ends."""
        return cast(RotatedPersonalClient, self._c.request("POST", f"{self._base}/{q(record_id)}/rotate", json=overlap_body(overlap)))


class AsyncPersonalClients:
    def __init__(self, client: AsyncClient, base: str) -> None:
        self._c = client
        self._base = f"{base}/me/oauth2-clients"

    async def list(self, **query: Any) -> Page[PersonalClient]:
        return cast("Page[PersonalClient]", await self._c.request("GET", self._base, params=query))

    async def get(self, record_id: str) -> PersonalClient:
        return cast(PersonalClient, await self._c.request("GET", f"{self._base}/{q(record_id)}"))

    async def create(self, name: str, expires_at: Any, scopes: Sequence[str] | None = None) -> CreatedPersonalClient:
        return cast(CreatedPersonalClient, await self._c.request("POST", self._base, json=_new(name, expires_at, scopes)))

    async def delete(self, record_id: str) -> None:
        await self._c.request("DELETE", f"{self._base}/{q(record_id)}")

    async def rotate(self, record_id: str, overlap: timedelta | int | None = None) -> RotatedPersonalClient:
        return cast(RotatedPersonalClient, await self._c.request("POST", f"{self._base}/{q(record_id)}/rotate", json=overlap_body(overlap)))


class DomainClients:
    """Every user's personal OAuth2 clients (domain managers, ``/oauth2-clients``): list, revoke, rotate."""

    def __init__(self, client: Client, base: str) -> None:
        self._c = client
        self._base = f"{base}/oauth2-clients"

    def list(self, **query: Any) -> Page[ManagedPersonalClient]:
        """Filters in the API's names: ``ownerEmail``, ``ownerId``, ``name``, ``status``, ``sort``, ``limit``, ``cursor``…"""
        return cast("Page[ManagedPersonalClient]", self._c.request("GET", self._base, params=query))

    def revoke(self, record_id: str) -> None:
        self._c.request("DELETE", f"{self._base}/{q(record_id)}")

    def rotate(self, record_id: str, overlap: timedelta | int | None = None) -> ManagedRotatedPersonalClient:
        """Rotates any user's client (not one of an account with more power); the new secret is returned
        to you only this once, and the owner is told by email."""
        return cast(ManagedRotatedPersonalClient, self._c.request("POST", f"{self._base}/{q(record_id)}/rotate", json=overlap_body(overlap)))


class AsyncDomainClients:
    def __init__(self, client: AsyncClient, base: str) -> None:
        self._c = client
        self._base = f"{base}/oauth2-clients"

    async def list(self, **query: Any) -> Page[ManagedPersonalClient]:
        return cast("Page[ManagedPersonalClient]", await self._c.request("GET", self._base, params=query))

    async def revoke(self, record_id: str) -> None:
        await self._c.request("DELETE", f"{self._base}/{q(record_id)}")

    async def rotate(self, record_id: str, overlap: timedelta | int | None = None) -> ManagedRotatedPersonalClient:
        return cast(ManagedRotatedPersonalClient, await self._c.request("POST", f"{self._base}/{q(record_id)}/rotate", json=overlap_body(overlap)))
