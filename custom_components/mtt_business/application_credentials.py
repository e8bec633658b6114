"""Application credentials: the client id and secret from the MTT portal."""

from __future__ import annotations

from typing import Any

from homeassistant.components.application_credentials import (
    AuthImplementation,
    AuthorizationServer,
    ClientCredential,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import AbstractOAuth2Implementation

from .api.const import AUTHORIZE_PATH, SCOPE, TOKEN_PATH
from .const import PROVIDER_PORTAL_URL
from .redirect_uri import RedirectUri, async_get_redirect_uri
from .settings import get_settings


class MttBusinessOAuth2Implementation(AuthImplementation):
    """OAuth 2.0 with the MTT portal (SPEC §1).

    The redirect URI is the integration's own Redirect URI (the one entered in the
    portal), the scope is sent with the authorization and the code exchange, and the
    scope the provider answers with is not checked (it answers with another one).
    Home Assistant stores the whole token response, so a rotated refresh token is kept.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        auth_domain: str,
        credential: ClientCredential,
        authorization_server: AuthorizationServer,
        redirect_uri: RedirectUri,
    ) -> None:
        """Use the credential with this installation's Redirect URI."""
        super().__init__(hass, auth_domain, credential, authorization_server)
        self._redirect_uri = redirect_uri

    @property
    def redirect_uri(self) -> str:
        """This installation's Redirect URI."""
        return self._redirect_uri.url(self.hass)

    @property
    def extra_authorize_data(self) -> dict[str, Any]:
        """The scope the portal requires."""
        return {"scope": SCOPE}

    @property
    def extra_token_resolve_data(self) -> dict[str, Any]:
        """The code exchange repeats the scope (SPEC §1)."""
        return {"scope": SCOPE}


async def async_get_authorization_server(hass: HomeAssistant) -> AuthorizationServer:
    """The portal's OAuth endpoints (or a simulator's, see `oauth_url`)."""
    settings = get_settings(hass)
    return AuthorizationServer(
        authorize_url=f"{settings.oauth_url}{AUTHORIZE_PATH}",
        token_url=f"{settings.oauth_url}{TOKEN_PATH}",
    )


async def async_get_auth_implementation(
    hass: HomeAssistant, auth_domain: str, credential: ClientCredential
) -> AbstractOAuth2Implementation:
    """The OAuth implementation for one credential."""
    return MttBusinessOAuth2Implementation(
        hass,
        auth_domain,
        credential,
        await async_get_authorization_server(hass),
        await async_get_redirect_uri(hass),
    )


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:
    """Placeholders of the credentials dialog: the Redirect URI to enter in the portal."""
    redirect_uri = await async_get_redirect_uri(hass)
    return {
        "redirect_url": redirect_uri.url_or_none(hass) or "—",
        "portal_url": PROVIDER_PORTAL_URL,
    }
