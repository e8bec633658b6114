"""Folding call legs into calls, per entry (plain Python, no Home Assistant).

The rules a call follows (SPEC §4; the README states them for users):
- A call is identified by its leg id without the `~No` suffix, so the incoming
  parking leg `…~1o` and the workplace legs `…~2o`, `…~3o` are one call; an outgoing
  call keeps one id through all its states.
- A leg's states only move forward (trying → showing → connected → hiding →
  finished); a push older than what the leg already reached, or one seen before,
  changes nothing.
- The parking leg (`…~1o`, `trying`) lasts only until the PBX decides: until another
  leg of the call appears, a transfer or terminate of it is sent, or the 5-second
  parking window passes. The documentation shows no push that ends it.
- A leg that is connected stops every other leg of the call that only rang (a ring
  group: one workplace answers, the others stop ringing, with or without `hiding`).
- `finished` is the end of the call within the PBX (the documentation's words),
  unless another leg is connected at that moment: then only that leg ends, and the
  call ends when no connected leg is left. When the call ends, every leg ends.
- `missed`: an incoming call that ended, was seen to start, and that nobody
  answered (no leg connected, and its `finished` counts no talk time).
- A `finished` for a call never seen to start (after a restart, or after the call
  was dropped) is not `missed` (nobody knows whether it was answered): it changes no
  state and is announced with `seen_start` False.
- Ended calls are remembered by id (`remember_ended` long, at most `max_remembered`),
  so that a late or repeated push never brings one back; `recorded` still adds the
  recording to them.
- A call with no news is dropped: after `ring_stale_after` if it never connected
  (a workplace rings for at most a minute), after `stale_after` if it did.
- Workplaces: an incoming leg is at the workplace named by its callee, an outgoing
  one at the workplace named by its caller (`accountId`/`id`, terminals mapped to
  their workplace). Several calls at one workplace: talking > ringing > dialing.
- Talk time: each leg that was connected talked at its workplace, from its
  `connected` until it stopped: its `finished` says how long (`duration`, as the PBX
  counts it), a leg that stops otherwise (`hiding`: transferred on) is timed by the
  tracker's clock. An ended call lists these `talks`, and its `duration` is their sum
  (a call answered at one workplace and transferred to another talked at both).
- The external number an incoming call dialled: its first push's callee (the
  parking leg's), else that callee's `displayName` (a call starting on a workplace's
  leg), when it is one of the PBX's external numbers. Each leg notes when it began
  ringing (`showing`), so an ended call tells how long each answer took.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from ..api.const import PARKING_WINDOW_SECONDS
from ..api.models import (
    CallDirection,
    CallNotification,
    CallState,
    Leg,
    Party,
    PbxDirectory,
)
from ..api.phone_number import normalize_number
from ..api.read_only import read_only


class WorkplaceCallState(StrEnum):
    """What a workplace is doing."""

    IDLE = "idle"
    DIALING = "dialing"
    RINGING = "ringing"
    TALKING = "talking"


class CallEvent(StrEnum):
    """Events of a call, as event entities and automations see them."""

    TRYING = "trying"
    SHOWING = "showing"
    CONNECTED = "connected"
    HIDING = "hiding"
    FINISHED = "finished"
    MISSED = "missed"
    RECORDED = "recorded"


_LEG_RANK = {
    CallState.TRYING: 0,
    CallState.SHOWING: 1,
    CallState.CONNECTED: 2,
    CallState.HIDING: 3,
    CallState.FINISHED: 4,
}
_BUSY_RANK = {
    WorkplaceCallState.IDLE: 0,
    WorkplaceCallState.DIALING: 1,
    WorkplaceCallState.RINGING: 2,
    WorkplaceCallState.TALKING: 3,
}
_PUSH_EVENT = {
    CallState.TRYING: CallEvent.TRYING,
    CallState.SHOWING: CallEvent.SHOWING,
    CallState.CONNECTED: CallEvent.CONNECTED,
    CallState.HIDING: CallEvent.HIDING,
    CallState.FINISHED: CallEvent.HIDING,  # a leg ends, the call goes on
}
_RECENT_ENDED = 256
"""Ended calls whose details are kept (for a late `recorded` and the actions)."""


@dataclass(frozen=True, slots=True)
class Talk:
    """What one leg of a call talked: at which workplace, from when, how long."""

    workplace: str | None
    answered: datetime
    seconds: int
    rang: datetime | None = None
    """When the leg began ringing at its workplace (its `showing`), if seen."""


@read_only
class TrackedCall:
    """A call as known after the latest push."""

    call_id: str
    direction: CallDirection | None
    caller: str | None
    callee: str | None
    state: CallState
    workplace: str | None
    started: datetime
    answered: bool
    leg: Leg
    """The call's current leg: the one an action on the call acts on."""
    transport_id: str | None
    duration: int | None = None
    reason: str | None = None
    record_url: str | None = None
    ended: bool = False
    seen_start: bool = True
    """False for a call whose `finished` was the first push seen of it."""
    caller_label: str | None = None
    """The caller's name as the provider sent it (`displayName`), if it is a name."""
    callee_label: str | None = None
    talks: tuple[Talk, ...] = ()
    """Of an ended call, what each of its connected legs talked, in order; the
    call's `duration` is their sum (empty: no leg was connected)."""
    external_number: str | None = None
    """Of an incoming call, the PBX's external number the caller dialled (`+7…`)."""
    rang: datetime | None = None
    """Of an ended call, when it first rang at a workplace (a `showing`), if seen."""


