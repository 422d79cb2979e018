"""TLS is verified unless told otherwise, and HTTPS_PROXY is honoured (against a loopback HTTPS stand-in
for the token endpoint and an API, with a test-only self-signed certificate in tests/tls/)."""

from __future__ import annotations

import json
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import latchkey

TLS = Path(__file__).parent / "tls"
CERT = str(TLS / "cert.pem")


@pytest.fixture
def https_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            body = {"access_token": "tls-access-token", "token_type": "Bearer", "expires_in": 3600} if self.path.endswith("/oauth2/v1/token") else {"ok": True}
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERT, str(TLS / "key.pem"))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def make(url: str, **kw: Any) -> latchkey.Client:
    return latchkey.Client(url, "demo", credentials=latchkey.ClientSecret("lk_pc_tls", "lk_cs_tls_secret_value"), env={}, profile=False, retries=0, **kw)


def test_tls_is_verified_by_default(https_url: str) -> None:
    with pytest.raises(latchkey.NetworkError) as info:
        make(https_url).get_access_token()
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value) and "lk_cs_tls_secret_value" not in str(info.value)
    trusted = make(https_url, verify=CERT)
    assert trusted.get_access_token() == "tls-access-token"
    assert trusted.request("GET", "/anything") == {"ok": True}


@pytest.fixture
def connect_proxy() -> Iterator[tuple[str, list[str]]]:
    """A minimal CONNECT proxy that records the targets it tunnels to."""
    targets: list[str] = []
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def tunnel(client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            target = head.split(b" ")[1].decode()
            targets.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                while not stop.is_set():
                    ready, _, _ = select.select([client, upstream], [], [], 0.2)
                    for s in ready:
                        data = s.recv(65536)
                        if not data:
                            return
                        (upstream if s is client else client).sendall(data)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=tunnel, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", targets
    finally:
        stop.set()
        listener.close()


def test_https_proxy_is_honoured(https_url: str, connect_proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    proxy, targets = connect_proxy
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    lk = make(https_url, verify=CERT)
    assert lk.request("GET", "/through-the-proxy") == {"ok": True}
    host = https_url.removeprefix("https://")
    # The token request and the API call both went through the tunnel.
    assert targets and all(t == host for t in targets)
