"""What the API helpers share."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
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
