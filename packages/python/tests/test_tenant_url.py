"""The tenant URL rule (latchkey/_tenant_url.py) on the cases the TypeScript SDK runs too
(packages/sdk/test/fixtures/tenant-url-cases.json), and a client on a tenant URL sending every request
to the root of a stand-in tenant host over real HTTP (the server's host routing is tested in the
path form elsewhere until then)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

import latchkey
from conftest import ROOT, read_json

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


@dataclass
class TenantHost:
    """A stand-in for one tenant at its own host name, every endpoint at the root: records requests,
    answers the token endpoint (rotating refresh tokens it granted) and ``GET /api/v1/me``; 404 elsewhere."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # refresh token -> client id
    access_tokens: set[str] = field(default_factory=set)


def _access_token(n: int) -> str:
    def part(o: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(o).encode()).decode().rstrip("=")
    now = int(time.time())
    return f"{part({'alg': 'none', 'typ': 'at+jwt'})}.{part({'iat': now, 'exp': now + 3600, 'n': n})}.sig"


@pytest.fixture
def tenant_host() -> Iterator[TenantHost]:
    host = TenantHost()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            form = dict(parse_qsl(raw))
            host.requests.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "form": form})
            if self.command == "POST" and self.path == "/oauth2/v1/token":
                auth = self.headers.get("authorization") or ""
                client_id = base64.b64decode(auth.removeprefix("Basic ")).decode().split(":")[0] if auth.startswith("Basic ") else form.get("client_id")
                if form.get("grant_type") == "refresh_token":
                    if host.refresh_tokens.pop(form.get("refresh_token", ""), None) != client_id:
                        return self._send(400, {"error": "invalid_grant"})
                n = len(host.requests)
                access, refresh = _access_token(n), f"lk_rt_host_{n}"
                host.access_tokens.add(access)
                host.refresh_tokens[refresh] = client_id or ""
                return self._send(200, {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh})
            if self.command == "GET" and self.path == "/api/v1/me":
                token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                return self._send(200, {"email": "dev@acme.test"}) if token in host.access_tokens else self._send(401, {"code": "token_invalid"})
            self._send(404, {"title": "Not Found"})

        do_GET = do_POST = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield host
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_tok_file_on_a_tenant_url_is_refreshed_at_the_hosts_root_as_the_documented_curl_does(tenant_host: TenantHost, tmp_path: Path) -> None:
    tok = tmp_path / "app.tok"
    latchkey.write_tok_file(str(tok), {"app_access_token": "stale", "refresh_token": "lk_rt_first", "client_id": "lk_app_1"})
    tenant_host.refresh_tokens["lk_rt_first"] = "lk_app_1"
    env = {"LATCHKEY_URL": tenant_host.url + "/", "LATCHKEY_TOKEN_FILE": str(tok), "LATCHKEY_CLIENT_SECRET": "lk_cs_secret"}
    with latchkey.Client(env=env, profile=False) as lk:
        token = lk.get_access_token()
        assert lk.me() == {"email": "dev@acme.test"}
    refresh, me = tenant_host.requests
    assert (refresh["method"], refresh["path"]) == ("POST", "/oauth2/v1/token")
    assert refresh["headers"]["authorization"] == "Basic " + base64.b64encode(b"lk_app_1:lk_cs_secret").decode()
    assert refresh["headers"]["content-type"].startswith("application/x-www-form-urlencoded")
    assert refresh["form"] == {"grant_type": "refresh_token", "refresh_token": "lk_rt_first"}
    assert (me["method"], me["path"]) == ("GET", "/api/v1/me")
    saved = read_json(tok)
    assert saved["app_access_token"] == token and saved["refresh_token"].startswith("lk_rt_host_") and saved["client_id"] == "lk_app_1"
