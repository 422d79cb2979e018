"""Settings resolution, exactly as the TypeScript SDK's (packages/sdk/src/config.ts); the shared
fixture packages/sdk/test/fixtures/settings-cases.json keeps the two from drifting.

Where settings come from, highest first:
  1. explicit arguments (``Client(base_url=…, tenant=…, api_url=…, credentials=…)``),
  2. environment variables (LATCHKEY_URL, LATCHKEY_TENANT, LATCHKEY_API_URL, LATCHKEY_CLIENT_ID,
     LATCHKEY_CLIENT_SECRET, LATCHKEY_TOKEN_FILE, LATCHKEY_EMAIL, LATCHKEY_PASSWORD),
  3. a profile of the config file (``profile=`` / LATCHKEY_PROFILE / the file's ``defaultProfile`` /
     ``default``; the file is LATCHKEY_CONFIG or $XDG_CONFIG_HOME/latchkey/config.json or
     ~/.config/latchkey/config.json),
  4. defaults (http://127.0.0.1:8080, tenant ``demo``, API http://127.0.0.1:8081).
URL, tenant and API URL are resolved one by one; a URL given with no tenant anywhere is a tenant's
own URL (``_tenant_url.py``), so the default tenant goes with the default URL only. Credentials are resolved as a kind: explicit
``credentials`` win outright; otherwise the highest source that names a kind decides it, and fields
that kind still lacks are taken from lower sources.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union
from urllib.parse import urlsplit

from ._files import file_lock, write_json_file
from ._tenant_url import locate_tenant
from .errors import ConfigError

__all__ = [
    "DEFAULT_BASE_URL", "DEFAULT_TENANT", "DEFAULT_API_URL", "Password", "ClientSecret", "TokenFile",
    "RefreshToken", "StoredLogin", "Credentials", "Settings", "default_config_path", "read_config_file",
    "resolve_settings", "classify_credentials", "update_config_file",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TENANT = "demo"
DEFAULT_API_URL = "http://127.0.0.1:8081"


@dataclass(frozen=True)
class Password:
    """Email and password, through the public client ``latchkey-sdk``; the rotating refresh token it
    gets is kept in memory."""

    email: str
    password: str = field(repr=False)
    client_id: str | None = None
    scope: str | list[str] | None = None
    kind: Literal["password"] = field(default="password", init=False)


@dataclass(frozen=True)
class ClientSecret:
    """A personal OAuth2 client's (or an application's) id and secret: client_credentials."""

    client_id: str
    client_secret: str = field(repr=False)
    scope: str | list[str] | None = None
    kind: Literal["client_credentials"] = field(default="client_credentials", init=False)


@dataclass(frozen=True)
class TokenFile:
    """A ``.tok`` file and the application's secret (its id defaults to the file's ``client_id``);
    the file is rewritten, atomically and under its lock, on every rotation."""

    token_file: str
    client_secret: str = field(repr=False)
    client_id: str | None = None
    kind: Literal["token_file"] = field(default="token_file", init=False)


@dataclass(frozen=True)
class RefreshToken:
    """A refresh token you hold, rotated in memory (client ``latchkey-sdk`` unless given)."""

    refresh_token: str = field(repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    kind: Literal["refresh_token"] = field(default="refresh_token", init=False)


@dataclass(frozen=True)
class StoredLogin:
    """A stored login (``latchkey login``): rotated in place in the profile of the config file."""

    config_path: str
    profile: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    kind: Literal["profile"] = field(default="profile", init=False)


Credentials = Union[Password, ClientSecret, TokenFile, RefreshToken, StoredLogin]


@dataclass(frozen=True)
class Settings:
    #: The server's URL (a tenant host's URL in the host form).
    base_url: str
    #: The tenant's name in the path form; None when the URL is a tenant host's.
    tenant: str | None
    #: The tenant's issuer: every endpoint is under it.
    issuer: str
    api_url: str
    config_path: str
    #: The profile used, if one was found.
    profile: str | None
    credentials: Credentials | None


PROFILE_FIELDS = ("url", "tenant", "apiUrl", "email", "password", "clientId", "clientSecret", "tokenFile", "refreshToken", "accessToken")
# Loose credential fields, in the config file's (camelCase) names.
CREDENTIAL_FIELDS = ("email", "password", "clientId", "clientSecret", "tokenFile", "refreshToken")
ENV_NAMES = {
    "email": "LATCHKEY_EMAIL", "password": "LATCHKEY_PASSWORD", "clientId": "LATCHKEY_CLIENT_ID",
    "clientSecret": "LATCHKEY_CLIENT_SECRET", "tokenFile": "LATCHKEY_TOKEN_FILE", "refreshToken": "the profile (latchkey login)",
}
_SNAKE = {"email": "email", "password": "password", "clientId": "client_id", "clientSecret": "client_secret", "tokenFile": "token_file", "refreshToken": "refresh_token"}

NO_CREDENTIALS = (
    "no credentials: pass `credentials`, set LATCHKEY_EMAIL + LATCHKEY_PASSWORD, "
    "LATCHKEY_CLIENT_ID + LATCHKEY_CLIENT_SECRET or LATCHKEY_TOKEN_FILE + LATCHKEY_CLIENT_SECRET, or use a profile (`latchkey login`)"
)


def _field_wording(name: str) -> str:
    return f"`credentials.{_SNAKE[name]}`"


def one_of(choices: list[str | None]) -> str:
    c = [x for x in choices if x]
    return (c[0] if c else "") if len(c) <= 1 else f"{', '.join(c[:-1])} or {c[-1]}"


def default_config_path(env: Mapping[str, str] | None = None) -> str:
    """LATCHKEY_CONFIG, else $XDG_CONFIG_HOME/latchkey/config.json, else ~/.config/latchkey/config.json."""
    env = os.environ if env is None else env
    if env.get("LATCHKEY_CONFIG"):
        return os.path.abspath(env["LATCHKEY_CONFIG"])
    xdg = env.get("XDG_CONFIG_HOME")
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    base = xdg if xdg and os.path.isabs(xdg) else os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return os.path.join(base, "latchkey", "config.json")


def read_config_file(file: str) -> dict[str, Any]:
    """``{"defaultProfile"?, "profiles": {name: {...}}}``; a missing file is an empty config."""
    if not os.path.exists(file):
        return {"profiles": {}}
    try:
        with open(file, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (ValueError, OSError) as err:
        raise ConfigError(f"the config file {file} is not valid JSON") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"the config file {file} must hold a JSON object")
    default = raw.get("defaultProfile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"defaultProfile in {file} must be a string")
    profiles: dict[str, dict[str, str]] = {}
    if raw.get("profiles") is not None:
        if not isinstance(raw["profiles"], dict):
            raise ConfigError(f"profiles in {file} must be an object")
        for name, p in raw["profiles"].items():
            if not isinstance(p, dict):
                raise ConfigError(f'profile "{name}" in {file} must be an object')
            profile: dict[str, str] = {}
            for f in PROFILE_FIELDS:
                v = p.get(f)
                if v is None:
                    continue
                if not isinstance(v, str):
                    raise ConfigError(f'{f} of profile "{name}" in {file} must be a string')
                profile[f] = v
            profiles[name] = profile
    out: dict[str, Any] = {}
    if default is not None:
        out["defaultProfile"] = default
    out["profiles"] = profiles
    return out


def update_config_file(file: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read-modify-write of the config file under its lock (``config.json.lock``), mode 0600."""
    os.makedirs(os.path.dirname(file), mode=0o700, exist_ok=True)
    with file_lock(file):
        config = read_config_file(file)
        change(config)
        write_json_file(file, config)
        return config


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    names = {
        "url": "LATCHKEY_URL", "tenant": "LATCHKEY_TENANT", "apiUrl": "LATCHKEY_API_URL", "email": "LATCHKEY_EMAIL",
        "password": "LATCHKEY_PASSWORD", "clientId": "LATCHKEY_CLIENT_ID", "clientSecret": "LATCHKEY_CLIENT_SECRET",
        "tokenFile": "LATCHKEY_TOKEN_FILE",
    }
    return {k: env[n] for k, n in names.items() if env.get(n)}


