"""The shared fixtures of settings precedence and .tok files (packages/sdk/test/fixtures/settings-cases.json)
and of error answers (error-cases.json), run through the Python client; the TypeScript SDK's tests run the
very same files."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

import latchkey
from latchkey._credentials.refresh_token import StoredTokens
from latchkey._credentials.token_file import TokenFileStore
from latchkey._http import HttpOptions, api_error, error_code, refresh_may_mend
from latchkey._redact import SecretSet
from conftest import ROOT

FIXTURE = json.loads((ROOT / "packages/sdk/test/fixtures/settings-cases.json").read_text())
ERROR_CASES = json.loads((ROOT / "packages/sdk/test/fixtures/error-cases.json").read_text())["cases"]
SNAKE = {"baseUrl": "base_url", "apiUrl": "api_url", "configPath": "config_path", "tenant": "tenant", "profile": "profile", "credentials": "credentials"}


def with_dir(value: Any, directory: Path) -> Any:
    return json.loads(json.dumps(value).replace("${DIR}", str(directory)))


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def as_ts(settings: latchkey.Settings) -> dict[str, Any]:
    """The resolved settings in the TypeScript SDK's shape (camelCase, absent fields left out)."""
    creds = None
    if settings.credentials is not None:
        creds = {camel(k): v for k, v in dataclasses.asdict(settings.credentials).items() if v is not None}
    return {"baseUrl": settings.base_url, "tenant": settings.tenant, "issuer": settings.issuer, "apiUrl": settings.api_url, "configPath": settings.config_path,
            "profile": settings.profile, "credentials": creds}


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    return tmp_path.resolve()


@pytest.mark.parametrize("case", FIXTURE["settings"], ids=[c["name"] for c in FIXTURE["settings"]])
def test_settings_case(case: dict[str, Any], scratch: Path) -> None:
    for name, content in with_dir(case.get("files", {}), scratch).items():
        file = scratch / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(content if isinstance(content, str) else json.dumps(content))
    env = with_dir({"HOME": f"{scratch}/home", **case["env"]}, scratch)
    kwargs = {SNAKE[k]: v for k, v in with_dir(case["input"], scratch).items()}
    if "error" in case:
        with pytest.raises(latchkey.ConfigError) as info:
            latchkey.resolve_settings(env=env, **kwargs)
        assert info.value.code == "ERR_LATCHKEY_CONFIG"
        assert re.search(case["error"], str(info.value)), str(info.value)
        return
    assert as_ts(latchkey.resolve_settings(env=env, **kwargs)) == with_dir(case["expect"], scratch)


@pytest.mark.parametrize("case", FIXTURE["tokFiles"], ids=[c["name"] for c in FIXTURE["tokFiles"]])
def test_tok_file_case(case: dict[str, Any], scratch: Path) -> None:
    file = scratch / "app.tok"
    if case["content"] is not None:
        file.write_text(case["content"])
    if "error" in case:
        with pytest.raises(latchkey.ConfigError) as info:
            TokenFileStore(str(file)).load()
        assert re.search(case["error"], str(info.value)), str(info.value)
        return
    stored = TokenFileStore(str(file)).load()
    assert {"refreshToken": stored.refresh_token, "accessToken": stored.access_token, "clientId": stored.client_id} == case["expect"]


@pytest.mark.parametrize("case", FIXTURE["tokSave"], ids=[c["name"] for c in FIXTURE["tokSave"]])
def test_tok_rotation_case(case: dict[str, Any], scratch: Path) -> None:
    file = scratch / "app.tok"
    file.write_text(json.dumps(case["before"]))
    os.chmod(file, 0o644)
    TokenFileStore(str(file)).save(StoredTokens(case["tokens"]["refreshToken"], case["tokens"]["accessToken"]), case["response"])
    # Byte for byte what the TypeScript SDK writes.
    assert file.read_text(encoding="utf-8") == case["afterText"]
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    assert os.listdir(scratch) == ["app.tok"]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c["name"] for c in ERROR_CASES])
def test_error_case(case: dict[str, Any]) -> None:
    assert error_code(case["body"]) == case["expect"]["code"]
    assert refresh_may_mend(case["status"], case["body"]) is case["expect"]["refresh"]
    res = httpx.Response(case["status"], request=httpx.Request("GET", "http://127.0.0.1/x"))
    err = api_error(HttpOptions(timeout=1, user_agent="test", secrets=SecretSet()), "GET", "http://127.0.0.1/x", res, case["body"])
    assert err.problem_code == case["expect"]["code"] and err.status == case["status"]
