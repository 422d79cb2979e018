"""The Python client on a tenant's own host name against the real server: ``demo.id.test`` registered
through the platform API, reached on loopback by an httpx transport that keeps the name in the Host
header. Every request goes to the host's root and the tokens carry the host's issuer
(PUBLIC_URL's scheme and port, the host's name: ``http://demo.id.test:{port}``)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

import latchkey
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Server, read_json


class Loopback(httpx.HTTPTransport):
    """Connects every ``*.id.test`` request to 127.0.0.1, the name kept in the Host header (set from the
    URL when the request was made); records what was sent, under the URL as the client wrote it."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append({"method": request.method, "url": str(request.url), "headers": dict(request.headers),
                          "form": dict(parse_qsl(request.read().decode()))})
        if request.url.host.endswith(".id.test"):
            request.url = request.url.copy_with(host="127.0.0.1")
        return super().handle_request(request)

    def lines(self) -> list[str]:
        return [f"{s['method']} {s['url']}" for s in self.sent]


def claims(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture(scope="module")
def host_url(server: Server) -> str:
    """demo's URL at its host; the path form keeps working for the other tests of the session."""
    server.admin.request("PATCH", f"{server.url}/platform/api/v1/tenants/demo", json={"hosts": ["demo.id.test"]})
    return "http://demo.id.test:" + server.url.rsplit(":", 1)[1]


def test_the_metadata_at_the_host_names_it_and_a_password_login_there_gets_its_issuer(server: Server, host_url: str) -> None:
    transport = Loopback()
    with httpx.Client(transport=transport) as http:
        md = http.get(f"{host_url}/.well-known/oauth-authorization-server").json()
    assert (md["issuer"], md["token_endpoint"]) == (host_url, f"{host_url}/oauth2/v1/token")
    with latchkey.Client(host_url, credentials=latchkey.Password(ADMIN_EMAIL, ADMIN_PASSWORD), env={}, profile=False, transport=transport) as lk:
        assert (lk.tenant, lk.issuer, lk.token_endpoint) == (None, host_url, f"{host_url}/oauth2/v1/token")
        assert claims(lk.get_access_token())["iss"] == host_url
        assert lk.me()["email"] == ADMIN_EMAIL
    assert transport.lines()[1:] == [f"POST {host_url}/oauth2/v1/token", f"GET {host_url}/api/v1/me"]
    # The path form, beside it: the same tenant, its own issuer.
    assert claims(server.admin.get_access_token())["iss"] == f"{server.url}/t/demo"


def test_a_tok_file_is_refreshed_at_the_hosts_root_as_the_documented_curl_does(server: Server, host_url: str, tmp_path: Path) -> None:
    app = server.create_app(grant_types=["refresh_token"])
    tok = server.tok_file(app, tmp_path)
    first = read_json(tok)
    transport = Loopback()
    env = {"LATCHKEY_URL": host_url + "/", "LATCHKEY_TOKEN_FILE": tok, "LATCHKEY_CLIENT_SECRET": app["clientSecret"]}
    with latchkey.Client(env=env, profile=False, transport=transport) as lk:
        assert lk.issuer == host_url
        token = lk.get_access_token(force_refresh=True)
        assert lk.introspect(token)["active"] is True
        assert lk.logout() is True
        with pytest.raises(latchkey.AuthError) as dead:
            lk.get_access_token(force_refresh=True)
        assert dead.value.error == "invalid_grant"
    refresh = transport.sent[0]
    assert (refresh["method"], refresh["url"]) == ("POST", f"{host_url}/oauth2/v1/token")
    assert refresh["headers"]["authorization"] == "Basic " + base64.b64encode(f"{app['clientId']}:{app['clientSecret']}".encode()).decode()
    assert refresh["headers"]["content-type"].startswith("application/x-www-form-urlencoded")
    assert refresh["headers"]["host"] == host_url.removeprefix("http://")
    assert refresh["form"] == {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert transport.lines()[1:3] == [f"POST {host_url}/oauth2/v1/introspect", f"POST {host_url}/oauth2/v1/revoke"]
    saved = read_json(tok)
    assert saved["refresh_token"] != first["refresh_token"] and saved["app_access_token"] == token
    assert saved["client_id"] == app["clientId"]
    assert (claims(token)["iss"], claims(token)["client_id"]) == (host_url, app["clientId"])


def test_a_personal_client_at_the_host_and_an_unknown_host(server: Server, host_url: str) -> None:
    made = server.admin.clients.create("python host", dt.date.today() + dt.timedelta(days=2))
    creds = latchkey.ClientSecret(made["clientId"], made["clientSecret"])
    transport = Loopback()
    with latchkey.Client(host_url, credentials=creds, env={}, profile=False, transport=transport) as lk:
        assert lk.me()["email"] == ADMIN_EMAIL
        assert any(c["clientId"] == made["clientId"] for c in lk.clients.list()["items"])
        assert claims(lk.get_access_token())["iss"] == host_url
    assert transport.lines() == [f"POST {host_url}/oauth2/v1/token", f"GET {host_url}/api/v1/me", f"GET {host_url}/api/v1/me/oauth2-clients"]
    assert transport.sent[0]["form"] == {"grant_type": "client_credentials"}

    nobody = "http://nobody.id.test:" + server.url.rsplit(":", 1)[1]
    with latchkey.Client(nobody, credentials=creds, env={}, profile=False, transport=Loopback()) as lk, pytest.raises(latchkey.AuthError) as info:
        lk.get_access_token()
    assert info.value.status == 404
