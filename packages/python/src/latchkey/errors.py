"""Every error the client raises on purpose. ``code`` is stable (branch on it); the message is for
people. Messages, ``str()`` and ``repr()`` never contain a secret: text from servers is scrubbed before
it gets here and shapes of Latchkey secrets are scrubbed again here."""

from __future__ import annotations

from typing import Any

from ._redact import redact_shapes

__all__ = ["LatchkeyError", "ConfigError", "AuthError", "ApiError", "NetworkError", "TokenStoreError"]


class LatchkeyError(Exception):
    code: str = "ERR_LATCHKEY"

    def __init__(self, message: str) -> None:
        self.message = redact_shapes(message)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": type(self).__name__, "code": self.code, "message": self.message}


class ConfigError(LatchkeyError):
    """Missing or contradictory arguments, environment or config file; unreadable token file."""

    code = "ERR_LATCHKEY_CONFIG"


class AuthError(LatchkeyError):
    """The token endpoint refused (RFC 6749 §5.2): wrong password or secret, dead refresh token…"""

    code = "ERR_LATCHKEY_AUTH"

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        status: int = 0,
        retry_after: float | None = None,
        context: str | None = None,
        hint: str | None = None,
    ) -> None:
        description = None if error_description is None else redact_shapes(error_description)
        #: The OAuth ``error`` code (``invalid_grant``…); ``invalid_response`` when the answer was not OAuth.
        self.error = error
        #: The server's ``error_description``, scrubbed of secrets.
        self.error_description = description
        self.status = status
        #: Seconds, when the server throttled the request (429/503 Retry-After).
        self.retry_after = retry_after
        #: What to do about it, when the client knows (also at the end of the message).
        self.hint = hint
        super().__init__(f"{context or 'token request failed'}: {error}{f' ({description})' if description else ''}{f'. {hint}' if hint else ''}")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "error": self.error, "error_description": self.error_description, "status": self.status}


class ApiError(LatchkeyError):
    """An API answered with an error: an RFC 9457 problem document or ``{errorMessage}``."""

    code = "ERR_LATCHKEY_API"

    def __init__(
        self,
        status: int,
        title: str,
        method: str,
        url: str,
        detail: str | None = None,
        type: str | None = None,
        problem_code: str | None = None,
        hint: str | None = None,
    ) -> None:
        detail = None if detail is None else redact_shapes(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        #: The server's stable error code: a Latchkey problem's ``code`` (``client_revoked``, ``not_found``…)
        #: or a resource server's ``errorCode`` (``ERR_TOKEN_EXPIRED``…). Branch on it, never on ``detail``.
        self.problem_code = problem_code
        self.method = method
        self.url = url
        #: What to do about it, when the client knows (also at the end of the message).
        self.hint = hint
        super().__init__(f"{method} {url} failed: {status} {title}{f': {detail}' if detail else ''}{f'. {hint}' if hint else ''}")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "status": self.status, "title": self.title, "detail": self.detail, "type": self.type,
                "problem_code": self.problem_code}


class NetworkError(LatchkeyError):
    """The server could not be reached or did not answer in time."""

    code = "ERR_LATCHKEY_NETWORK"


class TokenStoreError(LatchkeyError):
    """A token file or profile could not be read, locked or written. When writing a rotated refresh
    token fails, the previous one is already spent: the message says so."""

    code = "ERR_LATCHKEY_TOKEN_STORE"
