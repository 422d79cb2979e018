"""Secrets never leave the client in text meant for people or logs. Two nets, as in the TypeScript
SDK: the shapes Latchkey gives its secrets (``lk_rt_…``, ``lk_cs_…``, ``lk_ss_…``, JWTs), and the
exact values a client was configured with or received (a password has no recognisable shape)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

_SHAPES = [
    re.compile(r"lk_(?:rt|cs|ss)_[A-Za-z0-9_-]+"),
    re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),
]
REDACTED = "[REDACTED]"
_RECENT_TOKENS = 64


def redact_shapes(text: str) -> str:
    for shape in _SHAPES:
        text = shape.sub(REDACTED, text)
    return text


def _secret_like(v: object) -> bool:
    # Very short values would blank out ordinary words; real secrets are long.
    return isinstance(v, str) and len(v) >= 6


class SecretSet:
    """The secrets one client knows: configured ones for good, received tokens while recent."""

    def __init__(self) -> None:
        self._configured: set[str] = set()
        self._received: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def pin(self, *values: str | None) -> None:
        with self._lock:
            self._configured.update(v for v in values if _secret_like(v))  # type: ignore[misc]

    def add(self, *values: str | None) -> None:
        with self._lock:
            for v in values:
                if not _secret_like(v):
                    continue
                self._received.pop(v, None)  # type: ignore[arg-type]
                self._received[v] = None  # type: ignore[index]
                while len(self._received) > _RECENT_TOKENS:
                    self._received.popitem(last=False)

    def redact(self, text: str) -> str:
        with self._lock:
            known = [*self._configured, *self._received]
        for v in known:
            text = text.replace(v, REDACTED)
        return redact_shapes(text)

    def __repr__(self) -> str:
        return REDACTED
