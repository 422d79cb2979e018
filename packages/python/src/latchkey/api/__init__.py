"""Typed helpers for the management API at ``{base_url}/t/{tenant}/api/v1``."""

from .apps import Apps, AsyncApps
from .personal_clients import (
    AsyncDomainClients,
    AsyncPersonalClients,
    AsyncStaleCredentials,
    DomainClients,
    PersonalClients,
    StaleCredentials,
)

__all__ = [
    "Apps",
    "AsyncApps",
    "PersonalClients",
    "AsyncPersonalClients",
    "DomainClients",
    "AsyncDomainClients",
    "StaleCredentials",
    "AsyncStaleCredentials",
]
