"""Where the client gets its access tokens."""

from __future__ import annotations

from abc import ABC, abstractmethod


class AbstractAuth(ABC):
    """Provides access tokens; the owner stores and refreshes them."""

    @abstractmethod
    async def async_get_access_token(self) -> str:
        """A valid access token, refreshed first if it has expired."""

    @abstractmethod
    async def async_force_refresh_access_token(self) -> str:
        """Refresh now (the provider answered 401) and return the new token."""
