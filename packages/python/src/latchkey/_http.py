"""Outgoing requests: timeouts, a User-Agent, retries with backoff (only for idempotent requests, and
for 429/503 answers, honouring Retry-After), network failures as NetworkError, API errors as ApiError."""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._redact import SecretSet
from .errors import ApiError, NetworkError

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# An answer that says the request was not handled and may be sent again later.
RETRY_STATUSES = frozenset({429, 503})
# Waiting longer than this for a Retry-After is the caller's decision, not ours.
MAX_RETRY_AFTER = 10.0


@dataclass
class HttpOptions:
    timeout: float
    user_agent: str
    secrets: SecretSet
    retries: int = 2
    backoff: float = 0.2


def display_url(url: str | httpx.URL) -> str:
    """``scheme://host/path`` without query string (query strings may carry anything)."""
    u = urlsplit(str(url))
    return f"{u.scheme}://{u.netloc}{u.path}" if u.scheme else "(invalid URL)"


def retry_after(res: httpx.Response) -> float | None:
    value = res.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return seconds if seconds > 0 else None


def _wait(http: HttpOptions, attempt: int, method: str, res: httpx.Response | None) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None to stop."""
    if attempt >= http.retries:
        return None
    if res is None:
        return http.backoff * 2**attempt if method in IDEMPOTENT else None
    if res.status_code not in RETRY_STATUSES:
        return None
    after = retry_after(res)
    if after is not None:
        return after if after <= MAX_RETRY_AFTER else None
    return http.backoff * 2**attempt


def _network_error(http: HttpOptions, method: str, url: str | httpx.URL, err: Exception) -> NetworkError:
    why = f"no answer within {http.timeout} s" if isinstance(err, httpx.TimeoutException) else (str(err) or type(err).__name__)
    return NetworkError(f"{method} {display_url(url)}: {http.secrets.redact(why)}")


def send(http: HttpOptions, client: httpx.Client, method: str, url: str | httpx.URL, **kwargs: Any) -> httpx.Response:
    headers = {"user-agent": http.user_agent, **kwargs.pop("headers", {})}
    for attempt in range(http.retries + 1):
        res: httpx.Response | None = None
        try:
            res = client.request(method, url, headers=headers, timeout=http.timeout, **kwargs)
        except httpx.TransportError as err:
            delay = _wait(http, attempt, method, None)
            if delay is None:
                raise _network_error(http, method, url, err) from None
            time.sleep(delay)
            continue
        delay = _wait(http, attempt, method, res)
        if delay is None:
            return res
        time.sleep(delay)
    raise AssertionError("unreachable")


async def asend(http: HttpOptions, client: httpx.AsyncClient, method: str, url: str | httpx.URL, **kwargs: Any) -> httpx.Response:
    headers = {"user-agent": http.user_agent, **kwargs.pop("headers", {})}
    for attempt in range(http.retries + 1):
        try:
            res = await client.request(method, url, headers=headers, timeout=http.timeout, **kwargs)
        except httpx.TransportError as err:
            delay = _wait(http, attempt, method, None)
            if delay is None:
                raise _network_error(http, method, url, err) from None
            await asyncio.sleep(delay)
            continue
        delay = _wait(http, attempt, method, res)
        if delay is None:
            return res
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def read_body(res: httpx.Response) -> Any:
    """The body as JSON when it is JSON, as text otherwise, None when empty."""
    text = res.text
    if text == "":
        return None
    if "json" in res.headers.get("content-type", "").lower() or re.match(r"^\s*[\[{]", text):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _str(v: object) -> str | None:
    return v if isinstance(v, str) and v != "" else None


def error_text(body: object) -> str | None:
    """RFC 9457 ``detail``, the sample API's ``errorMessage``, ``message``, or an OAuth description."""
    if isinstance(body, str):
        return body[:500] or None
    if not isinstance(body, dict):
        return None
    for key in ("detail", "errorMessage", "message", "error_description", "error"):
        v = _str(body.get(key))
        if v is not None:
            return v
    return None


def error_code(body: object) -> str | None:
    """The server's stable error code, whatever its style: a Latchkey problem's ``code``, the resource
    server's (and its verifier's) ``errorCode``, or an OAuth ``error``. Never read from the message, which
    is for people. An older server's problem without ``code``: its type URL's last word."""
    if not isinstance(body, dict):
        return None
    for key in ("code", "errorCode", "error"):
        v = _str(body.get(key))
        if v is not None:
            return v
    type_ = _str(body.get("type"))
    return type_.rsplit("/", 1)[-1].replace("-", "_") if type_ and "/problems/" in type_ else None


#: The 401 codes a new access token mends: the token's time is up, or it names a signing key the
#: tenant withdrew. Every other 401 (revoked token or client, disabled user, invalid token) is final:
#: refreshing would only spend a refresh token. The shared fixture
#: packages/sdk/test/fixtures/error-cases.json holds the cases the TypeScript SDK decides identically.
REFRESHABLE_CODES = frozenset({"token_expired", "token_unknown_key", "ERR_TOKEN_EXPIRED", "ERR_TOKEN_UNKNOWN_KEY"})

#: 401 codes that say the grant behind the token has ended or been cut (a ``.tok`` file may need replacing).
GRANT_ENDED_CODES = frozenset({"token_revoked", "client_revoked"})


def refresh_may_mend(status: int, body: object) -> bool:
    """True for an answer that one refresh and retry can mend (decided by code, see REFRESHABLE_CODES)."""
    return status == 401 and error_code(body) in REFRESHABLE_CODES


def api_error(http: HttpOptions, method: str, url: str | httpx.URL, res: httpx.Response, body: object, hint: str | None = None) -> ApiError:
    b = body if isinstance(body, dict) else {}
    detail = error_text(body)
    return ApiError(
        status=res.status_code,
        title=_str(b.get("title")) or res.reason_phrase or f"HTTP {res.status_code}",
        detail=None if detail is None else http.secrets.redact(detail),
        type=_str(b.get("type")),
        problem_code=error_code(body),
        method=method,
        url=display_url(url),
        hint=hint,
    )
