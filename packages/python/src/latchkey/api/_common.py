"""What the API helpers share."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from ..errors import ConfigError


def q(value: str) -> str:
    return quote(value, safe="")


def expires(expires_at: Any) -> str:
    """An expiry as the API reads it, one instant everywhere: a ``date`` is the end of that day in UTC
    (as the server, the SDK and the console read "expires on 2027-01-15"); a ``datetime`` needs its time
    zone (a naive one could be anybody's); a string is sent as written (a YYYY-MM-DD date there means
    the same end of day)."""
    if isinstance(expires_at, datetime):
        if expires_at.tzinfo is None or expires_at.utcoffset() is None:
            raise ConfigError(f"expires_at {expires_at.isoformat()} has no time zone: pass an aware datetime (e.g. tzinfo=timezone.utc) or a date")
        return _utc(expires_at)
    if isinstance(expires_at, date):
        return _utc(datetime(expires_at.year, expires_at.month, expires_at.day, 23, 59, 59, 999_000, tzinfo=timezone.utc))
    return str(expires_at)


def _utc(instant: datetime) -> str:
    return instant.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_out(out: str | None, overwrite: bool) -> None:
    if out and not overwrite and os.path.exists(out):
        raise ConfigError(f"{out} exists; pass overwrite=True to replace it")


MAX_OVERLAP_SECONDS = 86_400


def overlap_body(overlap: timedelta | int | None) -> dict[str, Any]:
    """A rotation's body: how long the replaced secret keeps working, a ``timedelta`` or whole seconds,
    0 to 24 hours (None or 0: it stops at once). Checked here so a wrong value never reaches the server."""
    if overlap is None:
        return {}
    seconds = overlap.total_seconds() if isinstance(overlap, timedelta) else overlap
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != int(seconds) or not 0 <= seconds <= MAX_OVERLAP_SECONDS:
        raise ConfigError(f"overlap must be whole seconds from 0 to {MAX_OVERLAP_SECONDS} (24 hours), as an int or a timedelta; got {overlap!r}")
    return {"overlapSeconds": int(seconds)}
