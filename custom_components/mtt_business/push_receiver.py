"""Receiving the provider's pushes at `<Redirect URI>/events` and at the webhook URL.

The provider POSTs every event of the account, unauthenticated, to
`<Redirect URI>/events`. The same handler also answers at Home Assistant's own webhook
URL for the same secret (`/api/webhook/<secret>`), so reverse-proxy rewrites and Home
Assistant Cloud webhooks work too.

A push is answered as soon as it is understood: nothing here waits for an outgoing
request. 200 for a push that was understood (also for a well-formed push of a kind we
ignore), 400 for a body that cannot be decoded (a `Content-Encoding` it does not
match), is not a JSON object, or is a call push without a usable call id or state
(the bounds are in `api/notifications.py`), 413 for a body over 64 KiB (after
decompression), 404 for an unknown secret, 405 for another method.

A push is unauthenticated input: a rejection is logged in one short line (the sender,
and a reason quoting at most 20 characters of a value), and so is the 400 answer.
Nothing here logs the path, which holds the secret. At the webhook URL every method
Home Assistant's webhook component supports is accepted and answered here (405 but
for POST), because the component itself logs the webhook id, the secret, for a method
it was not told to accept. Limits of Home Assistant and aiohttp that no handler can
change: at debug level Home Assistant's HTTP server logs each request's path, and a
`Content-Encoding` aiohttp cannot decode at all (`br` without the Brotli package) is
answered 400 by aiohttp before any handler runs (it logs a traceback without the path).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
import logging
from typing import Protocol

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView

from .api import InvalidNotificationError, parse_notification_body
from .api.models import IgnoredNotification, Notification
from .const import DATA_REDIRECT_URI, EVENTS_PATH_SUFFIX

_LOGGER = logging.getLogger(__name__)

MAX_PUSH_BYTES = 64 * 1024


MAX_REASON_LENGTH = 200
"""Characters of a rejection's reason in the log and in the 400 answer."""


class PushHandler(Protocol):
    """What takes an entry's pushes (its `CallMonitor`, the entry's hub)."""

    @property
    def title(self) -> str:
        """The entry's title, for the log."""

    def async_handle(self, notification: Notification) -> None:
        """Take a push; ignore what does not concern the entry."""


type PushHandlers = Iterable[PushHandler]
"""The hubs of the loaded entries (`RedirectUri.hubs`' values, kept up to date)."""


class _RejectedPushError(Exception):
    """A push refused before it is understood: an HTTP status and a short reason."""

    def __init__(self, status: HTTPStatus, reason: str, *, close: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.close = close


def _too_large() -> _RejectedPushError:
    return _RejectedPushError(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"the body is larger than {MAX_PUSH_BYTES} bytes",
    )


async def _async_read_body(request: web.Request) -> bytes:
    """The request body, decoded; `_RejectedPushError` when it is too large or garbled."""
    if request.content_length is not None and request.content_length > MAX_PUSH_BYTES:
        raise _too_large()
    # A body may arrive in pieces (chunked, a slow sender): read to its end, but
    # never more than one byte past the limit. aiohttp decompresses a body sent with
    # a Content-Encoding as it is read, and raises here when it cannot.
    content = request.content
    try:
        body = await content.read(MAX_PUSH_BYTES + 1)
        # Most bodies come in one piece: then the stream is at its end already.
        while not content.at_eof() and (
            chunk := await content.read(MAX_PUSH_BYTES + 1 - len(body))
        ):
            body += chunk
            if len(body) > MAX_PUSH_BYTES:
                raise _too_large()
    except (RequestPayloadError, HttpProcessingError) as err:
        # The rest of the body is garbage: mark it read, or aiohttp, draining it
        # after the answer, would meet the error again and log a traceback.
        content.feed_eof()
        raise _RejectedPushError(
            HTTPStatus.BAD_REQUEST,
            "the body cannot be decoded as its Content-Encoding says",
            close=True,
        ) from err
    if len(body) > MAX_PUSH_BYTES:
        raise _too_large()
    return body


def _reject(
    request: web.Request, status: HTTPStatus, reason: str, *, close: bool = False
) -> web.Response:
    """Log and answer a refused push in one short line each.

    `close`: the connection is closed after the answer (its body could not be read).
    """
    reason = reason[:MAX_REASON_LENGTH]
    _LOGGER.warning(
        "Rejected a push from %s (%d): %s", request.remote, status.value, reason
    )
    response = web.Response(status=status, text=reason)
    if close:
        response.force_close()
    return response


async def async_receive_push(hubs: PushHandlers, request: web.Request) -> web.Response:
    """Read, understand and hand over one push to every hub; answer at once."""
    try:
        body = await _async_read_body(request)
    except _RejectedPushError as err:
        return _reject(request, err.status, err.reason, close=err.close)
    try:
        notification = parse_notification_body(body)
    except InvalidNotificationError as err:
        return _reject(request, HTTPStatus.BAD_REQUEST, str(err))
    async_hand_over(hubs, notification)
    return web.Response(status=HTTPStatus.OK)


@callback
def async_dispatch_notification(
    hass: HomeAssistant, notification: Notification
) -> None:
    """Hand a notification to the hubs of the Redirect URI's registry (as a push is)."""
    if (redirect_uri := hass.data.get(DATA_REDIRECT_URI)) is not None:
        async_hand_over(redirect_uri.hubs.values(), notification)


@callback
def async_hand_over(hubs: PushHandlers, notification: Notification) -> None:
    """Hand a notification to every loaded entry's hub; each takes what concerns it."""
    if isinstance(notification, IgnoredNotification):
        _LOGGER.debug("Ignored a push of kind %r", notification.event)
        return
    for hub in list(hubs):
        try:
            hub.async_handle(notification)
        except Exception:
            _LOGGER.exception("Error handling a push for %s", hub.title)


class PushReceiverView(HomeAssistantView):
    """Answers POST `<Redirect URI>/events`.

    The route is the installation's own path, secret included (it never changes):
    Home Assistant's router finds it in one lookup, with no pattern to match for
    each push, and any other secret is an unknown URL (404).
    """

    requires_auth = False
    name = "api:mtt_business:events"

    def __init__(self, redirect_path: str, hubs: PushHandlers) -> None:
        """Serve `<redirect_path>/events` (the Redirect URI's path, secret included)."""
        self.url = redirect_path + EVENTS_PATH_SUFFIX
        self._hubs = hubs

    async def post(self, request: web.Request) -> web.Response:
        """Receive one push."""
        return await async_receive_push(self._hubs, request)


WEBHOOK_METHODS = ["POST", "PUT", "GET"]
"""Accepted at the webhook URL, where the handler refuses all but POST (405): Home
Assistant's webhook component would log the webhook id, the secret, for the others."""


def webhook_handler(
    hubs: PushHandlers,
) -> Callable[[HomeAssistant, str, web.Request], Awaitable[web.Response]]:
    """The handler of Home Assistant's webhook URL for these hubs (POST only)."""

    async def _async_handle_webhook(
        _hass: HomeAssistant, _webhook_id: str, request: web.Request
    ) -> web.Response:
        if request.method != "POST":
            return web.Response(status=HTTPStatus.METHOD_NOT_ALLOWED)
        return await async_receive_push(hubs, request)

    return _async_handle_webhook
