"""The refresh_token grant with rotation over a token store (memory, a ``.tok`` file, a profile)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from ..config import one_of
from ..errors import AuthError, ConfigError, LatchkeyError, TokenStoreError
from .._token_endpoint import ClientAuth
from .types import AccessToken, GrantContext, RefreshPersisted, from_stored_jwt, from_token_response


#: The public client of every tenant, for the SDK, the CLI and scripts (password and refresh grants).
SDK_CLIENT_ID = "latchkey-sdk"


@dataclass
class StoredTokens:
    refresh_token: str
    access_token: str | None = None
    client_id: str | None = None

    def __repr__(self) -> str:
        return f"StoredTokens(client_id={self.client_id!r})"


class TokenStore(Protocol):
    description: str
    #: What to do once its refresh token is dead (said with invalid_grant), if the store knows.
    dead_grant_hint: str | None

    def exclusive(self) -> AbstractContextManager[None]: ...

    def load(self) -> StoredTokens: ...

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None: ...


class MemoryTokenStore:
    description = "memory"
    dead_grant_hint = None

    def __init__(self, tokens: StoredTokens) -> None:
        self._tokens = tokens

    def exclusive(self) -> AbstractContextManager[None]:
        return nullcontext()

    def load(self) -> StoredTokens:
        return StoredTokens(self._tokens.refresh_token, self._tokens.access_token, self._tokens.client_id)

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        self._tokens = tokens


class RefreshTokenSource:
    """The refresh_token grant with rotation, over a token store. Under the store's lock it reloads the
    store (another process may have refreshed already and left a fresh access token), refreshes, saves
    the rotated refresh token durably, and only then hands out the new access token."""

    def __init__(self, ctx: GrantContext, kind: str, store: TokenStore, client_id: str | None, client_secret: str | None, public_fallback: bool) -> None:
        self.kind = kind
        self._ctx = ctx
        self._store = store
        self._client_id = client_id
        self._client_secret = client_secret
        self._public_fallback = public_fallback
        # Rotated tokens that could not be saved: kept so this process goes on working, saved at next use.
        self._unsaved: tuple[StoredTokens, dict[str, Any]] | None = None
        ctx.http.secrets.pin(client_secret)

    def auth_for(self, stored: StoredTokens) -> ClientAuth:
        if self._client_id and stored.client_id and self._client_id != stored.client_id:
            raise ConfigError(f"the {self._store.description} belongs to client {stored.client_id}, but the configured client id is {self._client_id}")
        client_id = self._client_id or stored.client_id or (SDK_CLIENT_ID if self._public_fallback else None)
        if not client_id:
            raise ConfigError(f"no client id for the {self._store.description}: use {one_of(['`credentials.client_id`', 'LATCHKEY_CLIENT_ID'])}")
        return ClientAuth(client_id, self._client_secret or None)

    def client_auth(self) -> ClientAuth:
        return self.auth_for(self._store.load())

    def _save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        try:
            self._store.save(tokens, response)
            self._unsaved = None
        except LatchkeyError:
            self._unsaved = (tokens, response)
            raise
        except Exception as err:
            self._unsaved = (tokens, response)
            raise TokenStoreError(
                f"the refresh token was rotated but could not be saved to the {self._store.description} ({err}); "
                "the one stored there is spent. This process keeps the new one and retries the save on its next refresh"
            ) from None

    def obtain(self, stale: str | None, force: bool) -> AccessToken:
        with self._store.exclusive():
            if self._unsaved:
                self._save(*self._unsaved)
            stored = self._store.load()
            self._ctx.http.secrets.add(stored.refresh_token, stored.access_token)
            auth = self.auth_for(stored)
            # Someone else (another process, an earlier run) left a good access token: use it, spend nothing.
            kept = from_stored_jwt(stored.access_token, self._ctx.now()) if not force and stored.access_token != stale else None
            if kept and self._ctx.is_fresh(kept):
                return kept
            try:
                r = self._ctx.request_token(auth, {"grant_type": "refresh_token", "refresh_token": stored.refresh_token},
                                            f"refreshing with the {self._store.description} failed")
            except AuthError as err:
                hint = self._store.dead_grant_hint if err.error == "invalid_grant" else None
                # The server may have said it already (a regenerated secret).
                if hint is None or "new token file" in (err.error_description or ""):
                    raise
                raise AuthError(err.error, err.error_description, err.status, err.retry_after, f"refreshing with the {self._store.description} failed", hint) from None
            obtained_at = self._ctx.now()
            nxt = StoredTokens(r.get("refresh_token") or stored.refresh_token, r["access_token"], stored.client_id)
            self._save(nxt, r)
            if self._ctx.on_refresh_persisted:
                self._ctx.on_refresh_persisted(RefreshPersisted(self.kind, self._store.description))
            return from_token_response(r, obtained_at)

    def revoke(self) -> bool:
        with self._store.exclusive():
            stored = self._store.load()
            self._ctx.revoke_token(self.auth_for(stored), stored.refresh_token, "refresh_token")
            return True
