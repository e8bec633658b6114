"""The browser's return to the Redirect URI after signing in at the MTT portal."""

from __future__ import annotations

from collections.abc import Callable
import logging

from aiohttp import web
from homeassistant.data_entry_flow import FlowError, InvalidData
from homeassistant.helpers.config_entry_oauth2_flow import OAuth2AuthorizeCallbackView
from homeassistant.helpers.http import HomeAssistantView

from .const import REDIRECT_PATH_PREFIX

_LOGGER = logging.getLogger(__name__)

ALREADY_COMPLETE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>MTT Business</title></head>
<body>
<p>This sign-in is already complete, you can close this tab.</p>
<p lang="ru">Этот вход уже завершён, вкладку можно закрыть.</p>
</body>
</html>
"""
"""Shown when the browser comes back to a sign-in that has ended (a reload)."""

ADDRESS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>MTT Business</title></head>
<body>
<p>This is the MTT Business address (Redirect URI) of this Home Assistant.</p>
<p lang="ru">Это адрес MTT Business (Redirect URI) этого Home Assistant.</p>
</body>
</html>
"""
"""Shown at the Redirect URI itself: the MTT portal checks that it answers."""

SIGN_IN_PARAMETERS = frozenset({"code", "state", "error"})


class OAuthCallbackView(HomeAssistantView):
    """Answers at the Redirect URI: the return from sign-in, and the portal's check.

    GET or HEAD without a sign-in's parameters gets 200 and a page saying what the
    address is. GET `?code=…&state=…` (or `?error=…&state=…`) is the browser sent
    back by the portal: it is handed to Home Assistant's own OAuth callback, which
    resumes the config flow named in the signed `state`. A flow that has already ended (the page reloaded, the link opened again) gets a
    friendly page instead of an error.
    """

    requires_auth = False
    url = REDIRECT_PATH_PREFIX + "/{secret}"
    name = "api:mtt_business:oauth_callback"

    def __init__(self, matches: Callable[[str], bool]) -> None:
        """Serve the Redirect URI whose secret `matches`."""
        self._matches = matches
        self._callback = OAuth2AuthorizeCallbackView()

    async def get(self, request: web.Request, secret: str) -> web.StreamResponse:
        """Resume the sign-in; a wrong secret is an unknown URL.

        Without a sign-in's parameters this is the portal's (or a person's) check
        that the address answers: a short page says what it is.
        """
        if not self._matches(secret):
            raise web.HTTPNotFound
        if not SIGN_IN_PARAMETERS & request.query.keys():
            return web.Response(text=ADDRESS_PAGE, content_type="text/html")
        try:
            return await self._callback.get(request)
        except FlowError, InvalidData:
            # UnknownFlow: the flow has finished; UnknownStep/InvalidData: it has
            # moved past the sign-in step.
            _LOGGER.debug("The browser came back to a sign-in that has ended")
            return web.Response(text=ALREADY_COMPLETE_PAGE, content_type="text/html")

    async def head(self, request: web.Request, secret: str) -> web.StreamResponse:
        """The portal's reachability check, without the page."""
        if not self._matches(secret):
            raise web.HTTPNotFound
        return web.Response(content_type="text/html")
