"""What the API helpers share."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from ..errors import ConfigError


def q(value: str) -> str:
    return quote(value, safe="")


def expires(expires_at: Any) -> str:
    return expires_at.isoformat() if hasattr(expires_at, "isoformat") else str(expires_at)


def check_out(out: str | None, overwrite: bool) -> None:
    if out and not overwrite and os.path.exists(out):
        raise ConfigError(f"{out} exists; pass overwrite=True to replace it")
