"""The browser's return to the Redirect URI after signing in at the MTT portal."""

from __future__ import annotations

from aiohttp import web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.config_entry_oauth2_flow import OAuth2AuthorizeCallbackView
from homeassistant.helpers.http import HomeAssistantView

from .const import REDIRECT_PATH_PREFIX
from .redirect_uri import RedirectEndpoint


class OAuthCallbackView(HomeAssistantView):
    """Answers GET `<Redirect URI>?code=…&state=…` (or `?error=…&state=…`).

    The portal sends the browser here; the request is handed to Home Assistant's own
    OAuth callback, which resumes the config flow named in the signed `state`.
    """

    requires_auth = False
    url = REDIRECT_PATH_PREFIX + "/{secret}"
    name = "api:mtt_business:oauth_callback"

    def __init__(self, endpoint: RedirectEndpoint) -> None:
        """Serve the Redirect URI of this installation."""
        self._endpoint = endpoint
        self._callback = OAuth2AuthorizeCallbackView()

    async def get(self, request: web.Request, secret: str) -> web.StreamResponse:
        """Resume the sign-in; a wrong secret is an unknown URL."""
        if not self._endpoint.matches(secret):
            raise web.HTTPNotFound
        return await self._callback.get(request)


@callback
def async_register_oauth_callback(
    hass: HomeAssistant, endpoint: RedirectEndpoint
) -> None:
    """Serve the Redirect URI."""
    hass.http.register_view(OAuthCallbackView(endpoint))
