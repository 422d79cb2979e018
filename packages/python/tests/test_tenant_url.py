"""The tenant URL rule (latchkey/_tenant_url.py) on the cases the TypeScript SDK runs too
(packages/sdk/test/fixtures/tenant-url-cases.json). A client on a tenant's own host name against the
real server is in test_tenant_host_e2e.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

import latchkey
from conftest import ROOT

CASES = json.loads((ROOT / "packages/sdk/test/fixtures/tenant-url-cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_tenant_url_case(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(latchkey.ConfigError) as info:
            latchkey.locate_tenant(case["url"], case["tenant"])
        assert info.value.code == "ERR_LATCHKEY_CONFIG"
        assert case["error"] in str(info.value)
        return
    where = latchkey.locate_tenant(case["url"], case["tenant"])
    assert {"baseUrl": where.base_url, "tenant": where.tenant, "issuer": where.issuer} == case["expect"]


def test_the_default_tenant_goes_with_the_default_url_only() -> None:
    assert latchkey.resolve_settings(env={}, profile=False).issuer == "http://127.0.0.1:8080/t/demo"
    host = latchkey.resolve_settings(env={"LATCHKEY_URL": "https://acme.id.example.com/"}, profile=False)
    assert (host.base_url, host.tenant, host.issuer) == ("https://acme.id.example.com", None, "https://acme.id.example.com")
    lk = latchkey.Client("https://acme.id.example.com", env={}, profile=False)
    assert (lk.tenant, lk.issuer, lk.token_endpoint) == (None, "https://acme.id.example.com", "https://acme.id.example.com/oauth2/v1/token")