@read_only
class CallUpdate:
    """What one push changed."""

    call: TrackedCall
    events: tuple[CallEvent, ...]
    """The events entities announce; empty when no state of ours changed."""
    notification: CallNotification
    workplaces: frozenset[str]
    """Workplaces whose call state may have changed, or that the push names."""
    state: CallEvent
    """What the push means for the call (a leg's `finished` that does not end the
    call is `hiding`; the end of the call is `finished`)."""
    parked: bool = False
    """The push is the `trying` of a parking leg that waits for a command now."""


@dataclass(frozen=True, slots=True)
class WorkplaceStatus:
    """A workplace's call state, the peer and since when."""

    state: WorkplaceCallState
    call_id: str | None = None
    peer: str | None = None
    direction: CallDirection | None = None
    since: datetime | None = None


IDLE = WorkplaceStatus(WorkplaceCallState.IDLE)


@dataclass(slots=True)
class _Leg:
    leg: Leg
    state: CallState
    workplace: str | None
    since: datetime
    number: int
    """Order of appearance within the call."""
    parking: bool = False
    decided: bool = False
    """A parking leg the PBX has moved on from (or a command was sent for)."""
    stopped: bool = False
    """A leg that only rang, stopped because another leg was connected."""
    connected_at: datetime | None = None
    shown_at: datetime | None = None
    """When the leg began ringing (its `showing`)."""
    talk: Talk | None = None
    """What the leg talked, once it stopped after being connected."""

    @property
    def live(self) -> bool:
        return not self.stopped and self.state in (
            CallState.TRYING,
            CallState.SHOWING,
            CallState.CONNECTED,
        )


@dataclass(slots=True)
class _Call:
    call: TrackedCall
    """The call as last announced."""
    updated: datetime
    legs: dict[str, _Leg] = field(default_factory=dict)
    finished: bool = False
    answered: bool = False
    duration: int | None = None
    reason: str | None = None
    states: dict[str, tuple[WorkplaceCallState, datetime]] = field(default_factory=dict)
    """Each workplace the call is at, as of the last push (`_workplace_states`)."""

    def view(
        self,
        state: CallState,
        leg: Leg,
        workplace: str | None,
        transport_id: str | None,
        *,
        ended: bool = False,
        talks: tuple[Talk, ...] = (),
        rang: datetime | None = None,
    ) -> TrackedCall:
        """The call after a push (built directly: this runs for every push)."""
        call = self.call
        return TrackedCall(
            call.call_id,
            call.direction,
            call.caller,
            call.callee,
            state,
            workplace,
            call.started,
            self.answered,
            leg,
            transport_id,
            sum(t.seconds for t in talks) if talks else self.duration,
            self.reason,
            call.record_url,
            ended,
            call.seen_start,
            call.caller_label,
            call.callee_label,
            talks,
            call.external_number,
            rang,
        )

    def connected_leg(self) -> _Leg | None:
        """The newest connected leg still live (legs are kept in order of appearance)."""
        for leg in reversed(self.legs.values()):
            if leg.state is CallState.CONNECTED and leg.live:
                return leg
        return None


