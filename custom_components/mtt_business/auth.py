"""The API client, with access tokens from Home Assistant's OAuth 2.0 session."""

from __future__ import annotations

from typing import cast

from aiohttp import ClientError, ClientResponseError
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import OAuth2TokenRequestReauthError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import OAuth2Session

from . import const
from .api import AbstractAuth, AuthenticationError, MttBusinessClient, TokenRefreshError
from .compat import OAuth2TokenRequestBaseError
from .issues import async_note_refresh_failed, async_note_refresh_worked
from .settings import get_settings


def create_client(hass: HomeAssistant, auth: AbstractAuth) -> MttBusinessClient:
    """The API client on Home Assistant's shared session, at the endpoints in force."""
    return MttBusinessClient(
        async_get_clientsession(hass),
        auth,
        base_url=get_settings(hass).api_url,
        request_timeout=const.API_REQUEST_TIMEOUT,
    )


def _token_error(err: Exception) -> str:
    """Why the token endpoint failed, in our words (not aiohttp's, not a URL)."""
    if isinstance(err, ClientResponseError) and err.status >= 400:
        return f"the token endpoint answered HTTP {err.status}"
    if isinstance(err, ClientResponseError) and err.status:
        return "the token endpoint gave no usable token"
    return "the token endpoint could not be reached or gave no usable token"


class OAuth2SessionAuth(AbstractAuth):
    """Tokens of a config entry: refreshed and stored by Home Assistant.

    Failures of the token endpoint become the API package's errors, so that every
    caller (the directory, the actions, routing) handles them like any other failure
    of the provider, with our own words:

    - a refresh the provider refuses for good (4xx, `OAuth2TokenRequestReauthError`:
      the refresh token has expired) is an `AuthenticationError`. Home Assistant's
      session has started the reauth flow already; the directory coordinator turns
      the error into `ConfigEntryAuthFailed` as well.
    - anything else (5xx, 429, no answer, an unusable answer) is a
      `TokenRefreshError`, temporary.
    """

    def __init__(self, oauth_session: OAuth2Session) -> None:
        """Use the entry's OAuth session."""
        self._oauth_session = oauth_session

    async def async_get_access_token(self) -> str:
        """A valid access token, refreshed when it has expired."""
        try:
            await self._oauth_session.async_ensure_token_valid()
        except OAuth2TokenRequestReauthError as err:
            raise AuthenticationError(
                f"MTT Business refused to renew the access token ({_token_error(err)})"
            ) from err
        except (OAuth2TokenRequestBaseError, ClientError, TimeoutError) as err:
            async_note_refresh_failed(
                self._oauth_session.hass, self._oauth_session.config_entry
            )
            raise TokenRefreshError(_token_error(err)) from err
        async_note_refresh_worked(
            self._oauth_session.hass, self._oauth_session.config_entry
        )
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