def _kind_of(f: Mapping[str, str], merged: Mapping[str, str]) -> str | None:
    if f.get("tokenFile"):
        return "token_file"
    if f.get("password"):
        return "password"
    if (f.get("clientId") or f.get("clientSecret")) and merged.get("clientId") and merged.get("clientSecret"):
        return "token_file" if merged.get("tokenFile") else "client_credentials"
    if f.get("refreshToken"):
        return "profile"
    return None


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _check_url(name: str, value: str) -> str:
    try:
        u = urlsplit(value)
        valid = bool(_URL_SCHEME.match(value)) and u.scheme.lower() in ("http", "https") and bool(u.netloc)
        u.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        valid = False
        u = None  # type: ignore[assignment]
    if not valid:
        if u is not None and _URL_SCHEME.match(value) and u.scheme.lower() not in ("http", "https"):
            raise ConfigError(f'{name} must be an http(s) URL, got "{value}"')
        raise ConfigError(f'{name} must be an absolute http(s) URL, got "{value}"')
    return value.rstrip("/")


def _non_empty(name: str, v: object) -> str:
    if not isinstance(v, str) or v == "":
        raise ConfigError(f"credentials.{name} must be a non-empty string")
    return v


def classify_credentials(c: object) -> Credentials:
    """Explicit credentials (a unit: nothing is filled in from elsewhere): a dataclass, or a mapping
    with the fields of one (snake_case, or the TypeScript SDK's camelCase)."""
    if isinstance(c, (Password, ClientSecret, TokenFile, RefreshToken, StoredLogin)):
        return c
    if not isinstance(c, Mapping):
        raise ConfigError("credentials must be a mapping or one of Password, ClientSecret, TokenFile, RefreshToken")
    d = {_SNAKE.get(k, k): v for k, v in c.items()}
    if d.get("token_file") is not None:
        return TokenFile(token_file=_non_empty("token_file", d["token_file"]), client_secret=_non_empty("client_secret", d.get("client_secret")), client_id=d.get("client_id") or None)
    if d.get("refresh_token") is not None:
        return RefreshToken(refresh_token=_non_empty("refresh_token", d["refresh_token"]), client_id=d.get("client_id"), client_secret=d.get("client_secret"))
    if d.get("password") is not None:
        return Password(email=_non_empty("email", d.get("email")), password=_non_empty("password", d["password"]), client_id=d.get("client_id"), scope=d.get("scope"))
    if d.get("client_secret") is not None:
        return ClientSecret(client_id=_non_empty("client_id", d.get("client_id")), client_secret=_non_empty("client_secret", d["client_secret"]), scope=d.get("scope"))
    raise ConfigError("credentials need one of: {email, password}, {client_id, client_secret}, {token_file, client_secret}, {refresh_token}")


