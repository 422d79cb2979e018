"""A ``.tok`` file as a token store: locked across processes (``app.tok.lock``), rewritten atomically."""

from __future__ import annotations

import json
import os
from contextlib import AbstractContextManager
from typing import Any

from .._files import file_lock, write_json_file
from ..errors import ConfigError
from .refresh_token import StoredTokens


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


#: Said when a token file's grant has ended: nothing in the file can be used any more.
DEAD_TOKEN_FILE = ("This token file no longer works: a new token file is needed "
                   "(an administrator of the application generates one: console, Applications, GENERATE ACCESS TOKEN)")


class TokenFileStore:
    """A ``.tok`` file: locked across processes (``app.tok.lock``), rewritten atomically, extra fields kept."""

    def __init__(self, file: str) -> None:
        self.file = os.path.abspath(file)
        self.description = f"token file {self.file}"
        self.dead_grant_hint = DEAD_TOKEN_FILE

    def exclusive(self) -> AbstractContextManager[None]:
        return file_lock(self.file)

    def load(self) -> StoredTokens:
        doc = read_tok_file(self.file)
        cid = doc.get("client_id")
        return StoredTokens(doc["refresh_token"], doc["app_access_token"], cid if isinstance(cid, str) else None)

    def save(self, tokens: StoredTokens, response: dict[str, Any]) -> None:
        # Re-read under the lock so fields someone added by hand survive.
        write_tok_file(self.file, merge_tok(read_tok_file(self.file), tokens, response))
