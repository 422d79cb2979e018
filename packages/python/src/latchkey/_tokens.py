"""Getting, caching and rotating access tokens, as the TypeScript SDK does (packages/sdk/src/credentials,
token-cache.ts). The core is synchronous and thread-safe; the async client runs it in a worker thread,
so threads and asyncio tasks share one in-flight refresh."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote_plus

import httpx

from ._files import file_lock, write_json_file
from ._http import HttpOptions, read_body, retry_after, send
from .config import ClientSecret, Credentials, Password, RefreshToken, StoredLogin, TokenFile, one_of, read_config_file
from .errors import AuthError, ConfigError, LatchkeyError, TokenStoreError

#: The public client of every tenant, for the SDK, the CLI and scripts (password and refresh grants).
SDK_CLIENT_ID = "latchkey-sdk"


@dataclass(frozen=True)
class AccessToken:
    value: str
    #: Seconds since the epoch; None when unknown.
    expires_at: float | None
    issued_at: float

    def __repr__(self) -> str:
        return f"AccessToken(expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class RefreshPersisted:
    """Told after a rotated refresh token was written, before the new access token is used."""

    kind: str
    #: A token file path as ``token file PATH`` or ``profile NAME in PATH``.
    location: str


def _jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def from_token_response(r: dict[str, Any], now: float) -> AccessToken:
    expires_in = _number(r.get("expires_in"))
    if expires_in is not None and expires_in > 0:
        return AccessToken(r["access_token"], now + expires_in, now)
    return AccessToken(r["access_token"], _number(_jwt_claims(r["access_token"]).get("exp")), now)


def from_stored_jwt(token: str | None, now: float) -> AccessToken | None:
    if not token:
        return None
    claims = _jwt_claims(token)
    exp = _number(claims.get("exp"))
    if exp is None:
        return None
    iat = _number(claims.get("iat"))
    return AccessToken(token, exp, iat if iat is not None else now)


def basic_authorization(client_id: str, client_secret: str) -> str:
    """RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded."""
    return "Basic " + base64.b64encode(f"{quote_plus(client_id, safe='*-._')}:{quote_plus(client_secret, safe='*-._')}".encode()).decode()


@dataclass(frozen=True)
class ClientAuth:
    client_id: str
    client_secret: str | None = None

    def __repr__(self) -> str:
        return f"ClientAuth(client_id={self.client_id!r})"

    def apply(self, headers: dict[str, str], form: dict[str, str]) -> None:
        if self.client_secret:
            headers["authorization"] = basic_authorization(self.client_id, self.client_secret)
        else:
            form["client_id"] = self.client_id


class GrantContext:
    """What token sources get from their client."""

    def __init__(self, http: HttpOptions, client: httpx.Client, issuer: str, is_fresh: Callable[[AccessToken], bool],
                 on_refresh_persisted: Callable[[RefreshPersisted], None] | None, now: Callable[[], float]) -> None:
        self.http = http
        self.client = client
        self.token_endpoint = f"{issuer}/oauth2/v1/token"
        self.revocation_endpoint = f"{issuer}/oauth2/v1/revoke"
        self.is_fresh = is_fresh
        self.on_refresh_persisted = on_refresh_persisted
        self.now = now

    def request_token(self, auth: ClientAuth, params: dict[str, str], context: str) -> dict[str, Any]:
        """POSTs a grant to the token endpoint; the token response, or AuthError."""
        headers = {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"}
        form = dict(params)
        auth.apply(headers, form)
        res = send(self.http, self.client, "POST", self.token_endpoint, headers=headers, data=form)
        body = read_body(res)
        b = body if isinstance(body, dict) else {}
        if res.is_error:
            desc = b.get("error_description")
            raise AuthError(
                error=b["error"] if isinstance(b.get("error"), str) else "invalid_response",
                error_description=self.http.secrets.redact(desc) if isinstance(desc, str)
                else f"the token endpoint answered HTTP {res.status_code} without an OAuth error",
                status=res.status_code, retry_after=retry_after(res), context=context,
            )
        if not isinstance(b.get("access_token"), str) or b["access_token"] == "":
            raise AuthError(error="invalid_response", error_description="the token endpoint answered without an access_token", status=res.status_code, context=context)
        self.http.secrets.add(b["access_token"], b.get("refresh_token"))
        return b

    def revoke_token(self, auth: ClientAuth, token: str, hint: str) -> None:
        """RFC 7009 revocation; errors are reported like token errors."""
        headers = {"content-type": "application/x-www-form-urlencoded"}
        form = {"token": token, "token_type_hint": hint}
        auth.apply(headers, form)
        res = send(self.http, self.client, "POST", self.revocation_endpoint, headers=headers, data=form)
        if not res.is_error:
            return
        body = read_body(res)
        b = body if isinstance(body, dict) else {}
        desc = b.get("error_description")
        raise AuthError(error=b["error"] if isinstance(b.get("error"), str) else "invalid_response",
                        error_description=self.http.secrets.redact(desc) if isinstance(desc, str) else None,
                        status=res.status_code, context="revocation failed")


def _scope_param(scope: str | list[str] | None) -> dict[str, str]:
    return {} if scope is None else {"scope": scope if isinstance(scope, str) else " ".join(scope)}


def _is_dead_grant(err: Exception) -> bool:
    return isinstance(err, AuthError) and err.error == "invalid_grant"


class TokenSource(Protocol):
    kind: str

    def obtain(self, stale: str | None, force: bool) -> AccessToken: ...

    def revoke(self) -> bool: ...


class ClientCredentialsSource:
    """client_credentials with HTTP Basic: a personal client acts with its owner's permissions."""

    kind = "client_credentials"

    def __init__(self, ctx: GrantContext, c: ClientSecret) -> None:
        self._ctx = ctx
        self._auth = ClientAuth(c.client_id, c.client_secret)
        self._scope = _scope_param(c.scope)
        ctx.http.secrets.pin(c.client_secret)

    @property
    def client_auth(self) -> ClientAuth:
        return self._auth

    def obtain(self, stale: str | None, force: bool) -> AccessToken:
        r = self._ctx.request_token(self._auth, {"grant_type": "client_credentials", **self._scope}, f"client {self._auth.client_id} could not get a token")
        return from_token_response(r, self._ctx.now())

    def revoke(self) -> bool:
        return False


