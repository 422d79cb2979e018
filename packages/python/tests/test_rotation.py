"""Secret rotation from Python: ``clients.rotate``, ``domain_clients.rotate``, ``apps.rotate_secret`` with
an overlap, against the real server (sync and async)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Server

import latchkey


def works(server: Server, client_id: str, secret: str) -> bool:
    """Whether the id and secret get a token now (a fresh client: no token cache)."""
    try:
        server.client(credentials=latchkey.ClientSecret(client_id, secret)).get_access_token()
        return True
    except latchkey.AuthError as err:
        assert err.error == "invalid_client"
        return False


def in_days(n: int) -> dt.date:
    return dt.date.today() + dt.timedelta(days=n)


def test_rotate_keeps_the_client_id_and_stops_the_old_secret_at_once(server: Server) -> None:
    created = server.admin.clients.create("python rotate", in_days(5))
    rotated = server.admin.clients.rotate(created["id"])
    assert rotated["clientId"] == created["clientId"] and rotated["id"] == created["id"]
    assert rotated["clientSecret"].startswith("lk_cs_") and rotated["clientSecret"] != created["clientSecret"]
    assert rotated["previousSecretExpiresAt"] is None
    assert not works(server, created["clientId"], created["clientSecret"])
    assert works(server, created["clientId"], rotated["clientSecret"])
    assert "clientSecret" not in server.admin.clients.get(created["id"])


def test_rotate_with_an_overlap_keeps_both_secrets_until_it_ends(server: Server) -> None:
    created = server.admin.clients.create("python overlap", in_days(5))
    rotated = server.admin.clients.rotate(created["id"], overlap=dt.timedelta(hours=1))
    ends = dt.datetime.fromisoformat(rotated["previousSecretExpiresAt"].replace("Z", "+00:00"))
    expected = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert abs((ends - expected).total_seconds()) < 60
    assert works(server, created["clientId"], created["clientSecret"])
    assert works(server, created["clientId"], rotated["clientSecret"])
    assert server.admin.clients.get(created["id"])["previousSecretExpiresAt"] == rotated["previousSecretExpiresAt"]


@pytest.mark.parametrize("bad", [dt.timedelta(hours=25), -1, 86_401, 1.5, True, "1h", dt.timedelta(milliseconds=1500)])
def test_a_bad_overlap_is_refused_before_the_request_and_changes_nothing(server: Server, bad: object) -> None:
    created = server.admin.clients.create(f"python bad overlap {bad!r}", in_days(5))
    with pytest.raises(latchkey.ConfigError, match="overlap must be whole seconds from 0 to 86400"):
        server.admin.clients.rotate(created["id"], overlap=bad)  # type: ignore[arg-type]
    assert works(server, created["clientId"], created["clientSecret"])


def test_the_server_refuses_what_it_must_with_a_problem(server: Server) -> None:
    created = server.admin.clients.create("python revoked rotate", in_days(5))
    server.admin.clients.delete(created["id"])
    with pytest.raises(latchkey.ApiError) as refused:
        server.admin.clients.rotate(created["id"])
    assert refused.value.status == 409 and "revoked" in str(refused.value)


def test_a_manager_rotates_another_users_client(server: Server) -> None:
    roles = server.admin.request("GET", f"{server.url}/t/demo/api/v1/roles")["items"]
    creator = next(r for r in roles if r["builtin"] == "oauth2-client-creator")
    password = "python rotated owner password"
    server.admin.request("POST", f"{server.url}/t/demo/api/v1/users",
                         json={"email": "rotated-owner@python.test", "password": password, "roleIds": [creator["id"]]})
    owner = server.client(credentials=latchkey.Password("rotated-owner@python.test", password))
    created = owner.clients.create("owned by someone else", in_days(5))
    listed = server.admin.domain_clients.list(ownerEmail="rotated-owner@python.test")["items"]
    assert [(c["clientId"], c["owner"]["email"]) for c in listed] == [(created["clientId"], "rotated-owner@python.test")]
    rotated = server.admin.domain_clients.rotate(created["id"], overlap=600)
    assert rotated["owner"]["email"] == "rotated-owner@python.test" and rotated["previousSecretExpiresAt"]
    assert works(server, created["clientId"], created["clientSecret"]) and works(server, created["clientId"], rotated["clientSecret"])
    with pytest.raises(latchkey.ApiError) as not_a_manager:
        owner.domain_clients.rotate(created["id"])
    assert not_a_manager.value.status == 403


def test_app_rotate_secret_with_an_overlap(server: Server) -> None:
    app = server.create_app()
    rotated = server.admin.apps.rotate_secret(app["id"], overlap=dt.timedelta(minutes=10))
    assert rotated["clientId"] == app["clientId"] and rotated["previousSecretExpiresAt"]
    assert works(server, app["clientId"], app["clientSecret"]) and works(server, app["clientId"], rotated["clientSecret"])
    again = server.admin.apps.rotate_secret(app["id"])
    assert again["previousSecretExpiresAt"] is None
    assert not works(server, app["clientId"], rotated["clientSecret"])


def test_async_rotate(server: Server) -> None:
    created = server.admin.clients.create("python async rotate", in_days(5))

    async def main() -> dict[str, object]:
        async with server.async_client(credentials=latchkey.Password(ADMIN_EMAIL, ADMIN_PASSWORD)) as alk:
            return dict(await alk.clients.rotate(created["id"], overlap=60))

    rotated = asyncio.run(main())
    assert rotated["clientId"] == created["clientId"] and rotated["previousSecretExpiresAt"]
    assert works(server, created["clientId"], str(rotated["clientSecret"]))