def resolve_settings(
    *,
    base_url: str | None = None,
    tenant: str | None = None,
    api_url: str | None = None,
    credentials: object | None = None,
    credential_fields: Mapping[str, str] | None = None,
    profile: str | Literal[False] | None = None,
    config_path: str | None = None,
    env: Mapping[str, str] | None = None,
    skip_credentials: bool = False,
) -> Settings:
    """Resolves URL, tenant, API URL and credentials from arguments, environment, profile and defaults.
    ``env`` defaults to ``os.environ`` (``{}`` ignores the environment); ``profile=False`` ignores the
    config file; ``credential_fields`` are loose fields above the environment (camelCase names)."""
    env = os.environ if env is None else env
    e = _from_env(env)
    path = os.path.abspath(config_path) if config_path else default_config_path(env)

    profile_name: str | None = None
    prof: dict[str, str] = {}
    if profile is not False:
        named = profile if profile is not None else (env.get("LATCHKEY_PROFILE") or None)
        config = read_config_file(path)
        name = named if named is not None else config.get("defaultProfile", "default")
        found = config["profiles"].get(name)
        if found is not None:
            profile_name = name
            prof = dict(found)
            if prof.get("tokenFile"):
                prof["tokenFile"] = os.path.normpath(os.path.join(os.path.dirname(path), prof["tokenFile"]))
        elif named is not None:
            raise ConfigError(f'profile "{named}" not found in {path}')

    def pick(explicit: str | None, key: str, default: str) -> str:
        if explicit is not None:
            return explicit
        return e.get(key) or prof.get(key) or default

    url = base_url if base_url is not None else (e.get("url") or prof.get("url") or None)
    where = locate_tenant(
        _check_url("the Latchkey URL", url if url is not None else DEFAULT_BASE_URL),
        tenant if tenant is not None else (e.get("tenant") or prof.get("tenant") or (DEFAULT_TENANT if url is None else None)),
    )
    resolved_api = _check_url("the API URL", pick(api_url, "apiUrl", DEFAULT_API_URL))

    creds: Credentials | None = None
    if skip_credentials:
        creds = None
    elif credentials is not None:
        creds = classify_credentials(credentials)
    else:
        flags = {k: v for k, v in (credential_fields or {}).items() if v}
        layers = [flags, {k: v for k, v in e.items() if k in CREDENTIAL_FIELDS}, {k: v for k, v in prof.items() if k in CREDENTIAL_FIELDS}]
        merged: dict[str, str] = {}
        for layer in reversed(layers):
            for k, v in layer.items():
                if v:
                    merged[k] = v
        kind = _kind_of(flags, merged) or _kind_of(layers[1], merged) or _kind_of(layers[2], merged) or _kind_of(merged, merged)

        def need(f: str, what: str) -> str:
            v = merged.get(f)
            if not v:
                sources = one_of([_field_wording(f), ENV_NAMES[f], "the profile's " + f])
                raise ConfigError(f"{what} is missing: use {sources}")
            return v

        if kind == "token_file":
            creds = TokenFile(
                token_file=os.path.abspath(need("tokenFile", "the token file")),
                client_secret=need("clientSecret", "the application's client secret"),
                client_id=merged.get("clientId") or None,
            )
        elif kind == "password":
            creds = Password(email=need("email", "the email"), password=need("password", "the password"))
        elif kind == "client_credentials":
            creds = ClientSecret(client_id=need("clientId", "the client id"), client_secret=need("clientSecret", "the client secret"))
        elif kind == "profile":
            # A stored login lives in the profile that holds it, never in a lower source.
            creds = StoredLogin(config_path=path, profile=profile_name or "")
    return Settings(base_url=where.base_url, tenant=where.tenant, issuer=where.issuer, api_url=resolved_api, config_path=path, profile=profile_name, credentials=creds)
