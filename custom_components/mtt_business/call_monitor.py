"""The hub of one entry: its pushes folded into calls, routed and announced.

The entry's `CallMonitor` owns its call tracker, its router (`routing.py`) and the
views of its calls. The receiver hands it every understood push (through the
registry the Redirect URI keeps); for a call push it updates the tracker, lets the
router decide on a parked call, fires the `mtt_business_call` event (for automations,
Node-RED and the logbook) and tells the entities what changed. Nothing here waits on
the network: the push is answered first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .api import MttBusinessClient
from .api.models import (
    CallDirection,
    CallNotification,
    Notification,
    PbxDirectory,
    PbxNotification,
)
from .call_backs import CallBacks
from .call_journal import CallJournal
from .call_targets import async_call_targets
from .calls.phone_book import PhoneBookCache
from .calls.tracker import CallEvent, CallTracker, CallUpdate, TrackedCall
from .calls.view import EVENT_CALL, CallView, RoutingDecision
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .ghost_calls import is_ghost
from .parking import Parking
from .people import person_at
from .push_health import PushHealth
from .routing import PersonalManagerRouter
from .signals import SIGNAL_CALL_CHANGED

_LOGGER = logging.getLogger(__name__)

STALE_CHECK_INTERVAL = timedelta(seconds=30)


class CallMonitor:
    """The hub of one entry: its live calls, their routing and their views."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        *,
        client: MttBusinessClient,
        directory: DirectoryCoordinator,
        push_health: PushHealth,
        parking: Parking,
        phone_book: PhoneBookCache,
        call_backs: CallBacks,
        journal: CallJournal,
    ) -> None:
        """Follow the calls of the entry's PBX; count its pushes in `push_health`.

        The calls `parking` parks are routed with `client`; names come from
        `phone_book` (the entry's options), else from the provider. `call_backs`:
        the entry's call-back lists, shown with the calls (the card); `journal`:
        the ended calls (today's calls from a caller).
        """
        self.call_backs = call_backs
        self._journal = journal
        self.hass = hass
        self.entry = entry
        self._push_health = push_health
        self._directory = directory
        self._phone_book = phone_book
        self.tracker = CallTracker(
            directory.data or PbxDirectory(), clock=dt_util.utcnow
        )
        self._signal = SIGNAL_CALL_CHANGED.format(entry.entry_id)
        self._targets: dict[str | None, dict[str, str]] = {}
        """The `entity_id` and `device_id` of each workplace's call events."""
        self._workplace_names: tuple[PbxDirectory | None, dict[str, str]] = (None, {})
        """The names of the workplaces of a directory (built once per directory)."""
        self._router = PersonalManagerRouter(
            hass, entry, client=client, parking=parking, phone_book=phone_book, hub=self
        )

    @property
    def directory(self) -> DirectoryCoordinator:
        """The entry's directory (the PBX's workplaces), as last read."""
        return self._directory

    @property
    def title(self) -> str:
        """The entry's title (for the log)."""
        return self.entry.title

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Drop stale calls, forget the targets on registry changes; returns the stop."""
        stop_expiring = async_track_time_interval(
            self.hass, self._async_expire_stale, STALE_CHECK_INTERVAL
        )
        stop_listening = self.hass.bus.async_listen(
            er.EVENT_ENTITY_REGISTRY_UPDATED, self._async_forget_targets
        )

        @callback
        def _async_stop() -> None:
            stop_expiring()
            stop_listening()

        return _async_stop

    @callback
    def _async_forget_targets(self, _event: Event[Any]) -> None:
        self._targets.clear()

    @callback
    def async_set_directory(self, directory: PbxDirectory) -> None:
        """The directory changed: workplaces and terminals are matched anew."""
        self.tracker.set_directory(directory)

    @callback
    def async_handle(self, notification: Notification) -> None:
        """Take a push: re-read the directory, or fold in a call's news."""
        if isinstance(notification, PbxNotification):
            self._push_health.async_note_push()
            _LOGGER.debug(
                "The PBX changed (%s): reading it again", notification.event_type
            )
            self.entry.async_create_background_task(
                self.hass,
                self._directory.async_request_refresh(),
                f"{self.entry.entry_id} directory refresh",
            )
            return
        if isinstance(notification, CallNotification) and self.tracker.concerns(
            notification
        ):
            self._push_health.async_note_push()
            if (update := self.tracker.apply(notification)) is not None:
                self._async_announce(update)

    def workplace_name(self, sip_id: str | None) -> str | None:
        """The name of a workplace of this PBX, for people to read."""
        directory = self._directory.data
        if sip_id is None or directory is None:
            return None
        known, names = self._workplace_names
        if known is not directory:
            names = {w.sip_id: w.display_name for w in reversed(directory.workplaces)}
            self._workplace_names = (directory, names)
        return names.get(sip_id)

    def names(self, call: TrackedCall) -> tuple[str | None, str | None]:
        """The caller's and the callee's names: the phone book's, else the provider's."""
        book = self._phone_book.book(self.entry.options)
        return (
            book.name_of(call.caller) or call.caller_label,
            book.name_of(call.callee) or call.callee_label,
        )

    def views(self, calls: list[TrackedCall]) -> list[CallView]:
        """Views of calls as they are now (e.g. of `tracker.active_calls()`)."""
        entry_id = self.entry.entry_id
        return [
            CallView.of_call(
                entry_id, call, self.workplace_name(call.workplace), self.names(call)
            )
            for call in calls
        ]

    @callback
    def async_announce(self, view: CallView) -> None:
        """Fire the `mtt_business_call` event of a view (e.g. a routing failure)."""
        workplace = view.call.workplace
        if (targets := self._targets.get(workplace)) is None:
            # Looked up once per workplace, not per push, until the registry changes.
            targets = async_call_targets(self.hass, self.entry, workplace)
            self._targets[workplace] = targets
        data = view.event_data()
        data.update(targets)
        self.hass.bus.async_fire(EVENT_CALL, data)

    @callback
    def _async_announce(self, update: CallUpdate) -> None:
        routing: RoutingDecision | None = None
        try:
            routing = self._router(update)
        except Exception:
            _LOGGER.exception("Error routing call %s", update.call.call_id)
        view = CallView.of_update(
            self.entry.entry_id,
            update,
            self.workplace_name(update.call.workplace),
            self.names(update.call),
            routing,
            ghost=CallEvent.MISSED in update.events
            and is_ghost(update.call, self.entry.options, dt_util.utcnow()),
            person=person_at(self.entry.options, update.call.workplace),
            calls_today_from_caller=self._calls_today_from_caller(update.call),
        )
        self.async_announce(view)
        async_dispatcher_send(self.hass, self._signal, view)

    def _calls_today_from_caller(self, call: TrackedCall) -> int | None:
        """An incoming call's count of today's calls from its caller, it included."""
        if call.direction is not CallDirection.INCOMING:
            return None
        journal = self._journal
        # The journal has the calls that ended (this one too, once it has).
        ended = journal.get(call.call_id) is not None
        return journal.calls_today_from(call.caller) + (0 if ended else 1)

    @callback
    def _async_expire_stale(self, _now: datetime | None = None) -> None:
        if stale := self.tracker.expire():
            _LOGGER.debug("Dropped %s calls with no news", len(stale))
            async_dispatcher_send(self.hass, self._signal, None)
