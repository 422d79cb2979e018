"""When tokens are refreshed, and that a rotated refresh token is never spent twice, even by a Python
and a Node process refreshing one .tok file at once."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

import latchkey
from conftest import ROOT, Counter, FakeApi, Server, read_json

LOOPS = Path(__file__).parent / "loops"


@pytest.fixture(scope="module")
def personal(server: Server) -> latchkey.types.CreatedPersonalClient:
    return server.admin.clients.create("python refresh tests", dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7))


def test_a_token_is_refreshed_60_seconds_before_it_expires(server: Server, personal: latchkey.types.CreatedPersonalClient, counter: Counter) -> None:
    clock = {"now": 1_000_000.0}
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]), transport=counter, now=lambda: clock["now"])
    first = lk.get_access_token()
    lifetime = 3600  # the demo tenant's access-token lifetime (expires_in)
    clock["now"] += lifetime - 61
    assert lk.get_access_token() == first and counter.count() == 1
    clock["now"] += 2
    second = lk.get_access_token()
    assert second != first and counter.count() == 2


def test_an_api_401_saying_expired_refreshes_once_then_the_error_is_the_callers(server: Server, personal: latchkey.types.CreatedPersonalClient, fake_api: FakeApi, counter: Counter) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]), transport=counter)
    t1 = lk.get_access_token()
    fake_api.expired.add(t1)
    assert lk.request("GET", f"{fake_api.url}/usage")["ok"] is True
    t2 = lk.get_access_token()
    assert fake_api.seen == [t1, t2] and t2 != t1 and counter.count() == 2
    # The new token is refused too: one refresh, one retry, then the 401.
    fake_api.expired.add(t2)
    original_get = lk._core.cache.get

    def expire_every_new_token(stale: str | None = None, force: bool = False) -> str:
        token = original_get(stale, force)
        fake_api.expired.add(token)
        return token

    lk._core.cache.get = expire_every_new_token  # type: ignore[method-assign]
    with pytest.raises(latchkey.ApiError) as info:
        lk.request("GET", f"{fake_api.url}/usage")
    assert info.value.status == 401 and info.value.code == "ERR_LATCHKEY_API" and "Expired" in str(info.value)
    assert len(fake_api.seen) == 4 and counter.count() == 3
    # A 401 that does not say "expired" is returned as is, without a refresh.
    res = httpx.get(f"{server.url}/t/demo/api/v1/me", headers={"authorization": "Bearer nonsense"})
    assert res.status_code == 401


def test_idempotent_requests_and_503_answers_are_retried_with_backoff(server: Server, personal: latchkey.types.CreatedPersonalClient, fake_api: FakeApi) -> None:
    lk = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]))
    fake_api.unavailable = 2
    assert lk.request("GET", f"{fake_api.url}/x")["ok"] is True
    assert len(fake_api.seen) == 3
    fake_api.unavailable = 5
    with pytest.raises(latchkey.ApiError) as info:
        lk.request("PUT", f"{fake_api.url}/x", json={})
    assert info.value.status == 503 and len(fake_api.seen) == 6  # two retries, then the answer
    no_retry = server.client(credentials=latchkey.ClientSecret(personal["clientId"], personal["clientSecret"]), retries=0)
    fake_api.unavailable = 1
    with pytest.raises(latchkey.ApiError):
        no_retry.request("GET", f"{fake_api.url}/x")


def test_a_python_and_a_node_process_refreshing_one_tok_file_never_spend_a_token_twice(server: Server, tmp_path: Path) -> None:
    app = server.create_app()
    file = server.tok_file(app, tmp_path, "shared.tok")
    steps = 50
    torn: list[str] = []
    done = threading.Event()

    def watch() -> None:
        # A reader in a third process' place: the file is valid JSON with a refresh token at every instant.
        while not done.is_set():
            try:
                doc = json.loads(Path(file).read_text())
                if not isinstance(doc.get("refresh_token"), str):
                    torn.append("no refresh_token")
            except ValueError as err:
                torn.append(str(err))

    watcher = threading.Thread(target=watch)
    watcher.start()
    args = [server.url, file, app["clientSecret"], str(steps)]
    node = subprocess.Popen(["node", "--import", "tsx", str(LOOPS / "refresh-loop.ts"), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    python = subprocess.Popen([sys.executable, str(LOOPS / "refresh_loop.py"), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        node_out, node_err = node.communicate(timeout=240)
        py_out, py_err = python.communicate(timeout=240)
    finally:
        done.set()
        watcher.join()
        for p in (node, python):
            if p.poll() is None:
                p.kill()
    assert node.returncode == 0, node_err
    assert python.returncode == 0, py_err
    tokens = node_out.split() + py_out.split()
    assert len(tokens) == 2 * steps
    # Every refresh spent a distinct refresh token: a token presented twice would have got the same
    # answer again (grace window) or invalid_grant and a revoked grant.
    assert len(set(tokens)) == 2 * steps
    assert torn == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.tok"]
    # The token left in the file is live: the grant survived all 100 rotations.
    final = read_json(file)
    r = httpx.post(f"{server.url}/t/demo/oauth2/v1/token", auth=(app["clientId"], app["clientSecret"]),
                   data={"grant_type": "refresh_token", "refresh_token": final["refresh_token"]})
    assert r.status_code == 200, r.text
