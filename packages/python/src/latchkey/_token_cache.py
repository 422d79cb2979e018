"""The current access token, refreshed shortly before expiry or when an API called it expired."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ._credentials.types import AccessToken


class TokenCache:
    """Holds the current access token and refreshes it shortly before it expires or when an API called
    it expired. Callers waiting for a token share one refresh: twenty threads on an expired token cost
    one token request (and one refresh-token rotation)."""

    def __init__(self, obtain: Callable[[str | None, bool], AccessToken], refresh_skew: float, now: Callable[[], float]) -> None:
        self._obtain = obtain
        self._skew = refresh_skew
        self._now = now
        self._current: AccessToken | None = None
        self._generation = 0
        self._lock = threading.Lock()

    def is_fresh(self, token: AccessToken) -> bool:
        """True while ``token`` is good for at least the refresh margin (60 s, at most half its lifetime)."""
        if token.expires_at is None:
            return True
        lifetime = max(0.0, token.expires_at - token.issued_at)
        return self._now() < token.expires_at - min(self._skew, lifetime / 2)

    @property
    def current(self) -> AccessToken | None:
        return self._current

    def usable(self, cur: AccessToken | None, stale: str | None, force: bool) -> bool:
        return cur is not None and not force and self.is_fresh(cur) and (stale is None or stale != cur.value)

    def get(self, stale: str | None = None, force: bool = False) -> str:
        cur = self._current
        if self.usable(cur, stale, force):
            return cur.value  # type: ignore[union-attr]
        generation = self._generation
        with self._lock:
            cur = self._current
            # A refresh finished while we waited: share its token, as the TypeScript SDK's callers share its promise.
            if self._generation != generation and cur is not None:
                return cur.value
            if self.usable(cur, stale, force):
                return cur.value  # type: ignore[union-attr]
            token = self._obtain(stale if stale is not None else (cur.value if cur else None), force)
            self._current = token
            self._generation += 1
            return token.value

    def clear(self) -> None:
        with self._lock:
            self._current = None