class CallTracker:
    """The calls of one entry's PBX."""

    def __init__(
        self,
        directory: PbxDirectory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stale_after: timedelta = timedelta(hours=1),
        ring_stale_after: timedelta = timedelta(minutes=3),
        parking_window: timedelta = timedelta(seconds=PARKING_WINDOW_SECONDS),
        max_calls: int = 1000,
        remember_ended: timedelta = timedelta(hours=2),
        max_remembered: int = 20_000,
    ) -> None:
        """Track calls of the PBX described by `directory`."""
        self._clock = clock
        self._stale_after = stale_after
        self._ring_stale_after = ring_stale_after
        self._parking_window = parking_window
        self._max_calls = max_calls
        self._remember_ended = remember_ended.total_seconds()
        self._max_remembered = max_remembered
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._ended: OrderedDict[str, float] = OrderedDict()
        """Ids of ended calls → when they ended (POSIX seconds), oldest first."""
        self._recent: OrderedDict[str, TrackedCall] = OrderedDict()
        self.set_directory(directory)

    def set_directory(self, directory: PbxDirectory) -> None:
        """Match parties against these numbers, workplaces and terminals."""
        self._workplace_of: dict[str, str] = {
            w.sip_id: w.sip_id for w in directory.workplaces
        }
        for terminal in directory.terminals:
            self._workplace_of.setdefault(terminal.sip_id, terminal.workplace)
        self._numbers = {
            n for e in directory.external_numbers if (n := normalize_number(e.number))
        }
        self._spelled: dict[str, str] = {
            spelling: n
            for e in directory.external_numbers
            if (n := normalize_number(e.number))
            for spelling in (e.number, n)
        }
        """The external numbers as the directory spells them, and normalized."""

    # --- matching -----------------------------------------------------------------

    def _workplace(self, party: Party | None) -> str | None:
        if party is None:
            return None
        for value in (party.account_id, party.id, party.display_id):
            if value and (sip := self._workplace_of.get(value.split("@", 1)[0])):
                return sip
        return None

    def _own_number(self, party: Party | None) -> bool:
        if party is None:
            return False
        return any(
            normalize_number(v) in self._numbers
            for v in (party.account_id, party.id, party.display_id)
            if v
        )

    def _dialled(self, n: CallNotification) -> str | None:
        """The external number an incoming call dialled (once, at its first push).

        The parking leg's callee is that number (SPEC §4.2); a call that starts on a
        workplace's leg names it in the callee's `displayName`.
        """
        callee = n.callee
        if n.direction is CallDirection.OUTGOING or callee is None:
            return None
        values = (callee.id, callee.display_id, callee.display_name)
        for value in values:  # as the directory spells it (the documented call)
            if value and (number := self._spelled.get(value)) is not None:
                return number
        for value in values:
            if value and (number := normalize_number(value)) in self._numbers:
                return number
        return None

    def concerns(self, n: CallNotification) -> bool:
        """Whether this entry owns the call of this push."""
        call_id = n.leg.call_id
        if call_id in self._calls or call_id in self._ended:
            return True
        if n.account_id and n.account_id in self._workplace_of:
            return True
        return any(
            self._workplace(p) is not None or self._own_number(p)
            for p in (n.caller, n.callee)
        )

    # --- folding ------------------------------------------------------------------

    def apply(self, n: CallNotification) -> CallUpdate | None:
        """Fold one push in; None when it changes nothing."""
        call_id = n.leg.call_id
        if n.state is CallState.RECORDED:
            return self._apply_recorded(n)
        if call_id in self._ended:
            return None
        tracked = self._calls.get(call_id)
        if tracked is None and n.state is CallState.FINISHED:
            return self._apply_unseen_finish(n)
        now = self._clock()
        events: list[CallEvent] = []
        if tracked is None:
            tracked = self._new_call(n, now)
            events.append(CallEvent.TRYING)
        else:
            known = tracked.legs.get(n.leg.id)
            if known is not None and _LEG_RANK[n.state] <= _LEG_RANK[known.state]:
                return None
            self._calls.move_to_end(call_id)
        tracked.updated = now
        before = tracked.states
        leg = self._fold_leg(tracked, n, now)
        state = _PUSH_EVENT[n.state]
        if n.state is CallState.FINISHED:
            tracked.finished = True
            tracked.answered = tracked.answered or bool(n.duration)
            tracked.duration = n.duration
            tracked.reason = n.reason
        if tracked.finished and tracked.connected_leg() is None:
            return self._end(tracked, n, events, before)
        if state is not CallEvent.TRYING:
            events.append(state)
        self._refresh(tracked, n, now)
        after = tracked.states = _workplace_states(tracked)
        self._enforce_bound()
        return CallUpdate(
            tracked.call,
            tuple(dict.fromkeys(events)),
            n,
            _changed(before, after, leg.workplace),
            state,
            parked=leg.parking and self._parked(leg, now),
        )

    def _new_call(self, n: CallNotification, now: datetime) -> _Call:
        call = TrackedCall(
            n.leg.call_id,
            n.direction,
            *self._parties(n),
            state=n.state,
            workplace=None,
            started=n.start_time or now,
            answered=False,
            leg=n.leg,
            transport_id=n.transport_id,
            caller_label=_label(n.caller),
            callee_label=_label(n.callee),
            external_number=self._dialled(n),
        )
        tracked = _Call(call, now)
        self._calls[n.leg.call_id] = tracked
        return tracked

    def _parties(self, n: CallNotification) -> tuple[str | None, str | None]:
        """Caller and callee as a call shows them (outgoing: from its workplace)."""
        caller = _number(n.caller)
        if n.direction is CallDirection.OUTGOING:
            caller = self._workplace(n.caller) or caller
        return caller, _number(n.callee)

    def _fold_leg(self, tracked: _Call, n: CallNotification, now: datetime) -> _Leg:
        """Move the push's leg forward, and what that decides for the others."""
        leg = tracked.legs.get(n.leg.id)
        if leg is None:
            leg = _Leg(
                leg=n.leg,
                state=n.state,
                workplace=self._leg_workplace(tracked.call.direction, n),
                since=now,
                number=len(tracked.legs),
                parking=n.leg.is_parking and n.state is CallState.TRYING,
            )
            for other in tracked.legs.values():
                # the PBX moved on from parking: another leg of the call appeared
                other.decided = True
            if leg.parking and tracked.legs:
                leg.decided = True
            tracked.legs[n.leg.id] = leg
        else:
            leg.state = n.state
            leg.since = now
            if n.leg.tag:
                leg.leg = n.leg
        if n.state is CallState.SHOWING:
            leg.shown_at = now
        _time_talk(leg, n, now)
        if n.state is CallState.CONNECTED:
            tracked.answered = True
            for other in tracked.legs.values():
                if other is not leg and other.state in (
                    CallState.TRYING,
                    CallState.SHOWING,
                ):
                    other.stopped = True
                    other.decided = True
        return leg

    def _refresh(self, tracked: _Call, n: CallNotification, now: datetime) -> None:
        """The call's state, current leg and workplace after a push."""
        current, state = self._current_leg_and_state(tracked, now)
        workplace = tracked.call.workplace
        if current is not None and current.workplace is not None:
            workplace = current.workplace
        elif workplace is None:
            workplace = self._leg_workplace(tracked.call.direction, n)
        tracked.call = tracked.view(
            state,
            current.leg if current is not None else n.leg,
            workplace,
            n.transport_id or tracked.call.transport_id,
        )

    def _current_leg_and_state(
        self, tracked: _Call, now: datetime | None = None
    ) -> tuple[_Leg | None, CallState]:
        """The current leg and the call's state, in one pass.

        The current leg: connected, else the newest ringing leg, else a parking leg
        still parked (None: no such leg). The call's state is the furthest state of its live legs (a parking leg past
        its window included); `hiding` when no leg is live. Legs are kept in the
        order they appeared: the newest is the last.
        """
        connected = ringing = trying = None
        any_trying = False
        for leg in tracked.legs.values():
            if leg.stopped:
                continue
            leg_state = leg.state
            if leg_state is CallState.CONNECTED:
                connected = leg
            elif leg_state is CallState.SHOWING:
                ringing = leg
            elif leg_state is CallState.TRYING:
                any_trying = True
                if not leg.parking or self._parked(leg, now):
                    trying = leg
        if connected is not None:
            return connected, CallState.CONNECTED
        if ringing is not None:
            return ringing, CallState.SHOWING
        return trying, CallState.TRYING if any_trying else CallState.HIDING

    def _parked(self, leg: _Leg, now: datetime | None = None) -> bool:
        return (
            leg.parking
            and not leg.decided
            and leg.state is CallState.TRYING
            and (now or self._clock()) - leg.since < self._parking_window
        )

    def _end(
        self,
        tracked: _Call,
        n: CallNotification,
        events: list[CallEvent],
        before: dict[str, tuple[WorkplaceCallState, datetime]],
    ) -> CallUpdate:
        """The call ended within the PBX: every leg ends with it."""
        call = tracked.call
        workplace = call.workplace or self._leg_workplace(call.direction, n)
        now = self._clock()
        ended = tracked.view(
            CallState.FINISHED,
            n.leg,
            workplace,
            n.transport_id or call.transport_id,
            ended=True,
            talks=tuple(
                talk
                for leg in sorted(tracked.legs.values(), key=lambda leg: leg.number)
                if (talk := leg.talk or _talk_until(leg, now)) is not None
            ),
            rang=_first_ring(tracked),
        )
        del self._calls[call.call_id]
        self._remember(ended)
        events.append(CallEvent.FINISHED)
        if ended.direction is not CallDirection.OUTGOING and not ended.answered:
            events.append(CallEvent.MISSED)
        return CallUpdate(
            ended,
            tuple(dict.fromkeys(events)),
            n,
            _changed(before, {}, workplace),
            CallEvent.FINISHED,
        )

    def _apply_unseen_finish(self, n: CallNotification) -> CallUpdate:
        """A `finished` for a call never seen to start: announced, nothing changes."""
        call = TrackedCall(
            n.leg.call_id,
            n.direction,
            *self._parties(n),
            state=CallState.FINISHED,
            workplace=self._leg_workplace(n.direction, n),
            started=n.start_time or self._clock(),
            answered=bool(n.duration),
            leg=n.leg,
            transport_id=n.transport_id,
            duration=n.duration,
            reason=n.reason,
            ended=True,
            seen_start=False,
            external_number=self._dialled(n),
        )
        self._remember(call)
        return CallUpdate(call, (), n, frozenset(), CallEvent.FINISHED)

    def _leg_workplace(
        self, direction: CallDirection | None, n: CallNotification
    ) -> str | None:
        if direction is CallDirection.OUTGOING:
            return self._workplace(n.caller)
        return self._workplace(n.callee)

    def _apply_recorded(self, n: CallNotification) -> CallUpdate | None:
        if not n.record_url:
            return None
        call_id = n.leg.call_id
        if (active := self._calls.get(call_id)) is not None:
            if active.call.record_url == n.record_url:
                return None
            active.call = replace(active.call, record_url=n.record_url)
            return self._recorded(active.call, n)
        known = self._recent.get(call_id)
        if known is None:
            known = TrackedCall(
                call_id=call_id,
                direction=None,
                caller=None,
                callee=None,
                state=CallState.FINISHED,
                workplace=self._workplace_of.get(n.account_id or ""),
                started=self._clock(),
                answered=True,
                leg=n.leg,
                transport_id=None,
                ended=True,
            )
        elif known.record_url == n.record_url:
            return None
        known = replace(known, record_url=n.record_url)
        self._remember(known)
        return self._recorded(known, n)

    @staticmethod
    def _recorded(call: TrackedCall, n: CallNotification) -> CallUpdate:
        return CallUpdate(
            call, (CallEvent.RECORDED,), n, frozenset(), CallEvent.RECORDED
        )

    # --- memory -------------------------------------------------------------------

    def _remember(self, call: TrackedCall) -> None:
        """Keep an ended call's id (and, for the newest, its details)."""
        now = self._clock().timestamp()
        self._ended[call.call_id] = now
        self._ended.move_to_end(call.call_id)
        self._recent[call.call_id] = call
        self._recent.move_to_end(call.call_id)
        if len(self._recent) > _RECENT_ENDED:
            self._recent.popitem(last=False)
        oldest = now - self._remember_ended
        ended = self._ended
        while ended and (
            len(ended) > self._max_remembered or next(iter(ended.values())) < oldest
        ):
            ended.popitem(last=False)

    def _enforce_bound(self) -> None:
        while len(self._calls) > self._max_calls:
            self._calls.popitem(last=False)

    @property
    def remembered(self) -> int:
        """How many ended calls are remembered by id."""
        return len(self._ended)

    def mark_commanded(self, leg: Leg) -> None:
        """A transfer or terminate of this leg was sent: its parking is decided."""
        tracked = self._calls.get(leg.call_id)
        if tracked is not None and (known := tracked.legs.get(leg.id)) is not None:
            known.decided = True

    # --- reading ------------------------------------------------------------------

    def active_calls(self) -> list[TrackedCall]:
        """The active calls, oldest first."""
        return sorted((c.call for c in self._calls.values()), key=lambda c: c.started)

    def call(self, call_id: str) -> TrackedCall | None:
        """An active or recently ended call."""
        if (tracked := self._calls.get(call_id)) is not None:
            if tracked.legs:
                current, _state = self._current_leg_and_state(tracked)
                if current is not None and current.leg != tracked.call.leg:
                    return replace(tracked.call, leg=current.leg)
            return tracked.call
        return self._recent.get(call_id)

    def workplace_status(self, sip_id: str) -> WorkplaceStatus:
        """What a workplace is doing now."""
        best: WorkplaceStatus = IDLE
        for tracked in self._calls.values():
            at = tracked.states.get(sip_id)
            if at is None:
                continue
            state, since = at
            if _BUSY_RANK[state] > _BUSY_RANK[best.state]:
                call = tracked.call
                peer = (
                    call.callee
                    if call.direction is CallDirection.OUTGOING
                    else call.caller
                )
                best = WorkplaceStatus(state, call.call_id, peer, call.direction, since)
        return best

    def expire(self) -> list[TrackedCall]:
        """Drop calls with no news for too long; returns them.

        A call that never connected is dropped after `ring_stale_after`, one that did
        after `stale_after`. Dropped calls are not remembered as ended: a late
        `finished` of one is announced as a call never seen to start.
        """
        now = self._clock()
        ringing_limit = now - self._ring_stale_after
        talking_limit = now - self._stale_after
        stale = [
            cid
            for cid, c in self._calls.items()
            if c.updated < (talking_limit if c.call.answered else ringing_limit)
        ]
        return [self._calls.pop(cid).call for cid in stale]


