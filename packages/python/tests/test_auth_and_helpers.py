"""The httpx and requests adapters, and the typed helpers, against the real server."""

from __future__ import annotations

import asyncio
import base64
import json
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

import latchkey
from latchkey.auth import HttpxAuth, RequestsAuth
from conftest import ADMIN_EMAIL, FakeApi, Server, read_json


@pytest.fixture(scope="module")
def personal(server: Server) -> latchkey.types.CreatedPersonalClient:
    return server.admin.clients.create("python adapter tests", dt.date.today() + dt.timedelta(days=3))


def test_httpx_auth_adds_the_bearer_token_and_refreshes_once_on_expired(server: Server, personal: latchkey.types.CreatedPersonalClient, fake_api: FakeApi) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]))
    with httpx.Client(auth=HttpxAuth(lk)) as http:
        assert http.get(f"{server.url}/t/demo/api/v1/me").json()["email"] == ADMIN_EMAIL
        t1 = lk.get_access_token()
        fake_api.expired.add(t1)
        res = http.post(f"{fake_api.url}/things", json={"a": 1})
        assert res.status_code == 200 and fake_api.seen[0] == t1 and fake_api.seen[1] != t1

    async def main() -> tuple[int, int]:
        async with server.async_client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"])) as alk:
            async with httpx.AsyncClient(auth=HttpxAuth(alk)) as ahttp:
                me = (await ahttp.get(f"{server.url}/t/demo/api/v1/me")).status_code
                fake_api.expired.add(await alk.get_access_token())
                return me, (await ahttp.get(f"{fake_api.url}/things")).status_code

    seen = len(fake_api.seen)
    assert asyncio.run(main()) == (200, 200)
    assert len(fake_api.seen) == seen + 2 and fake_api.seen[-1] not in fake_api.expired
    assert "secret" not in repr(HttpxAuth(lk)).lower()


def test_requests_auth_adds_the_bearer_token_and_refreshes_once_on_expired(server: Server, personal: latchkey.types.CreatedPersonalClient, fake_api: FakeApi) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]))
    auth = RequestsAuth(lk)
    assert isinstance(auth, requests.auth.AuthBase)
    assert requests.get(f"{server.url}/t/demo/api/v1/me", auth=auth, timeout=10).json()["email"] == ADMIN_EMAIL
    t1 = lk.get_access_token()
    fake_api.expired.add(t1)
    res = requests.post(f"{fake_api.url}/things", json={"a": 1}, auth=auth, timeout=10)
    assert res.status_code == 200 and res.json()["method"] == "POST"
    assert fake_api.seen[0] == t1 and fake_api.seen[1] == lk.get_access_token() != t1
    assert len(res.history) == 1 and res.history[0].status_code == 401