class PasswordSource:
    """The password grant with the public SDK client; the refresh token it returns is kept in memory
    and rotated on each refresh; when it dies the client signs in with the password again."""

    kind = "password"

    def __init__(self, ctx: GrantContext, c: Password) -> None:
        self._ctx = ctx
        self._email = c.email
        self._password = c.password
        self._auth = ClientAuth(c.client_id or SDK_CLIENT_ID)
        self._scope = _scope_param(c.scope)
        self._refresh_token: str | None = None
        ctx.http.secrets.pin(c.password)

    def obtain(self, stale: str | None, force: bool) -> AccessToken:
        if self._refresh_token:
            try:
                return self._keep(self._ctx.request_token(self._auth, {"grant_type": "refresh_token", "refresh_token": self._refresh_token},
                                                          f"refreshing the session of {self._email} failed"))
            except AuthError as err:
                if not _is_dead_grant(err):
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


@dataclass
class StoredTokens:
    refresh_token: str
    access_token: str | None = None
    client_id: str | None = None

    def __repr__(self) -> str:
        return f"StoredTokens(client_id={self.client_id!r})"


class TokenStore(Protocol):
    description: str

    def exclusive(self) -> AbstractContextManager[None]: ...

    def load(self) -> StoredTokens: ...

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None: ...


class MemoryTokenStore:
    description = "memory"

    def __init__(self, tokens: StoredTokens) -> None:
        self._tokens = tokens

    def exclusive(self) -> AbstractContextManager[None]:
        return nullcontext()

    def load(self) -> StoredTokens:
        return StoredTokens(self._tokens.refresh_token, self._tokens.access_token, self._tokens.client_id)

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        self._tokens = tokens


