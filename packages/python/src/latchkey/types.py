"""The management API's answers, typed (field names are the API's camelCase JSON; see the server's
OpenAPI document at /docs)."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypedDict, TypeVar


T = TypeVar("T")


class RoleRef(TypedDict):
    id: str
    name: str
    builtin: str | None


class TenantRef(TypedDict):
    slug: str
    name: str
    enterpriseEnabled: bool


class Me(TypedDict):
    id: str
    email: str
    displayName: str
    status: str
    roles: list[RoleRef]
    scopes: list[str]
    isDomainManager: bool
    canCreateClients: bool
    platformAdmin: bool
    tenant: TenantRef


class Page(TypedDict, Generic[T]):
    items: list[T]
    nextCursor: str | None


class PersonalClient(TypedDict):
    id: str
    clientId: str
    name: str
    scopes: list[str] | None
    """The scopes its tokens may carry (never more than the owner holds at the time); None: all of the owner's permissions."""
    createdAt: str
    expiresAt: str
    lastUsedAt: str | None
    lastUsedAddress: str | None
    """Address of the last token request (recorded in batches, a few seconds late)."""
    lastUsedUserAgent: str | None
    status: Literal["active", "expired", "revoked"]
    revokedAt: str | None
    revokedBy: dict[str, Any] | None
    previousSecretExpiresAt: str | None
    """While a rotation's overlap lasts: when the replaced secret stops working; None otherwise."""


class RotatedPersonalClient(PersonalClient):
    """The answer to a rotation: the client (same client id) and its new secret, shown only this once."""

    clientSecret: str


class ManagedPersonalClient(PersonalClient):
    """A personal client as domain managers see it: with its owner ``{id, email, displayName}``."""

    owner: dict[str, Any]


class ManagedRotatedPersonalClient(ManagedPersonalClient):
    clientSecret: str


class CreatedPersonalClient(TypedDict):
    """The answer to creating a personal client: the only time its secret is shown."""

    id: str
    clientId: str
    clientSecret: str
    name: str
    scopes: list[str] | None
    createdAt: str
    expiresAt: str


class App(TypedDict):
    id: str
    clientId: str
    name: str
    description: str
    grantTypes: list[str]
    scopes: list[str]
    jwks: dict[str, Any] | None
    status: Literal["active", "inactive"]
    createdAt: str
    updatedAt: str
    lastUsedAt: str | None
    lastUsedAddress: str | None
    lastUsedUserAgent: str | None
    previousSecretExpiresAt: str | None
    """While a secret regeneration's overlap lasts: when the replaced secret stops working; None otherwise."""


class StaleCredential(TypedDict):
    """A personal client or application never used, unused for a while or about to expire."""

    kind: Literal["personal", "app"]
    id: str
    clientId: str
    name: str
    owner: dict[str, Any] | None
    """``{id, email, displayName}``; None for applications."""
    createdAt: str
    expiresAt: str | None
    lastUsedAt: str | None
    lastUsedAddress: str | None
    lastUsedUserAgent: str | None
    reasons: list[Literal["never_used", "unused", "expiring"]]
    """Which of the asked conditions it meets."""


class AppWithSecret(App):
    """An application with its secret: after creation and after ``rotate_secret``, never again."""

    clientSecret: str


class TokFile(TypedDict, total=False):
    """The ``.tok`` document (``app_access_token`` and ``refresh_token`` always present)."""

    app_access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    scope: str
    client_id: str
    token_endpoint: str


class Introspection(TypedDict, total=False):
    """RFC 7662: ``active`` always; the rest only for an active token."""

    active: bool
    scope: str
    client_id: str
    sub: str
    exp: int
    iat: int
    iss: str
    token_type: str
    sid: str
