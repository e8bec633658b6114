"""Receiving the provider's pushes at `<Redirect URI>/events` and at the webhook URL.

The provider POSTs every event of the account, unauthenticated, to
`<Redirect URI>/events`. The same handler also answers at Home Assistant's own webhook
URL for the same secret (`/api/webhook/<secret>`), so reverse-proxy rewrites and Home
Assistant Cloud webhooks work too.

A push is answered as soon as it is understood: nothing here waits for an outgoing
request. 200 for a push that was understood (also for a well-formed push of a kind we
ignore), 400 for a body that is not a JSON object or a call push without its call id or
state, 413 for a body over 64 KiB, 404 for an unknown secret.
"""

from __future__ import annotations

from http import HTTPStatus
import logging

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .api import InvalidNotificationError, parse_notification_body
from .api.models import IgnoredNotification, Notification
from .const import DOMAIN, EVENTS_PATH_SUFFIX, REDIRECT_PATH_PREFIX
from .redirect_uri import RedirectEndpoint

_LOGGER = logging.getLogger(__name__)

MAX_PUSH_BYTES = 64 * 1024


async def _async_read_body(request: web.Request) -> bytes | None:
    """The request body, or None when it is larger than a push may be."""
    if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
        return None
    # A body may arrive in pieces (chunked, a slow sender): read to its end, but
    # never more than one byte past the limit.
    body = b""
    while chunk := await request.content.read(MAX_PUSH_BYTES + 1 - len(body)):
        body += chunk
        if len(body) > MAX_PUSH_BYTES:
            return None
    return body


async def async_receive_push(hass: HomeAssistant, request: web.Request) -> web.Response:
    """Read, understand and hand over one push; answer at once."""
    body = await _async_read_body(request)
    if body is None:
        _LOGGER.warning(
            "Rejected a push from %s: its body is larger than %s bytes",
            request.remote,
            MAX_PUSH_BYTES,
        )
        return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    try:
        notification = parse_notification_body(body)
    except InvalidNotificationError as err:
        _LOGGER.warning("Rejected a push from %s: %s", request.remote, err)
        return web.Response(status=HTTPStatus.BAD_REQUEST, text=str(err))
    async_dispatch_notification(hass, notification)
    return web.Response(status=HTTPStatus.OK)


@callback
def async_dispatch_notification(
    hass: HomeAssistant, notification: Notification
) -> None:
    """Hand a notification to every loaded entry; each takes what concerns it."""
    if isinstance(notification, IgnoredNotification):
        _LOGGER.debug("Ignored a push of kind %r", notification.event)
        return
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        try:
            entry.runtime_data.call_monitor.async_handle(notification)
        except Exception:
            _LOGGER.exception("Error handling a push for %s", entry.title)


class PushReceiverView(HomeAssistantView):
    """Answers POST `<Redirect URI>/events`."""

    requires_auth = False
    url = REDIRECT_PATH_PREFIX + "/{secret}" + EVENTS_PATH_SUFFIX
    name = "api:mtt_business:events"

    def __init__(self, endpoint: RedirectEndpoint) -> None:
        """Serve the events address of this installation."""
        self._endpoint = endpoint

    async def post(self, request: web.Request, secret: str) -> web.Response:
        """Receive one push; a wrong secret is an unknown URL."""
        if not self._endpoint.matches(secret):
            raise web.HTTPNotFound
        return await async_receive_push(request.app[KEY_HASS], request)


async def _async_handle_webhook(
    hass: HomeAssistant, webhook_id: str, request: web.Request
) -> web.Response:
    """Receive one push at Home Assistant's webhook URL."""
    return await async_receive_push(hass, request)


@callback
def async_register_push_receiver(
    hass: HomeAssistant, endpoint: RedirectEndpoint
) -> None:
    """Listen at `<Redirect URI>/events` and at the webhook URL of the same secret."""
    hass.http.register_view(PushReceiverView(endpoint))
    webhook.async_register(
        hass,
        DOMAIN,
        "MTT Business",
        endpoint.secret,
        _async_handle_webhook,
        local_only=False,
        allowed_methods=["POST"],
    )