def test_personal_client_helpers_create_list_get_and_revoke(server: Server) -> None:
    created = server.admin.clients.create("helper test", dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    assert created["clientSecret"].startswith("lk_cs_")
    ids = [c["id"] for c in server.admin.clients.list(limit=100)["items"]]
    assert created["id"] in ids
    got = server.admin.clients.get(created["id"])
    assert (got["clientId"], got["status"]) == (created["clientId"], "active")
    server.admin.clients.delete(created["id"])
    assert server.admin.clients.get(created["id"])["status"] == "revoked"
    with pytest.raises(latchkey.AuthError) as info:
        server.client(credentials=latchkey.ClientSecret(created["clientId"], created["clientSecret"])).get_access_token()
    assert info.value.error == "invalid_client"
    with pytest.raises(latchkey.ApiError) as missing:
        server.admin.clients.get("no-such-client")
    assert missing.value.status == 404 and missing.value.code == "ERR_LATCHKEY_API"


def test_personal_client_with_a_scope_subset(server: Server) -> None:
    # The administrator holds built-in roles only (no scopes): give him one granting both sample scopes.
    role = server.admin.request("POST", f"{server.url}/t/demo/api/v1/roles", json={"name": "python scoped readers", "scopes": ["metering", "myservices"]})
    me = server.admin.me()
    server.admin.request("PATCH", f"{server.url}/t/demo/api/v1/users/{me['id']}", json={"roleIds": [*(r["id"] for r in me["roles"]), role["id"]]})
    scoped = server.admin.clients.create("python scoped", dt.date.today() + dt.timedelta(days=2), scopes=["metering"])
    everything = server.admin.clients.create("python everything", dt.date.today() + dt.timedelta(days=2))
    assert (scoped["scopes"], everything["scopes"]) == (["metering"], None)
    assert server.admin.clients.get(scoped["id"])["scopes"] == ["metering"]
    token = server.client(credentials=latchkey.ClientSecret(scoped["clientId"], scoped["clientSecret"])).get_access_token()
    assert latchkey_claims(token)["scope"] == "metering"
    with pytest.raises(latchkey.ApiError) as refused:
        server.admin.clients.create("python too wide", dt.date.today() + dt.timedelta(days=2), scopes=["metering", "billing"])
    assert refused.value.status == 400 and "billing" in str(refused.value)
    assert "python too wide" not in [c["name"] for c in server.admin.clients.list(limit=100)["items"]]


def test_stale_credentials_and_last_use(server: Server) -> None:
    soon = server.admin.clients.create("python expiring", dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2))
    assert soon["scopes"] is None
    shown = server.admin.clients.get(soon["id"])
    assert (shown["lastUsedAt"], shown["lastUsedAddress"], shown["lastUsedUserAgent"]) == (None, None, None)
    items = server.admin.stale_credentials.list(expiring_within_days=5, never_used=True, kind="personal", limit=200)["items"]
    mine = [c for c in items if c["id"] == soon["id"]]
    assert len(mine) == 1 and mine[0]["reasons"] == ["never_used", "expiring"] and mine[0]["kind"] == "personal"
    assert mine[0]["owner"] is not None and mine[0]["owner"]["id"] == server.admin.me()["id"]
    assert soon["id"] not in [c["id"] for c in server.admin.stale_credentials.list(kind="app", never_used=True)["items"]]
    with pytest.raises(latchkey.ApiError) as refused:
        server.admin.stale_credentials.list()
    assert refused.value.status == 400 and "unusedDays" in str(refused.value)


def latchkey_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_app_helpers_and_generate_tokens(server: Server, tmp_path: Path) -> None:
    app = server.create_app(description="made from Python")
    assert app["clientSecret"] and app["status"] == "active"
    assert server.admin.apps.get(app["id"])["description"] == "made from Python"
    assert server.admin.apps.update(app["id"], name="renamed from Python")["name"] == "renamed from Python"
    assert server.admin.apps.deactivate(app["id"])["status"] == "inactive"
    assert server.admin.apps.activate(app["id"])["status"] == "active"
    out = tmp_path / "gen.tok"
    doc = server.admin.apps.generate_tokens(app["id"], out=str(out), scopes=["metering"])
    assert read_json(out) == dict(doc) and doc["refresh_token"].startswith("lk_rt_")
    with pytest.raises(latchkey.ConfigError, match="exists; pass overwrite=True"):
        server.admin.apps.generate_tokens(app["id"], out=str(out))
    rotated = server.admin.apps.rotate_secret(app["id"])
    assert rotated["clientSecret"] != app["clientSecret"]
    # A new secret ends every refresh token of the app.
    with pytest.raises(latchkey.AuthError) as dead:
        server.client(credentials=latchkey.TokenFile(str(out), rotated["clientSecret"])).get_access_token(force_refresh=True)
    assert dead.value.error == "invalid_grant"
    assert app["id"] in [a["id"] for a in server.admin.apps.list(limit=100)["items"]]
    server.admin.apps.delete(app["id"])
    with pytest.raises(latchkey.ApiError):
        server.admin.apps.get(app["id"])


def test_introspect_revoke_and_logout(server: Server, personal: latchkey.types.CreatedPersonalClient, tmp_path: Path) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]))
    token = lk.get_access_token()
    info = lk.introspect(token)
    assert info["active"] is True and info["client_id"] == personal["clientId"]
    lk.revoke(token)
    assert lk.introspect(token)["active"] is False
    with pytest.raises(latchkey.ConfigError, match="confidential client"):
        server.admin.introspect(token)
    assert server.admin.introspect(token, client_id=personal["clientId"], client_secret=personal["clientSecret"])["active"] is False

    app = server.create_app()
    file = server.tok_file(app, tmp_path)
    holder = server.client(credentials=latchkey.TokenFile(file, app["clientSecret"]))
    assert holder.logout() is True
    with pytest.raises(latchkey.AuthError) as info2:
        holder.get_access_token(force_refresh=True)
    assert info2.value.error == "invalid_grant"
