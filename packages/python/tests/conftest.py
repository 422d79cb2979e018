"""One real Latchkey server process for the whole Python suite (the server's TypeScript entry through
tsx, on a free loopback port, SQLite in a scratch directory, the demo tenant bootstrapped)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packages/python/src"))

import latchkey  # noqa: E402
import latchkey.types  # noqa: E402

ADMIN_EMAIL = "admin@python.test"
ADMIN_PASSWORD = "python tests correct horse battery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    dir: Path
    admin: latchkey.Client
    _n: int = 0

    def client(self, **kw: Any) -> latchkey.Client:
        return latchkey.Client(**{"base_url": self.url, "tenant": "demo", "env": {}, "profile": False, **kw})

    def async_client(self, **kw: Any) -> latchkey.AsyncClient:
        return latchkey.AsyncClient(**{"base_url": self.url, "tenant": "demo", "env": {}, "profile": False, **kw})

    def create_app(self, **kw: Any) -> latchkey.types.AppWithSecret:
        self._n += 1
        return self.admin.apps.create(**{"name": f"python app {self._n}", "grant_types": ["refresh_token", "client_credentials"], "scopes": ["myservices", "metering"], **kw})

    def tok_file(self, app: latchkey.types.AppWithSecret, directory: Path, name: str = "app.tok") -> str:
        out = str(directory / name)
        self.admin.apps.generate_tokens(app["id"], out=out)
        return out


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    data = Path(tempfile.mkdtemp(prefix="latchkey-python-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LATCHKEY_")}
    env.update(HOST="127.0.0.1", PORT=str(port), LOG_LEVEL="warn", DATABASE_URL="", LATCHKEY_DATA_DIR=str(data / "data"),
               LATCHKEY_BOOTSTRAP_EMAIL=ADMIN_EMAIL, LATCHKEY_BOOTSTRAP_PASSWORD=ADMIN_PASSWORD)
    log = open(data / "server.log", "wb")
    child = subprocess.Popen(["node", "--import", "tsx", str(ROOT / "packages/server/src/main.ts")], cwd=ROOT, env=env,
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited early ({child.returncode}):\n{(data / 'server.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            child.kill()
            raise RuntimeError(f"the server did not become ready:\n{(data / 'server.log').read_text()}")
        time.sleep(0.1)
    admin = latchkey.Client(url, "demo", credentials=latchkey.Password(ADMIN_EMAIL, ADMIN_PASSWORD), env={}, profile=False)
    try:
        yield Server(url=url, dir=data, admin=admin)
    finally:
        admin.close()
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


class Counter(httpx.BaseTransport):
    """A real transport that counts the grants sent to the token endpoint."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.grants: list[str] = []
        self.requests: list[httpx.Request] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/v1/token"):
            body = request.read().decode()
            grant = dict(p.split("=", 1) for p in body.split("&")).get("grant_type", "")
            with self._lock:
                self.grants.append(grant)
                self.requests.append(request)
        return self._inner.handle_request(request)

    def count(self, grant: str | None = None) -> int:
        return len([g for g in self.grants if grant is None or g == grant])


@pytest.fixture
def counter() -> Counter:
    return Counter()


@dataclass
class FakeApi:
    """A stand-in resource API: answers 401 ``{"errorMessage": "Expired token", "errorCode": "ERR_TOKEN_EXPIRED"}``
    (as the sample API does) to tokens declared expired, 503 with Retry-After a number of times on demand,
    and echoes the bearer token otherwise."""

    url: str
    expired: set[str] = field(default_factory=set)
    seen: list[str] = field(default_factory=list)
    unavailable: int = 0


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
            api.seen.append(token)
            if api.unavailable > 0:
                api.unavailable -= 1
                status, body, extra = 503, {"errorMessage": "try later"}, {"retry-after": "0"}
            elif token in api.expired:
                status, body, extra = 401, {"errorMessage": "Expired token", "errorCode": "ERR_TOKEN_EXPIRED"}, {"www-authenticate": 'Bearer error="invalid_token"'}
            else:
                status, body, extra = 200, {"ok": True, "token": token[-8:], "method": self.command}, {}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for k, v in extra.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield api
    finally:
        httpd.shutdown()
        httpd.server_close()


def read_json(file: str | Path) -> dict[str, Any]:
    return json.loads(Path(file).read_text())