def _first_ring(tracked: _Call) -> datetime | None:
    """When the call first rang at a workplace (None: it never rang)."""
    first: datetime | None = None
    for leg in tracked.legs.values():
        if (shown := leg.shown_at) is not None and (first is None or shown < first):
            first = shown
    return first


def _time_talk(leg: _Leg, n: CallNotification, now: datetime) -> None:
    """A leg was connected, or stopped: what it talked (see the module's rules)."""
    if n.state is CallState.CONNECTED:
        leg.connected_at = now
    elif (
        n.state is CallState.FINISHED
        and (seconds := n.duration) is not None
        and (seconds or leg.connected_at is not None)
    ):
        # the PBX's count, also when the leg's `connected` came late or not at all
        leg.talk = Talk(
            leg.workplace,
            leg.connected_at or now - timedelta(seconds=seconds),
            seconds,
            leg.shown_at if leg.connected_at is not None else None,
        )
    elif n.state in (CallState.HIDING, CallState.FINISHED) and leg.talk is None:
        leg.talk = _talk_until(leg, now)


def _talk_until(leg: _Leg, now: datetime) -> Talk | None:
    """What a connected leg talked until `now` (None: it was not connected)."""
    if leg.connected_at is None:
        return None
    seconds = max(0, round((now - leg.connected_at).total_seconds()))
    return Talk(leg.workplace, leg.connected_at, seconds, leg.shown_at)


