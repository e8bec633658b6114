"""Counters of ended calls per day, for the PBX and each workplace; kept across restarts.

For the PBX and for each workplace: calls today, missed today, talk time today (the
seconds of `finished` pushes), reset at local midnight; and missed calls not yet seen,
which only `async_mark_seen` (a button, an action) sets back to 0. A call counts when
it ends, once, at the PBX and at each workplace it was at: those it talked at and the
one it ended at (a missed call at the workplace that rang last). Each workplace's talk
time is what the call talked there (a call answered at one workplace and transferred
to another adds its share to each), the PBX's the call's whole talk time; a call
never seen to start is not counted (nobody knows whether it was answered). The counters are stored with Home Assistant's Store, written at most every
10 s, off the event path. Their entities are told at most every
`COUNTERS_WRITE_COOLDOWN` seconds, and only those of the scopes that changed: a busy
PBX must not turn each ended call into a burst of state writes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import (
    async_dispatcher_connect,
    async_dispatcher_send,
)
from homeassistant.helpers.event import async_track_time_change
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .calls.tracker import CallEvent
from .calls.view import CallView
from .const import DOMAIN
from .signals import SIGNAL_CALL_CHANGED, SIGNAL_COUNTERS_CHANGED
from .throttle import Throttle

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
SAVE_DELAY = 10
COUNTERS_WRITE_COOLDOWN = 1.0
"""Seconds between two announcements of changed counters during a burst of calls."""
PBX = ""
"""The scope of the whole PBX (a workplace's scope is its SIP ID)."""


@dataclass(slots=True)
class DayCounts:
    """The counters of one scope."""

    calls_today: int = 0
    missed_today: int = 0
    talk_time_today: int = 0
    """Seconds."""
    unseen_missed: int = 0


class CallCounters:
    """The counters of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """No counts until `async_load`."""
        self._hass = hass
        self._entry_id = entry_id
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.counters.{entry_id}", private=True
        )
        self._day: date = dt_util.now().date()
        self._counts: dict[str, DayCounts] = {}
        self._changed: set[str] = set()
        self._save_scheduled = False
        """A write is due (`_data` clears it when the store reads the counters)."""
        self._announcer = Throttle(hass, COUNTERS_WRITE_COOLDOWN, self._async_announce)

    async def async_load(self) -> None:
        """Read the counters kept last time (today's only count as today's)."""
        try:
            stored = await self._store.async_load()
        except (ValueError, KeyError) as err:
            _LOGGER.warning("The call counters could not be read: %s", err)
            stored = None
        if not isinstance(stored, dict) or not isinstance(stored.get("scopes"), dict):
            return
        for scope, values in stored["scopes"].items():
            if isinstance(scope, str) and isinstance(values, dict):
                counts = DayCounts(
                    **{
                        key: value
                        for key, value in values.items()
                        if key in DayCounts.__slots__
                        and isinstance(value, int)
                        and value >= 0
                    }
                )
                self._counts[scope] = counts
        if stored.get("day") != self._day.isoformat():
            self._new_day()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Count the entry's ended calls, reset at local midnight; returns the stop."""
        stop_counting = async_dispatcher_connect(
            self._hass, SIGNAL_CALL_CHANGED.format(self._entry_id), self.async_count
        )
        stop_resetting = async_track_time_change(
            self._hass, self._async_midnight, hour=0, minute=0, second=0
        )

        @callback
        def _async_stop() -> None:
            stop_counting()
            stop_resetting()

        return _async_stop

    def get(self, scope: str) -> DayCounts:
        """The counters of the PBX (`PBX`) or of a workplace (its SIP ID)."""
        return self._counts.get(scope) or DayCounts()

    @callback
    def async_count(self, view: CallView | None) -> None:
        """Count a call that ended (on the entry's `SIGNAL_CALL_CHANGED`)."""
        if (
            view is None
            or CallEvent.FINISHED not in view.events
            or not view.call.seen_start
        ):
            return
        self._roll_over()
        call = view.call
        talked: dict[str, int] = {}  # at each workplace it was at, and the PBX
        for talk in call.talks:
            if talk.workplace is not None:
                talked[talk.workplace] = talked.get(talk.workplace, 0) + talk.seconds
        if call.workplace is not None:
            talked.setdefault(call.workplace, 0 if call.talks else call.duration or 0)
        talked[PBX] = call.duration or 0
        for scope, seconds in talked.items():
            counts = self._counts.setdefault(scope, DayCounts())
            counts.calls_today += 1
            counts.talk_time_today += seconds
            if view.missed and scope in (PBX, call.workplace):
                counts.missed_today += 1
                counts.unseen_missed += 1
        scopes = set(talked)
        self._async_changed(scopes)

    @callback
    def async_mark_seen(self, scope: str = PBX) -> None:
        """The missed calls were seen: of the PBX (all of them), or of a workplace."""
        if scope == PBX:
            for counts in self._counts.values():
                counts.unseen_missed = 0
        elif (seen := self._counts.get(scope)) is not None:
            if (pbx := self._counts.get(PBX)) is not None:
                pbx.unseen_missed = max(0, pbx.unseen_missed - seen.unseen_missed)
            seen.unseen_missed = 0
        self._async_changed(set(self._counts) | {scope})

    async def async_flush(self) -> None:
        """Write the counters now (the entry unloads; a reload reads them back)."""
        self._announcer.async_stop()
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """The entry is removed: so are its counters."""
        await self._store.async_remove()

    @callback
    def _async_midnight(self, _now: datetime) -> None:
        if self._roll_over():
            self._async_changed(set(self._counts))

    def _roll_over(self) -> bool:
        today = dt_util.now().date()
        if today == self._day:
            return False
        self._day = today
        self._new_day()
        return True

    def _new_day(self) -> None:
        for counts in self._counts.values():
            counts.calls_today = counts.missed_today = counts.talk_time_today = 0

    @callback
    def _async_changed(self, scopes: set[str]) -> None:
        # Once per write, not per change: Home Assistant's delayed save would put the
        # write off again at each ended call, and a busy PBX could keep it off.
        if not self._save_scheduled:
            self._save_scheduled = True
            self._store.async_delay_save(self._data, SAVE_DELAY)
        self._changed |= scopes
        self._announcer.async_call()

    @callback
    def _async_announce(self) -> None:
        changed, self._changed = self._changed, set()
        async_dispatcher_send(
            self._hass, SIGNAL_COUNTERS_CHANGED.format(self._entry_id), changed
        )

    def _data(self) -> dict[str, Any]:
        self._save_scheduled = False
        return {
            "day": self._day.isoformat(),
            "scopes": {scope: asdict(counts) for scope, counts in self._counts.items()},
        }
