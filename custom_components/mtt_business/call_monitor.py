"""Live calls of one entry: pushes folded into calls and announced to Home Assistant.

For every understood call push the monitor updates the entry's call tracker, fires the
`mtt_business_call` event (for automations, Node-RED and the logbook) and tells the
entities what changed. Nothing here waits on the network: the push is answered first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api.models import CallNotification, Notification, PbxDirectory, PbxNotification
from .call_tracker import CallEvent, CallTracker, CallUpdate
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry

_LOGGER = logging.getLogger(__name__)

EVENT_CALL = "mtt_business_call"
STALE_CHECK_INTERVAL = timedelta(seconds=30)

type CallListener = Callable[[CallUpdate | None], None]
"""Told of each change to a call; None: calls were dropped, re-read the tracker."""
type CallHook = Callable[[CallUpdate], Mapping[str, Any] | None]
"""Acts on a call before it is announced; what it returns joins the event data."""


def call_event_data(
    entry_id: str, update: CallUpdate, workplace_name: str | None
) -> dict[str, Any]:
    """Data of the `mtt_business_call` event for one understood push."""
    call = update.call
    notification = update.notification
    return {
        "entry_id": entry_id,
        "call_id": call.call_id,
        "leg_id": notification.leg.id,
        "tag": notification.leg.tag,
        "transport_id": notification.transport_id,
        "state": update.state.value,
        "missed": CallEvent.MISSED in update.events,
        "seen_start": call.seen_start,
        "direction": call.direction.value if call.direction else None,
        "caller": call.caller,
        "callee": call.callee,
        "workplace": call.workplace,
        "workplace_name": workplace_name,
        "duration": call.duration,
        "reason": call.reason,
        "record_url": call.record_url,
    }


class CallMonitor:
    """The live calls of one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        directory: DirectoryCoordinator,
    ) -> None:
        """Follow the calls of the entry's PBX."""
        self.hass = hass
        self.entry = entry
        self._directory = directory
        self.tracker = CallTracker(
            directory.data or PbxDirectory(), clock=dt_util.utcnow
        )
        self._listeners: list[CallListener] = []
        self._hooks: list[CallHook] = []

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Drop calls with no news for too long; returns the stop callback."""
        return async_track_time_interval(
            self.hass, self._async_expire_stale, STALE_CHECK_INTERVAL
        )

    @callback
    def async_set_directory(self, directory: PbxDirectory) -> None:
        """The directory changed: workplaces and terminals are matched anew."""
        self.tracker.set_directory(directory)

    @callback
    def async_add_listener(self, listener: CallListener) -> CALLBACK_TYPE:
        """Be told of every change to a call of this entry."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_hook(self, hook: CallHook) -> CALLBACK_TYPE:
        """Act on each call change before it is announced (e.g. routing)."""
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook)

    @callback
    def async_handle(self, notification: Notification) -> None:
        """Take a push: re-read the directory, or fold in a call's news."""
        if isinstance(notification, PbxNotification):
            _LOGGER.debug(
                "The PBX changed (%s): reading it again", notification.event_type
            )
            self.entry.async_create_background_task(
                self.hass,
                self._directory.async_request_refresh(),
                f"{self.entry.entry_id} directory refresh",
            )
            return
        if (
            isinstance(notification, CallNotification)
            and self.tracker.concerns(notification)
            and (update := self.tracker.apply(notification)) is not None
        ):
            self._async_announce(update)

    def workplace_name(self, sip_id: str | None) -> str | None:
        """The name of a workplace of this PBX, for people to read."""
        if sip_id is None or self._directory.data is None:
            return None
        workplace = self._directory.data.workplace(sip_id)
        return workplace.display_name if workplace else None

    @callback
    def _async_announce(self, update: CallUpdate) -> None:
        data = call_event_data(
            self.entry.entry_id, update, self.workplace_name(update.call.workplace)
        )
        for hook in self._hooks:
            try:
                if extra := hook(update):
                    data.update(extra)
            except Exception:
                _LOGGER.exception("Error acting on call %s", update.call.call_id)
        self.hass.bus.async_fire(EVENT_CALL, data)
        for listener in list(self._listeners):
            listener(update)

    @callback
    def _async_expire_stale(self, _now: datetime | None = None) -> None:
        if stale := self.tracker.expire():
            _LOGGER.debug("Dropped %s calls with no news", len(stale))
            for listener in list(self._listeners):
                listener(None)