def _leg_workplace_state(
    direction: CallDirection | None, leg: _Leg
) -> WorkplaceCallState | None:
    if not leg.live or leg.workplace is None:
        return None
    if leg.state is CallState.CONNECTED:
        return WorkplaceCallState.TALKING
    if direction is CallDirection.OUTGOING:
        return WorkplaceCallState.DIALING
    if leg.state is CallState.SHOWING:
        return WorkplaceCallState.RINGING
    return None


def _workplace_states(
    tracked: _Call,
) -> dict[str, tuple[WorkplaceCallState, datetime]]:
    """Each workplace the call is at, with what it does there and since when."""
    states: dict[str, tuple[WorkplaceCallState, datetime]] = {}
    direction = tracked.call.direction
    for leg in tracked.legs.values():
        state = _leg_workplace_state(direction, leg)
        if state is None:
            continue
        assert leg.workplace is not None
        known = states.get(leg.workplace)
        if known is None or _BUSY_RANK[state] > _BUSY_RANK[known[0]]:
            states[leg.workplace] = (state, leg.since)
    return states


def _changed(
    before: dict[str, tuple[WorkplaceCallState, datetime]],
    after: dict[str, tuple[WorkplaceCallState, datetime]],
    named: str | None,
) -> frozenset[str]:
    changed = {w for w in before.keys() | after.keys() if before.get(w) != after.get(w)}
    if named:
        changed.add(named)
    return frozenset(changed)


def _label(party: Party | None) -> str | None:
    """The party's `displayName` when it names someone (not a number or an id)."""
    name = party.display_name if party is not None else None
    if name and any(character.isalpha() for character in name):
        return name.strip()
    return None


def _number(party: Party | None) -> str | None:
    if party is None:
        return None
    for value in (party.id, party.display_id, party.account_id):
        if value and (number := normalize_number(value)):
            return number
    return None
