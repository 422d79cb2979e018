"""Latchkey for Python: the same credentials, refresh and ``.tok`` safety as the TypeScript SDK.

    import latchkey
    lk = latchkey.Client(credentials=latchkey.ClientSecret(client_id, client_secret))
    print(lk.me()["email"])
"""

from ._credentials.refresh_token import SDK_CLIENT_ID
from ._credentials.token_file import read_tok_file, write_tok_file
from ._credentials.types import RefreshPersisted
from ._tenant_url import TenantLocation, locate_tenant
from .client import AsyncClient, Client, __version__
from .config import (
    DEFAULT_API_URL, DEFAULT_BASE_URL, DEFAULT_TENANT, ClientSecret, Credentials, Password, RefreshToken, Settings,
    StoredLogin, TokenFile, default_config_path, read_config_file, resolve_settings,
)
from .errors import ApiError, AuthError, ConfigError, LatchkeyError, NetworkError, TokenStoreError

__all__ = [
    "Client", "AsyncClient", "Password", "ClientSecret", "TokenFile", "RefreshToken", "StoredLogin", "Credentials",
    "Settings", "resolve_settings", "locate_tenant", "TenantLocation", "default_config_path", "read_config_file", "read_tok_file", "write_tok_file",
    "RefreshPersisted", "SDK_CLIENT_ID", "DEFAULT_BASE_URL", "DEFAULT_TENANT", "DEFAULT_API_URL",
    "LatchkeyError", "ConfigError", "AuthError", "ApiError", "NetworkError", "TokenStoreError", "__version__",
]
