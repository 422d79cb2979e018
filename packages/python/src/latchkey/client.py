"""``Client`` and ``AsyncClient``: a Latchkey client for one tenant. It gets and refreshes access
tokens from the credentials it was given, and calls the management API or any API with them."""

from __future__ import annotations

import asyncio
import platform
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal, cast

import httpx

from ._http import GRANT_ENDED_CODES, HttpOptions, api_error, asend, error_code, read_body, refresh_may_mend, send
from ._redact import SecretSet
from ._tenant_url import tenant_endpoints
from ._credentials import create_source
from ._credentials.client_credentials import ClientCredentialsSource
from ._credentials.refresh_token import RefreshTokenSource
from ._credentials.types import GrantContext, RefreshPersisted, TokenSource
from ._token_cache import TokenCache
from ._token_endpoint import ClientAuth
from .api.apps import Apps, AsyncApps
from .api.personal_clients import (
    AsyncDomainClients,
    AsyncPersonalClients,
    AsyncStaleCredentials,
    DomainClients,
    PersonalClients,
    StaleCredentials,
)
from .config import NO_CREDENTIALS, Settings, TokenFile, resolve_settings
from .errors import ApiError, ConfigError
from .types import Introspection, Me

__version__ = "0.1.0"

Json = Any


class _Core:
    """What the sync and async clients share: settings, secrets, the token source and its cache."""

    def __init__(
        self, *, base_url: str | None, tenant: str | None, api_url: str | None, credentials: object | None,
        profile: str | Literal[False] | None, config_path: str | None, env: Mapping[str, str] | None,
        timeout: float, refresh_skew: float, verify: bool | str, retries: int,
        on_refresh_persisted: Callable[[RefreshPersisted], None] | None, transport: httpx.BaseTransport | None,
        now: Callable[[], float], user_agent: str | None,
    ) -> None:
        self.settings: Settings = resolve_settings(base_url=base_url, tenant=tenant, api_url=api_url, credentials=credentials,
                                                   profile=profile, config_path=config_path, env=env)
        self.http = HttpOptions(timeout=timeout, user_agent=user_agent or f"latchkey-python/{__version__} python/{platform.python_version()}",
                                secrets=SecretSet(), retries=retries)
        # TLS is verified unless the caller passes a CA bundle; HTTPS_PROXY and friends are honoured (trust_env).
        self.token_client = httpx.Client(verify=verify, transport=transport, trust_env=True)
        self.issuer = self.settings.issuer
        self.cache = TokenCache(self._obtain, refresh_skew, now)
        self.ctx = GrantContext(self.http, self.token_client, self.issuer, self.cache.is_fresh, on_refresh_persisted, now)
        self.source: TokenSource | None = create_source(self.ctx, self.settings.credentials) if self.settings.credentials else None

    def _obtain(self, stale: str | None, force: bool) -> Any:
        if self.source is None:
            raise ConfigError(NO_CREDENTIALS)
        return self.source.obtain(stale, force)

    def api_failure(self, method: str, url: str, res: httpx.Response, body: object) -> ApiError:
        """The ApiError for an error answer; a revoked token from a ``.tok`` file says what that may mean."""
        hint = None
        creds = self.settings.credentials
        if res.status_code == 401 and isinstance(creds, TokenFile) and error_code(body) in GRANT_ENDED_CODES:
            hint = (f"It came from the token file {creds.token_file}: if refreshing fails too "
                    "(get_access_token(force_refresh=True)), its grant has ended and a new token file is needed")
        return api_error(self.http, method, url, res, body, hint)

    def resolve(self, url: str) -> str:
        if re.match(r"^https?://", url, re.I):
            return url
        if url.startswith("/"):
            return self.settings.base_url + url
        raise ConfigError(f'"{url}" is neither an absolute http(s) URL nor a path starting with /')

    def confidential_auth(self) -> ClientAuth:
        """The client id and secret to introspect with: a personal client's or an application's."""
        if isinstance(self.source, ClientCredentialsSource):
            return self.source.client_auth
        if isinstance(self.source, RefreshTokenSource) and isinstance(self.settings.credentials, TokenFile):
            return self.source.client_auth()
        raise ConfigError("introspection needs a confidential client: pass client_id and client_secret")

    def revocation_auth(self) -> ClientAuth:
        if isinstance(self.source, RefreshTokenSource):
            return self.source.client_auth()
        if isinstance(self.source, ClientCredentialsSource):
            return self.source.client_auth
        return ClientAuth("latchkey-sdk")

    def introspect(self, token: str, client_id: str | None, client_secret: str | None) -> Introspection:
        auth = ClientAuth(client_id, client_secret) if client_id and client_secret else self.confidential_auth()
        self.http.secrets.pin(client_secret)
        headers = {"content-type": "application/x-www-form-urlencoded", "accept": "application/json"}
        form = {"token": token}
        auth.apply(headers, form)
        url = tenant_endpoints(self.issuer).introspection
        res = send(self.http, self.token_client, "POST", url, headers=headers, data=form)
        body = read_body(res)
        if res.is_error:
            raise api_error(self.http, "POST", url, res, body)
        return cast(Introspection, body)

    def revoke(self, token: str, hint: str | None) -> None:
        self.ctx.revoke_token(self.revocation_auth(), token, hint or "access_token")

    def logout(self) -> bool:
        if self.source is None:
            return False
        revoked = self.source.revoke()
        self.cache.clear()
        return revoked

    def describe(self) -> str:
        kind = self.settings.credentials.kind if self.settings.credentials else None
        return f"{self.issuer}, {kind or 'no credentials'}"

    def request_args(self, url: str, params: Mapping[str, Any] | None, json: Json, headers: Mapping[str, str] | None) -> tuple[str, dict[str, Any]]:
        kw: dict[str, Any] = {"headers": {"accept": "application/json", **(headers or {})}}
        if params:
            kw["params"] = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in params.items() if v is not None}
        if json is not None:
            kw["json"] = json
        return self.resolve(url), kw


