"""Every credential kind against the real server."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

import latchkey
from latchkey.auth import HttpxAuth
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ROOT, Counter, Server, read_json


def mode(file: str | Path) -> int:
    return stat.S_IMODE(os.stat(file).st_mode)


@pytest.fixture(scope="module")
def personal(server: Server) -> latchkey.types.CreatedPersonalClient:
    return server.admin.clients.create("python tests", dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7))


def test_password_signs_in_with_the_public_client_and_rotates_its_refresh_token_in_memory(server: Server, counter: Counter) -> None:
    lk = server.client(credentials=latchkey.Password(ADMIN_EMAIL, ADMIN_PASSWORD), transport=counter)
    assert lk.credential_kind == "password"
    assert lk.me()["email"] == ADMIN_EMAIL
    first = counter.requests[0].read().decode()
    assert "client_id=latchkey-sdk" in first and "grant_type=password" in first
    assert "authorization" not in counter.requests[0].headers
    before = lk.get_access_token()
    after = lk.get_access_token(force_refresh=True)
    assert after != before
    assert counter.grants == ["password", "refresh_token"]
    lk.get_access_token(force_refresh=True)
    assert counter.grants == ["password", "refresh_token", "refresh_token"]
    # A logout revokes the refresh token: the next token needs the password again.
    assert lk.logout() is True
    lk.get_access_token()
    assert counter.grants[-1] == "password"


def test_a_personal_client_uses_client_credentials_with_http_basic_and_acts_as_its_owner(server: Server, personal: latchkey.types.CreatedPersonalClient, counter: Counter) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]), transport=counter)
    assert lk.me()["email"] == ADMIN_EMAIL
    req = counter.requests[0]
    expected = "Basic " + base64.b64encode(f"{personal['clientId']}:{personal['clientSecret']}".encode()).decode()
    assert req.headers["authorization"] == expected
    assert personal["clientSecret"] not in req.read().decode()
    assert counter.grants == ["client_credentials"]
    # Configured from the environment instead.
    env_lk = latchkey.Client(env={"LATCHKEY_URL": f"{server.url}/t/demo", "LATCHKEY_CLIENT_ID": personal["clientId"], "LATCHKEY_CLIENT_SECRET": personal["clientSecret"]}, profile=False)
    assert env_lk.credential_kind == "client_credentials"
    assert env_lk.me()["email"] == ADMIN_EMAIL
    assert personal["clientSecret"] not in repr(env_lk) + repr(env_lk._core.settings)


def test_a_revoked_client_gets_client_revoked_and_no_refresh_request_is_sent(server: Server, counter: Counter) -> None:
    doomed = server.admin.clients.create("python doomed", dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))
    creds = latchkey.ClientSecret(doomed["clientId"], doomed["clientSecret"])
    lk = server.client(credentials=creds, transport=counter)

    async def main() -> None:
        async with server.async_client(credentials=creds, transport=counter) as alk:
            assert (await alk.me())["email"] == ADMIN_EMAIL
            assert lk.me()["email"] == ADMIN_EMAIL
            assert counter.grants == ["client_credentials", "client_credentials"]
            server.admin.clients.delete(doomed["id"])
            # No new token can mend a revoked client: the code says so, and the clients give up at once.
            with pytest.raises(latchkey.ApiError) as aerr:
                await alk.me()
            assert aerr.value.status == 401 and aerr.value.problem_code == "client_revoked"

    asyncio.run(main())
    with pytest.raises(latchkey.ApiError) as err:
        lk.me()
    assert err.value.status == 401 and err.value.problem_code == "client_revoked"
    with httpx.Client(auth=HttpxAuth(lk)) as http:
        res = http.get(f"{server.url}/t/demo/api/v1/me")
        assert res.status_code == 401 and res.json()["code"] == "client_revoked"
    assert counter.count() == 2


def test_a_tok_file_is_used_while_fresh_then_rotated_atomically_with_mode_0600_before_use(server: Server, tmp_path: Path, counter: Counter) -> None:
    app = server.create_app()
    file = server.tok_file(app, tmp_path, "rotate.tok")
    original = read_json(file)
    Path(file).write_text(json.dumps({**original, "note": "extra fields survive"}))
    os.chmod(file, 0o644)
    persisted: list[str] = []

    def on_persisted(event: latchkey.RefreshPersisted) -> None:
        # The rotated token is on disk before the new access token is handed out.
        persisted.append(read_json(file)["refresh_token"])
        assert event.kind == "token_file" and event.location == f"token file {file}"

    lk = server.client(credentials=latchkey.TokenFile(file, app["clientSecret"]), transport=counter, on_refresh_persisted=on_persisted)
    assert lk.get_access_token() == original["app_access_token"]
    assert counter.count() == 0
    fresh = lk.get_access_token(force_refresh=True)
    rotated = read_json(file)
    assert counter.grants == ["refresh_token"]
    assert rotated["app_access_token"] == fresh != original["app_access_token"]
    assert rotated["refresh_token"].startswith("lk_rt_") and rotated["refresh_token"] != original["refresh_token"]
    assert persisted == [rotated["refresh_token"]]
    assert rotated["note"] == "extra fields survive" and rotated["client_id"] == app["clientId"]
    assert mode(file) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["rotate.tok"], "no temporary or lock file is left behind"
    # The app's own token introspects as active, with the app's secret.
    assert lk.introspect(fresh)["active"] is True


def test_a_crash_right_after_a_rotation_leaves_the_new_token_in_the_file(server: Server, tmp_path: Path) -> None:
    app = server.create_app()
    file = server.tok_file(app, tmp_path)
    before = read_json(file)

    def crash(_: latchkey.RefreshPersisted) -> None:
        raise RuntimeError("simulated crash")

    crashing = server.client(credentials=latchkey.TokenFile(file, app["clientSecret"], client_id=app["clientId"]), on_refresh_persisted=crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.get_access_token(force_refresh=True)
    after = read_json(file)
    assert after["refresh_token"] != before["refresh_token"]
    # The next process starts from the file: its refresh token is the live one.
    survivor = server.client(credentials=latchkey.TokenFile(file, app["clientSecret"]))
    survivor.get_access_token(force_refresh=True)
    assert read_json(file)["refresh_token"] not in (before["refresh_token"], after["refresh_token"])

    # A real crash: a process that dies (os._exit) the moment the rotation is on disk.
    dying = read_json(file)
    script = (
        "import os, sys; sys.path.insert(0, sys.argv[4]); import latchkey; "
        "latchkey.Client(sys.argv[1], 'demo', credentials=latchkey.TokenFile(sys.argv[2], sys.argv[3]), env={}, profile=False, "
        "on_refresh_persisted=lambda e: os._exit(9)).get_access_token(force_refresh=True)"
    )
    died = subprocess.run([sys.executable, "-c", script, server.url, file, app["clientSecret"], str(ROOT / "packages/python/src")], capture_output=True, text=True, timeout=60)
    assert died.returncode == 9, died.stderr
    assert read_json(file)["refresh_token"] != dying["refresh_token"]
    # No temporary file; the dead process' lock is left, and the next holder breaks it (its pid is gone).
    assert sorted(os.listdir(tmp_path)) == ["app.tok", "app.tok.lock"]
    server.client(credentials=latchkey.TokenFile(file, app["clientSecret"])).get_access_token(force_refresh=True)
    assert sorted(os.listdir(tmp_path)) == ["app.tok"]


def test_a_stored_login_profile_is_rotated_in_place_in_the_config_file(server: Server, tmp_path: Path, counter: Counter) -> None:
    r = httpx.post(f"{server.url}/t/demo/oauth2/v1/token", data={"grant_type": "password", "client_id": "latchkey-sdk", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    tokens = r.json()
    config = tmp_path / "latchkey" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"defaultProfile": "work", "profiles": {"work": {"url": server.url, "tenant": "demo", "refreshToken": tokens["refresh_token"]}}}))
    lk = latchkey.Client(env={"XDG_CONFIG_HOME": str(tmp_path)}, transport=counter)
    assert (lk.credential_kind, lk.profile, lk.config_path) == ("profile", "work", str(config))
    assert lk.me()["email"] == ADMIN_EMAIL
    stored = read_json(config)["profiles"]["work"]
    assert stored["refreshToken"] != tokens["refresh_token"] and stored["refreshToken"].startswith("lk_rt_")
    assert stored["accessToken"] == lk.get_access_token()
    assert mode(config) == 0o600 and counter.grants == ["refresh_token"]
    assert sorted(os.listdir(config.parent)) == ["config.json"]
    # The TypeScript SDK picks up the login Python rotated, rotates it in turn, and Python goes on.
    node = subprocess.run(["node", "--import", "tsx", str(Path(__file__).parent / "loops/profile-refresh.ts"), str(config)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert node.returncode == 0, node.stderr
    assert node.stdout.split()[:2] == ["profile", ADMIN_EMAIL]
    after_node = read_json(config)["profiles"]["work"]
    assert after_node["refreshToken"] != stored["refreshToken"] and after_node["url"] == server.url
    again = latchkey.Client(env={"XDG_CONFIG_HOME": str(tmp_path)})
    again.get_access_token(force_refresh=True)
    assert read_json(config)["profiles"]["work"]["refreshToken"] != after_node["refreshToken"]


def test_threads_and_asyncio_tasks_share_one_refresh(server: Server, personal: latchkey.types.CreatedPersonalClient, tmp_path: Path, counter: Counter) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]), transport=counter)
    barrier = threading.Barrier(12)
    got: list[str] = []

    def worker() -> None:
        barrier.wait()
        got.append(lk.get_access_token())

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and counter.count() == 1

    app = server.create_app()
    file = server.tok_file(app, tmp_path)
    async_counter = Counter()

    async def main() -> list[str]:
        async with server.async_client(credentials=latchkey.TokenFile(file, app["clientSecret"]), transport=async_counter) as alk:
            token = await alk.get_access_token()
            # Twelve tasks find the token expired at once: one rotation.
            return await asyncio.gather(*[alk._token(stale=token) for _ in range(12)])

    tokens = asyncio.run(main())
    assert len(set(tokens)) == 1 and async_counter.grants == ["refresh_token"]
    assert read_json(file)["app_access_token"] == tokens[0]


def test_async_client_signs_in_and_calls_the_management_api(server: Server) -> None:
    async def main() -> tuple[str, int]:
        async with server.async_client(credentials={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}) as alk:
            me = await alk.me()
            page = await alk.apps.list(limit=1)
            return me["email"], len(page["items"])

    email, n = asyncio.run(main())
    assert email == ADMIN_EMAIL and n <= 1


def test_wrong_credentials_raise_auth_error_with_the_oauth_code_and_no_secret(server: Server) -> None:
    secret_password = "not the password at all 12345"
    lk = server.client(credentials=latchkey.Password(ADMIN_EMAIL, secret_password))
    with pytest.raises(latchkey.AuthError) as info:
        lk.me()
    err = info.value
    assert err.code == "ERR_LATCHKEY_AUTH" and err.error == "invalid_grant" and err.status == 400
    for text in (str(err), repr(err), json.dumps(err.to_dict()), repr(lk), repr(latchkey.Password(ADMIN_EMAIL, secret_password))):
        assert secret_password not in text
    with pytest.raises(latchkey.NetworkError) as net:
        latchkey.Client("http://127.0.0.1:9", credentials=latchkey.ClientSecret("id", "lk_cs_secretvalue"), env={}, profile=False, retries=0).me()
    assert net.value.code == "ERR_LATCHKEY_NETWORK" and "lk_cs_secretvalue" not in str(net.value)
    with pytest.raises(latchkey.ConfigError) as cfg:
        latchkey.Client(env={}, profile=False).me()
    assert cfg.value.code == "ERR_LATCHKEY_CONFIG" and "no credentials" in str(cfg.value)


def test_every_secret_shape_is_scrubbed_from_errors() -> None:
    secrets = {
        "refresh token": "lk_rt_Q2hhbmdlIG1lIQ_6x3zS8vS1k9w2mQhUOLm4n0pQ",
        "client secret": "lk_cs_k1FyKKYYqUbayoA6IIWjDU7_2yW1wZYLRlTak7Fy_qM",
        "console session": "lk_ss_Zm9yZ2V0IG1lIG5vdA_8kP2qLm5nR7sT1uV3wX9yZ0aB",
        "access token": "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
    }
    for kind, secret in secrets.items():
        err = latchkey.ApiError(status=400, title="Bad Request", method="GET", url="http://x", detail=f"echoed {secret} back")
        for text in (str(err), repr(err), json.dumps(err.to_dict())):
            assert secret not in text and "[REDACTED]" in text, f"{kind}: {text}"
