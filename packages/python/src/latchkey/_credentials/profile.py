"""A stored login (``latchkey login``) as a token store, rotated in place in the config file."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from .._files import file_lock, write_json_file
from ..config import read_config_file
from ..errors import ConfigError
from .refresh_token import StoredTokens


class ProfileTokenStore:
    """A stored login (``latchkey login``): rotated in place in the config file, under its lock."""

    def __init__(self, config_path: str, profile: str) -> None:
        self.config_path = config_path
        self.profile = profile
        self.description = f'profile "{profile}" in {config_path}'
        self.dead_grant_hint = "The stored login has ended: sign in again (`latchkey login`)"

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
