"""Typed helpers for the management API at ``{base_url}/t/{tenant}/api/v1``."""

from .apps import Apps, AsyncApps
from .personal_clients import AsyncPersonalClients, PersonalClients

__all__ = ["Apps", "AsyncApps", "PersonalClients", "AsyncPersonalClients"]
