"""One module per way of getting tokens, as in the TypeScript SDK's src/credentials."""

from __future__ import annotations

from ..config import ClientSecret, Credentials, Password, RefreshToken, StoredLogin, TokenFile
from ..errors import ConfigError
from .client_credentials import ClientCredentialsSource
from .password import PasswordSource
from .profile import ProfileTokenStore
from .refresh_token import MemoryTokenStore, RefreshTokenSource, StoredTokens
from .token_file import TokenFileStore
from .types import GrantContext, TokenSource


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