_DOC = """
    ``credentials``: ``Password(email, password)``, ``ClientSecret(client_id, client_secret)``,
    ``TokenFile(path, client_secret)``, ``RefreshToken(token)`` or a mapping with those fields; when
    omitted, the environment and the config file's profile decide (see ``latchkey.config``).
"""


class _Base:
    _core: _Core

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    @property
    def tenant(self) -> str | None:
        """The tenant's name; None when the URL is the tenant's own (``https://acme.id.example.com``)."""
        return self._core.settings.tenant

    @property
    def api_url(self) -> str:
        return self._core.settings.api_url

    @property
    def issuer(self) -> str:
        """The tenant's issuer: ``{base_url}/t/{tenant}``, or the tenant host's URL itself."""
        return self._core.issuer

    @property
    def token_endpoint(self) -> str:
        return self._core.ctx.token_endpoint

    @property
    def credential_kind(self) -> str | None:
        """``password``, ``client_credentials``, ``token_file``, ``refresh_token`` or ``profile`` (a stored login)."""
        c = self._core.settings.credentials
        return c.kind if c else None

    @property
    def profile(self) -> str | None:
        return self._core.settings.profile

    @property
    def config_path(self) -> str:
        return self._core.settings.config_path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._core.describe()})"


class Client(_Base):
    __doc__ = "A synchronous Latchkey client.\n" + _DOC

    def __init__(
        self, base_url: str | None = None, tenant: str | None = None, *, credentials: object | None = None,
        api_url: str | None = None, profile: str | Literal[False] | None = None, config_path: str | None = None,
        env: Mapping[str, str] | None = None, timeout: float = 30.0, refresh_skew: float = 60.0,
        verify: bool | str = True, retries: int = 2, on_refresh_persisted: Callable[[RefreshPersisted], None] | None = None,
        transport: httpx.BaseTransport | None = None, now: Callable[[], float] = time.time, user_agent: str | None = None,
    ) -> None:
        self._core = _Core(base_url=base_url, tenant=tenant, api_url=api_url, credentials=credentials, profile=profile,
                           config_path=config_path, env=env, timeout=timeout, refresh_skew=refresh_skew, verify=verify,
                           retries=retries, on_refresh_persisted=on_refresh_persisted, transport=transport, now=now, user_agent=user_agent)
        self._http = httpx.Client(verify=verify, transport=transport, trust_env=True)
        api = tenant_endpoints(self.issuer).api
        self.clients = PersonalClients(self, api)
        self.domain_clients = DomainClients(self, api)
        self.stale_credentials = StaleCredentials(self, api)
        self.apps = Apps(self, api)

    def close(self) -> None:
        self._http.close()
        self._core.token_client.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_access_token(self, force_refresh: bool = False) -> str:
        """A valid access token: cached, refreshed 60 s before expiry; ``force_refresh`` gets a new one now."""
        return self._core.cache.get(force=force_refresh)

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """An httpx request with ``Authorization: Bearer …``. When the API answers 401 with a code a new
        token mends (``token_expired``, ``ERR_TOKEN_EXPIRED``…: see ``_http.REFRESHABLE_CODES``), the token
        is refreshed (once, shared with concurrent callers) and the request sent again; any other 401 is
        returned as it is.
        ``url``: absolute, or a path starting with ``/`` on ``base_url``."""
        target = self._core.resolve(url)
        headers = dict(kwargs.pop("headers", None) or {})
        token = self._core.cache.get()
        res = send(self._core.http, self._http, method, target, headers={**headers, "authorization": f"Bearer {token}"}, **kwargs)
        if not refresh_may_mend(res.status_code, read_body(res)):
            return res
        fresh = self._core.cache.get(stale=token)
        return send(self._core.http, self._http, method, target, headers={**headers, "authorization": f"Bearer {fresh}"}, **kwargs)

    def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json: Json = None,
                headers: Mapping[str, str] | None = None) -> Any:
        """A JSON request with automatic authentication: the parsed answer (None for 204), or ApiError."""
        target, kw = self._core.request_args(url, params, json, headers)
        res = self.send(method, target, **kw)
        if res.status_code == 204:
            return None
        body = read_body(res)
        if res.is_error:
            raise self._core.api_failure(method, target, res, body)
        return body

    def me(self) -> Me:
        """GET /me: the user the credentials act for (a personal client acts for its owner)."""
        return cast(Me, self.request("GET", f"{tenant_endpoints(self.issuer).api}/me"))

    def introspect(self, token: str, *, client_id: str | None = None, client_secret: str | None = None) -> Introspection:
        """RFC 7662, as a confidential client: the given one, else this client's personal client or app."""
        return self._core.introspect(token, client_id, client_secret)

    def revoke(self, token: str, token_type_hint: str | None = None) -> None:
        """RFC 7009: revokes an access or refresh token of this client's credentials."""
        self._core.revoke(token, token_type_hint)

    def logout(self) -> bool:
        """Revokes the refresh token held (password, stored login, token file!) and forgets the access token."""
        return self._core.logout()


