"""Access tokens for the API client, from Home Assistant's OAuth 2.0 session."""

from __future__ import annotations

from typing import cast

from homeassistant.helpers.config_entry_oauth2_flow import OAuth2Session

from .api import AbstractAuth, AuthenticationError


class OAuth2SessionAuth(AbstractAuth):
    """Tokens of a config entry: refreshed and stored by Home Assistant.

    A refresh that the provider refuses raises Home Assistant's
    `OAuth2TokenRequestReauthError`, which starts the reauth flow by itself.
    """

    def __init__(self, oauth_session: OAuth2Session) -> None:
        """Use the entry's OAuth session."""
        self._oauth_session = oauth_session

    async def async_get_access_token(self) -> str:
        """A valid access token, refreshed when it has expired."""
        await self._oauth_session.async_ensure_token_valid()
        return cast("str", self._oauth_session.token["access_token"])

    async def async_force_refresh_access_token(self) -> str:
        """Refresh now: the provider answered 401 to a token we believed valid."""
        session = self._oauth_session
        session.hass.config_entries.async_update_entry(
            session.config_entry,
            data={
                **session.config_entry.data,
                "token": {**session.token, "expires_at": 0},
            },
        )
        return await self.async_get_access_token()


class StaticTokenAuth(AbstractAuth):
    """A token just obtained in the config flow, before any entry stores it."""

    def __init__(self, access_token: str) -> None:
        """Use this token as it is."""
        self._access_token = access_token

    async def async_get_access_token(self) -> str:
        """The token."""
        return self._access_token

    async def async_force_refresh_access_token(self) -> str:
        """A fresh token that is refused cannot be refreshed here."""
        raise AuthenticationError("The provider refused a token it has just issued")
