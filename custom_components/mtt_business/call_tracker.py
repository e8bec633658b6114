"""Folding call legs into calls, per entry (plain Python, no Home Assistant).

Rules (SPEC §4, and what the documentation leaves open):
- A call is identified by its leg id without the `~No` suffix, so the incoming
  parking leg `…~1o` and the workplace leg `…~2o` are one call; an outgoing call
  keeps one id through all its states.
- A leg's states only move forward (trying → showing → connected → hiding →
  finished); a push older than what a leg already reached, or one seen before, changes
  nothing. A call ends once one of its legs has finished and no leg is live; a push
  for an ended call changes nothing (except `recorded`, which adds the recording), so a
  `finished` before its `connected` does not resurrect the call.
- `missed`: an incoming call that ended without any leg ever being connected.
- Workplaces: an incoming leg is at the workplace named by its callee, an outgoing one
  at the workplace named by its caller (`accountId`/`id`, terminals mapped to their
  workplace). Several calls at one workplace: talking > ringing > dialing.
- Memory is bounded: at most `max_calls` active calls (the oldest are dropped) and
  `max_finished` remembered ended calls; calls with no news for `stale_after` are
  dropped by `expire()`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .api.models import (
    CallDirection,
    CallNotification,
    CallState,
    Leg,
    Party,
    PbxDirectory,
)
from .api.phone_number import normalize_number


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
    WorkplaceCallState.DIALING: 1,
    WorkplaceCallState.RINGING: 2,
    WorkplaceCallState.TALKING: 3,
}


@dataclass(frozen=True, slots=True)
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
    transport_id: str | None
    duration: int | None = None
    reason: str | None = None
    record_url: str | None = None
    ended: bool = False


@dataclass(frozen=True, slots=True)
class CallUpdate:
    """What one push changed."""

    call: TrackedCall
    events: tuple[CallEvent, ...]
    notification: CallNotification
    workplaces: frozenset[str]


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
class _Call:
    call: TrackedCall
    updated: datetime
    legs: dict[str, CallState] = field(default_factory=dict)
    at: dict[str, tuple[WorkplaceCallState, datetime]] = field(default_factory=dict)

    def live_legs(self) -> int:
        return sum(
            1
            for s in self.legs.values()
            if s not in (CallState.HIDING, CallState.FINISHED)
        )


class CallTracker:
    """The calls of one entry's PBX."""

    def __init__(
        self,
        directory: PbxDirectory,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        stale_after: timedelta = timedelta(hours=1),
        max_calls: int = 1000,
        max_finished: int = 500,
    ) -> None:
        """Track calls of the PBX described by `directory`."""
        self._clock = clock
        self._stale_after = stale_after
        self._max_calls = max_calls
        self._max_finished = max_finished
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._finished: OrderedDict[str, TrackedCall] = OrderedDict()
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

    def reset(self) -> None:
        """Forget every call."""
        self._calls.clear()
        self._finished.clear()

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

    def concerns(self, n: CallNotification) -> bool:
        """Whether this entry owns the call of this push."""
        call_id = n.leg.call_id
        if call_id in self._calls or call_id in self._finished:
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
        now = self._clock()
        if call_id in self._finished:
            return self._apply_to_ended(n)
        if n.state is CallState.RECORDED:
            return self._apply_to_ended(n)
        tracked = self._calls.get(call_id)
        leg_state = tracked.legs.get(n.leg.id) if tracked else None
        if leg_state is not None and _LEG_RANK[n.state] <= _LEG_RANK[leg_state]:
            if n.state is CallState.CONNECTED and tracked and not tracked.call.answered:
                tracked.call = replace(tracked.call, answered=True)
            return None

        events: list[CallEvent] = []
        if tracked is None:
            tracked = self._new_call(n, now)
            events.append(CallEvent.TRYING)
        tracked.updated = now
        self._calls.move_to_end(call_id)
        tracked.legs[n.leg.id] = n.state
        before = dict(tracked.at)
        workplace = self._leg_workplace(tracked.call.direction, n)
        call = tracked.call
        fields: dict[str, object] = {
            "state": n.state,
            "leg": n.leg,
            "transport_id": n.transport_id or call.transport_id,
        }
        if workplace is not None:
            fields["workplace"] = workplace
        if n.state is CallState.SHOWING:
            if workplace:
                kind = (
                    WorkplaceCallState.DIALING
                    if call.direction is CallDirection.OUTGOING
                    else WorkplaceCallState.RINGING
                )
                tracked.at[workplace] = (kind, now)
            events.append(CallEvent.SHOWING)
        elif n.state is CallState.CONNECTED:
            fields["answered"] = True
            if workplace:
                tracked.at[workplace] = (WorkplaceCallState.TALKING, now)
            events.append(CallEvent.CONNECTED)
        elif n.state is CallState.HIDING:
            if workplace:
                tracked.at.pop(workplace, None)
            events.append(CallEvent.HIDING)
        elif n.state is CallState.FINISHED:
            if workplace:
                tracked.at.pop(workplace, None)
            fields["duration"] = n.duration
            fields["reason"] = n.reason
        elif (
            n.state is CallState.TRYING
            and workplace
            and (call.direction is CallDirection.OUTGOING)
        ):
            tracked.at[workplace] = (WorkplaceCallState.DIALING, now)
        tracked.call = replace(call, **fields)  # type: ignore[arg-type]

        if tracked.live_legs() == 0 and CallState.FINISHED in tracked.legs.values():
            tracked.at.clear()
            ended = replace(tracked.call, ended=True)
            del self._calls[call_id]
            self._remember_finished(ended)
            events.append(CallEvent.FINISHED)
            if ended.direction is not CallDirection.OUTGOING and not ended.answered:
                events.append(CallEvent.MISSED)
            tracked.call = ended
        changed = frozenset(
            w
            for w in before.keys() | tracked.at.keys()
            if before.get(w) != tracked.at.get(w)
        )
        if workplace:
            changed |= {workplace}
        self._enforce_bound()
        return CallUpdate(tracked.call, tuple(dict.fromkeys(events)), n, changed)

    def _new_call(self, n: CallNotification, now: datetime) -> _Call:
        direction = n.direction
        caller = _number(n.caller)
        callee = _number(n.callee)
        if direction is CallDirection.OUTGOING:
            caller = self._workplace(n.caller) or caller
        call = TrackedCall(
            call_id=n.leg.call_id,
            direction=direction,
            caller=caller,
            callee=callee,
            state=n.state,
            workplace=None,
            started=n.start_time or now,
            answered=False,
            leg=n.leg,
            transport_id=n.transport_id,
        )
        tracked = _Call(call, now)
        self._calls[n.leg.call_id] = tracked
        return tracked

    def _leg_workplace(
        self, direction: CallDirection | None, n: CallNotification
    ) -> str | None:
        if direction is CallDirection.OUTGOING:
            return self._workplace(n.caller)
        return self._workplace(n.callee)

    def _apply_to_ended(self, n: CallNotification) -> CallUpdate | None:
        call_id = n.leg.call_id
        known = self._finished.get(call_id)
        if n.state is CallState.RECORDED and n.record_url:
            if known is None:
                active = self._calls.get(call_id)
                if active is not None:
                    active.call = replace(active.call, record_url=n.record_url)
                    return CallUpdate(
                        active.call, (CallEvent.RECORDED,), n, frozenset()
                    )
                known = TrackedCall(
                    call_id=call_id,
                    direction=None,
                    caller=None,
                    callee=None,
                    state=CallState.RECORDED,
                    workplace=self._workplace_of.get(n.account_id or ""),
                    started=self._clock(),
                    answered=True,
                    leg=n.leg,
                    transport_id=None,
                    ended=True,
                )
            if known.record_url == n.record_url:
                return None
            known = replace(known, record_url=n.record_url)
            self._remember_finished(known)
            return CallUpdate(known, (CallEvent.RECORDED,), n, frozenset())
        if known is not None and n.state is CallState.CONNECTED and not known.answered:
            self._finished[call_id] = replace(known, answered=True)
        return None

    def _remember_finished(self, call: TrackedCall) -> None:
        self._finished[call.call_id] = call
        self._finished.move_to_end(call.call_id)
        while len(self._finished) > self._max_finished:
            self._finished.popitem(last=False)

    def _enforce_bound(self) -> None:
        while len(self._calls) > self._max_calls:
            self._calls.popitem(last=False)

    # --- reading ------------------------------------------------------------------

    def active_calls(self) -> list[TrackedCall]:
        """The active calls, oldest first."""
        return sorted((c.call for c in self._calls.values()), key=lambda c: c.started)

    def call(self, call_id: str) -> TrackedCall | None:
        """An active or recently ended call."""
        if (tracked := self._calls.get(call_id)) is not None:
            return tracked.call
        return self._finished.get(call_id)

    def workplace_status(self, sip_id: str) -> WorkplaceStatus:
        """What a workplace is doing now."""
        best: WorkplaceStatus = IDLE
        for tracked in self._calls.values():
            if (at := tracked.at.get(sip_id)) is None:
                continue
            state, since = at
            if _BUSY_RANK[state] > _BUSY_RANK.get(best.state, 0):
                call = tracked.call
                peer = (
                    call.callee
                    if call.direction is CallDirection.OUTGOING
                    else call.caller
                )
                best = WorkplaceStatus(state, call.call_id, peer, call.direction, since)
        return best

    def expire(self) -> list[TrackedCall]:
        """Drop calls with no news for `stale_after`; returns them."""
        limit = self._clock() - self._stale_after
        stale = [cid for cid, c in self._calls.items() if c.updated < limit]
        return [self._calls.pop(cid).call for cid in stale]


def _number(party: Party | None) -> str | None:
    if party is None:
        return None
    for value in (party.id, party.display_id, party.account_id):
        if value and (number := normalize_number(value)):
            return number
    return None