def read_tok_file(file: str) -> dict[str, Any]:
    """Reads and validates a ``.tok`` file (``app_access_token`` and ``refresh_token`` required)."""
    try:
        with open(file, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as err:
        code = {2: "ENOENT", 13: "EACCES", 21: "EISDIR"}.get(err.errno or 0, err.strerror or str(err))
        raise ConfigError(f"cannot read the token file {file}: {code}") from None
    try:
        doc = json.loads(text)
    except ValueError:
        raise ConfigError(f"the token file {file} is not JSON") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"the token file {file} must hold a JSON object")
    for f in ("app_access_token", "refresh_token"):
        if not isinstance(doc.get(f), str) or doc[f] == "":
            raise ConfigError(f"the token file {file} has no {f}")
    return doc


def write_tok_file(file: str, doc: dict[str, Any]) -> None:
    """Writes a ``.tok`` document atomically with mode 0600."""
    write_json_file(file, doc)


def merge_tok(doc: dict[str, Any], tokens: StoredTokens, response: dict[str, Any]) -> dict[str, Any]:
    """The ``.tok`` document after a rotation: extra fields kept, token fields replaced."""
    nxt = {**doc, "app_access_token": tokens.access_token or doc["app_access_token"], "refresh_token": tokens.refresh_token}
    for f in ("token_type", "expires_in", "scope"):
        if f in response:
            nxt[f] = response[f]
    return nxt


class TokenFileStore:
    """A ``.tok`` file: locked across processes (``app.tok.lock``), rewritten atomically, extra fields kept."""

    def __init__(self, file: str) -> None:
        self.file = os.path.abspath(file)
        self.description = f"token file {self.file}"

    def exclusive(self) -> AbstractContextManager[None]:
        return file_lock(self.file)

    def load(self) -> StoredTokens:
        doc = read_tok_file(self.file)
        cid = doc.get("client_id")
        return StoredTokens(doc["refresh_token"], doc["app_access_token"], cid if isinstance(cid, str) else None)

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        # Re-read under the lock so fields someone added by hand survive.
        write_tok_file(self.file, merge_tok(read_tok_file(self.file), tokens, response))


class ProfileTokenStore:
    """A stored login (``latchkey login``): rotated in place in the config file, under its lock."""

    def __init__(self, config_path: str, profile: str) -> None:
        self.config_path = config_path
        self.profile = profile
        self.description = f'profile "{profile}" in {config_path}'

    def exclusive(self) -> AbstractContextManager[None]:
        return file_lock(self.config_path)

    def load(self) -> StoredTokens:
        p = read_config_file(self.config_path)["profiles"].get(self.profile) or {}
        if not p.get("refreshToken"):
            raise ConfigError(f"{self.description} holds no login; run `latchkey login`")
        return StoredTokens(p["refreshToken"], p.get("accessToken"))

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        config = read_config_file(self.config_path)
        p = config["profiles"].setdefault(self.profile, {})
        p["refreshToken"] = tokens.refresh_token
        if tokens.access_token:
            p["accessToken"] = tokens.access_token
        write_json_file(self.config_path, config)


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
            r = self._ctx.request_token(auth, {"grant_type": "refresh_token", "refresh_token": stored.refresh_token},
                                        f"refreshing with the {self._store.description} failed")
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


def create_source(ctx: GrantContext, c: Credentials) -> TokenSource:
    if isinstance(c, Password):
        return PasswordSource(ctx, c)
    if isinstance(c, ClientSecret):
        return ClientCredentialsSource(ctx, c)
    if isinstance(c, TokenFile):
        return RefreshTokenSource(ctx, "token_file", TokenFileStore(c.token_file), c.client_id, c.client_secret, public_fallback=False)
    if isinstance(c, RefreshToken):
        return RefreshTokenSource(ctx, "refresh_token", MemoryTokenStore(StoredTokens(c.refresh_token)), c.client_id, c.client_secret, public_fallback=True)
    if isinstance(c, StoredLogin):
        return RefreshTokenSource(ctx, "refresh_token", ProfileTokenStore(c.config_path, c.profile), c.client_id, c.client_secret, public_fallback=True)
    raise ConfigError("unknown credentials")


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