class AsyncClient(_Base):
    __doc__ = "An asyncio Latchkey client (same arguments as ``Client``).\n" + _DOC

    def __init__(
        self, base_url: str | None = None, tenant: str | None = None, *, credentials: object | None = None,
        api_url: str | None = None, profile: str | Literal[False] | None = None, config_path: str | None = None,
        env: Mapping[str, str] | None = None, timeout: float = 30.0, refresh_skew: float = 60.0,
        verify: bool | str = True, retries: int = 2, on_refresh_persisted: Callable[[RefreshPersisted], None] | None = None,
        transport: httpx.BaseTransport | None = None, async_transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], float] = time.time, user_agent: str | None = None,
    ) -> None:
        self._core = _Core(base_url=base_url, tenant=tenant, api_url=api_url, credentials=credentials, profile=profile,
                           config_path=config_path, env=env, timeout=timeout, refresh_skew=refresh_skew, verify=verify,
                           retries=retries, on_refresh_persisted=on_refresh_persisted, transport=transport, now=now, user_agent=user_agent)
        self._http = httpx.AsyncClient(verify=verify, transport=async_transport, trust_env=True)
        api = tenant_endpoints(self.issuer).api
        self.clients = AsyncPersonalClients(self, api)
        self.domain_clients = AsyncDomainClients(self, api)
        self.stale_credentials = AsyncStaleCredentials(self, api)
        self.apps = AsyncApps(self, api)

    async def aclose(self) -> None:
        await self._http.aclose()
        self._core.token_client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _token(self, stale: str | None = None, force: bool = False) -> str:
        cache = self._core.cache
        current = cache.current
        if cache.usable(current, stale, force):
            return current.value  # type: ignore[union-attr]
        # The token machinery (file locks, fsync) is blocking: it runs in a worker thread, where the
        # cache's lock makes every task and thread of the process share one refresh.
        return await asyncio.to_thread(cache.get, stale, force)

    async def get_access_token(self, force_refresh: bool = False) -> str:
        return await self._token(force=force_refresh)

    async def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        target = self._core.resolve(url)
        headers = dict(kwargs.pop("headers", None) or {})
        token = await self._token()
        res = await asend(self._core.http, self._http, method, target, headers={**headers, "authorization": f"Bearer {token}"}, **kwargs)
        if not refresh_may_mend(res.status_code, read_body(res)):
            return res
        fresh = await self._token(stale=token)
        return await asend(self._core.http, self._http, method, target, headers={**headers, "authorization": f"Bearer {fresh}"}, **kwargs)

    async def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json: Json = None,
                      headers: Mapping[str, str] | None = None) -> Any:
        target, kw = self._core.request_args(url, params, json, headers)
        res = await self.send(method, target, **kw)
        if res.status_code == 204:
            return None
        body = read_body(res)
        if res.is_error:
            raise self._core.api_failure(method, target, res, body)
        return body

    async def me(self) -> Me:
        return cast(Me, await self.request("GET", f"{tenant_endpoints(self.issuer).api}/me"))

    async def introspect(self, token: str, *, client_id: str | None = None, client_secret: str | None = None) -> Introspection:
        return await asyncio.to_thread(self._core.introspect, token, client_id, client_secret)

    async def revoke(self, token: str, token_type_hint: str | None = None) -> None:
        await asyncio.to_thread(self._core.revoke, token, token_type_hint)

    async def logout(self) -> bool:
        return await asyncio.to_thread(self._core.logout)
