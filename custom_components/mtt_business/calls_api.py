"""The calls card's live data: a websocket subscription to the calls of the PBXs.

`mtt_business/calls/subscribe` (optional `entry_id`; without it every loaded entry)
sends the full picture at once and again after each change: per entry its title,
its workplaces with what each is doing (the peer also as people read it,
`peer_display`), the newest open call-backs of the PBX's list (`call_backs`, at most
`LISTED_CALL_BACKS`; `open_call_backs` counts them all), its active calls (each as
`CallView.listing()` shows it, with its `call_id`, the PBX's workplaces named) and the
subscriber's own workplace (`my_workplace`: the SIP ID of the workplace of the signed-in
user's person, see `people.py`, or None), which the card's call form starts with. During a burst of pushes a new
picture is sent at most every `SNAPSHOT_COOLDOWN` seconds, the latest one, as the
summary sensors are written. An entry that unloads leaves the picture (its
listeners are removed at once) and comes back when it is loaded again; closing the
subscription or the connection removes everything it listened to. The subscription
is handed the Redirect URI's registry of the loaded entries' hubs (`CallMonitor`:
an entry's calls and directory), and reads each entry's picture from its hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .api.phone_number import format_number
from .call_backs import PBX
from .call_monitor import CallMonitor
from .calls.view import LISTED_CALLS_LIMIT, CallView, party_display
from .compat import vol
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .entries import EntryLookupError, async_known_entry
from .errors import async_send_entry_error
from .people import async_workplace_of_user
from .push_receiver import PushHandler
from .redirect_uri import async_get_redirect_uri
from .signals import SIGNAL_CALL_BACKS_CHANGED, SIGNAL_CALL_CHANGED
from .throttle import Throttle

SUBSCRIBE_CALLS: Final = f"{DOMAIN}/calls/subscribe"
LISTED_CALL_BACKS: Final = 20
"""Open call-backs (the PBX's list, newest first) in a picture."""
SNAPSHOT_COOLDOWN: Final = 0.25
"""Seconds between two pictures sent during a burst of changes."""


@callback
@websocket_command(
    {
        vol.Required("type"): SUBSCRIBE_CALLS,
        vol.Optional("entry_id"): str,
    }
)
@async_response
async def websocket_subscribe_calls(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """Follow the calls of one entry, or of every loaded entry."""
    entry_id: str | None = msg.get("entry_id")
    if entry_id is not None:
        try:
            async_known_entry(hass, entry_id)
        except EntryLookupError as err:
            await async_send_entry_error(hass, connection, msg["id"], err, entry_id)
            return
    hubs = (await async_get_redirect_uri(hass)).hubs
    subscription = CallsSubscription(hass, connection, msg["id"], entry_id, hubs)
    connection.subscriptions[msg["id"]] = subscription.async_stop
    connection.send_result(msg["id"])
    subscription.async_start()


class CallsSubscription:
    """One subscriber's view of the calls: listens to the entries, sends pictures."""

    def __init__(
        self,
        hass: HomeAssistant,
        connection: ActiveConnection,
        msg_id: int,
        entry_id: str | None,
        hubs: Mapping[str, PushHandler],
    ) -> None:
        """Send pictures of `entry_id` (None: every loaded entry) to `msg_id`.

        `hubs`: the loaded entries' hubs by entry id (the Redirect URI's registry).
        """
        self._hass = hass
        self._hubs = hubs
        self._connection = connection
        self._msg_id = msg_id
        self._entry_id = entry_id
        self._listening: dict[str, list[CALLBACK_TYPE]] = {}
        self._stop_following_entries: CALLBACK_TYPE | None = None
        self._sender = Throttle(hass, SNAPSHOT_COOLDOWN, self._async_send)

    @callback
    def async_start(self) -> None:
        """Listen to the entries loaded now and to come; send the first picture."""
        self._stop_following_entries = async_dispatcher_connect(
            self._hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._async_entry_changed
        )
        for monitor in self._monitors():
            self._async_listen(monitor)
        self._async_send()

    @callback
    def async_stop(self) -> None:
        """Stop listening and sending (the subscription or connection closed)."""
        if self._stop_following_entries is not None:
            self._stop_following_entries()
            self._stop_following_entries = None
        for entry_id in list(self._listening):
            self._async_stop_listening(entry_id)
        self._sender.async_stop()

    def _covers(self, entry: ConfigEntry) -> bool:
        return entry.domain == DOMAIN and self._entry_id in (None, entry.entry_id)

    def _monitors(self) -> list[CallMonitor]:
        """The hubs of the loaded entries shown, in Home Assistant's order."""
        loaded: list[MttBusinessConfigEntry] = (
            self._hass.config_entries.async_loaded_entries(DOMAIN)
        )
        return [
            hub
            for entry in loaded
            if self._covers(entry)
            and isinstance(hub := self._hubs.get(entry.entry_id), CallMonitor)
        ]

    @callback
    def _async_entry_changed(
        self, change: ConfigEntryChange, entry: ConfigEntry
    ) -> None:
        """An entry was loaded, unloaded, renamed or removed."""
        if not self._covers(entry):
            return
        loaded = entry.state is ConfigEntryState.LOADED
        if change is ConfigEntryChange.REMOVED or not loaded:
            if entry.entry_id not in self._listening:
                return
            self._async_stop_listening(entry.entry_id)
        elif entry.entry_id not in self._listening and isinstance(
            monitor := self._hubs.get(entry.entry_id), CallMonitor
        ):
            self._async_listen(monitor)
        self._sender.async_call()

    @callback
    def _async_listen(self, monitor: CallMonitor) -> None:
        entry_id = monitor.entry.entry_id

        @callback
        def _async_changed(*_: CallView | set[str] | None) -> None:
            self._sender.async_call()

        self._listening[entry_id] = [
            async_dispatcher_connect(
                self._hass, SIGNAL_CALL_CHANGED.format(entry_id), _async_changed
            ),
            async_dispatcher_connect(
                self._hass,
                SIGNAL_CALL_BACKS_CHANGED.format(entry_id),
                _async_changed,
            ),
            monitor.directory.async_add_listener(_async_changed),
        ]

    @callback
    def _async_stop_listening(self, entry_id: str) -> None:
        for remove in self._listening.pop(entry_id):
            remove()

    @callback
    def _async_send(self) -> None:
        self._connection.send_event(
            self._msg_id,
            {
                "entries": [
                    _entry_picture(monitor)
                    | {"my_workplace": self._my_workplace(monitor.entry)}
                    for monitor in self._monitors()
                ]
            },
        )

    def _my_workplace(self, entry: MttBusinessConfigEntry) -> str | None:
        """The workplace of the subscriber's person on this PBX, if mapped."""
        user = self._connection.user
        return async_workplace_of_user(
            self._hass, entry.options, user.id if user is not None else None
        )


def _entry_picture(monitor: CallMonitor) -> dict[str, Any]:
    """An entry's workplaces and active calls (from its hub) as the card shows them.

    Every party comes as people read it as well (`calls.view.party_display`): the
    card shows what it is sent and formats nothing itself.
    """
    entry = monitor.entry
    tracker = monitor.tracker
    directory = monitor.directory.data
    known = directory.workplaces if directory is not None else ()
    names = {workplace.sip_id: workplace.display_name for workplace in known}
    active = tracker.active_calls()
    by_id = {call.call_id: call for call in active}
    workplaces = []
    for workplace in known:
        status = tracker.workplace_status(workplace.sip_id)
        peer = by_id.get(status.call_id) if status.call_id else None
        peer_name = None
        if peer is not None and status.peer is not None:
            caller_name, callee_name = monitor.names(peer)
            peer_name = caller_name if status.peer == peer.caller else callee_name
        workplaces.append(
            {
                "sip_id": workplace.sip_id,
                "name": workplace.display_name,
                "state": status.state.value,
                "peer": status.peer,
                "peer_display": party_display(status.peer, peer_name, names),
                "since": status.since.isoformat() if status.since else None,
            }
        )
    calls = [
        {"call_id": view.call.call_id, **view.listing(names)}
        for view in monitor.views(active[:LISTED_CALLS_LIMIT])
    ]
    call_backs = monitor.call_backs.list_of(PBX)
    return {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "workplaces": workplaces,
        "calls": calls,
        "active_calls": len(active),
        "call_backs": [
            {
                "uid": item.uid,
                "number": item.number,
                "display": item.name or format_number(item.number),
                "number_display": format_number(item.number),
                "count": item.count,
                "last": item.last.isoformat(),
            }
            for item in call_backs.newest_open(LISTED_CALL_BACKS)
        ],
        "open_call_backs": call_backs.open_items(),
    }
