"""Counters of ended calls per day, for the PBX and each workplace; kept across restarts.

For the PBX and for each workplace: calls today, missed today, talk time today (the
seconds of `finished` pushes), reset at local midnight; and missed calls not yet seen,
which only `async_mark_seen` (a button, an action) sets back to 0. A call counts when
it ends, once, at the PBX and at each workplace it was at: those it talked at and the
one it ended at (a missed call at the workplace that rang last). Each workplace's talk
time is what the call talked there (a call answered at one workplace and transferred
to another adds its share to each), the PBX's the call's whole talk time; a call
never seen to start is not counted (nobody knows whether it was answered).

Per external number (the scope is the number, `+7…`): the day's calls and missed
calls it was dialled for. Per PBX and workplace, the day's answer statistics: incoming
calls, how many were answered (at the workplace: there), and how long each answer
took, from the first ring (`showing`) to `connected`: the PBX's answer of a call from
its first ring at any workplace, a workplace's from its own leg's ring. A ghost call
(`ghost_calls.py`) is neither missed nor counted as incoming; it is still a call.
All of this is computed once per ended call, never per push.

The counters are stored with Home Assistant's Store, written at most every
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

from .api.models import CallDirection
from .calls.tracker import CallEvent, TrackedCall
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
    incoming_today: int = 0
    """Incoming calls (ghost calls left out): the answer rate's base."""
    answered_today: int = 0
    """Of those, answered (at a workplace: answered there)."""
    answers_timed_today: int = 0
    """Answers whose ring was seen: the average's base."""
    answer_wait_today: int = 0
    """Milliseconds from the first ring to the answer, summed over the timed answers."""
    longest_wait_today: int = 0
    """Milliseconds: the longest of them."""

    @property
    def answer_rate(self) -> float | None:
        """Answered / incoming today, in %; None before the day's first incoming call."""
        if not self.incoming_today:
            return None
        return round(100 * self.answered_today / self.incoming_today, 1)

    @property
    def average_wait(self) -> float | None:
        """Seconds an answer took today, on average; None before the first."""
        if not self.answers_timed_today:
            return None
        return round(self.answer_wait_today / self.answers_timed_today / 1000, 1)

    @property
    def longest_wait(self) -> float | None:
        """Seconds the longest answer today took; None before the first."""
        if not self.answers_timed_today:
            return None
        return round(self.longest_wait_today / 1000, 1)

    def note_answer(self, answered: bool, wait: float | None) -> None:
        """An incoming call ended: answered or not, after `wait` seconds of ringing."""
        self.incoming_today += 1
        if not answered:
            return
        self.answered_today += 1
        if wait is not None:
            milliseconds = max(0, round(wait * 1000))
            self.answers_timed_today += 1
            self.answer_wait_today += milliseconds
            self.longest_wait_today = max(self.longest_wait_today, milliseconds)


_DAY_FIELDS = tuple(key for key in DayCounts.__slots__ if key != "unseen_missed")
"""What starts at 0 at local midnight (unseen missed calls stay until seen)."""


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
        """The counters of the PBX (`PBX`), a workplace or an external number."""
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
        if call.direction is not CallDirection.OUTGOING and not view.ghost:
            self._count_answers(call, scopes)
        if (number := call.external_number) is not None:
            counts = self._counts.setdefault(number, DayCounts())
            counts.calls_today += 1
            counts.missed_today += view.missed
            scopes.add(number)
        self._async_changed(scopes)

    def _count_answers(self, call: TrackedCall, scopes: set[str]) -> None:
        """An incoming call's answer (or none) at the PBX and each workplace."""
        first = min(call.talks, key=lambda talk: talk.answered, default=None)
        wait = (
            (first.answered - call.rang).total_seconds()
            if first is not None and call.rang is not None
            else None
        )
        self._counts[PBX].note_answer(call.answered, wait)
        for scope in scopes - {PBX}:
            talk = next((t for t in call.talks if t.workplace == scope), None)
            self._counts[scope].note_answer(
                talk is not None
                or (call.answered and not call.talks and scope == call.workplace),
                (talk.answered - talk.rang).total_seconds()
                if talk is not None and talk.rang is not None
                else None,
            )

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
            for key in _DAY_FIELDS:
                setattr(counts, key, 0)

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
