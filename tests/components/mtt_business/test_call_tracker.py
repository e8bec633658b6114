"""The call tracker on its own: order, duplicates, workplaces, memory bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools

from custom_components.mtt_business.api.models import (
    CallDirection,
    CallNotification,
    CallState,
    ExternalNumber,
    Leg,
    Party,
    PbxDirectory,
    Terminal,
    Workplace,
)
from custom_components.mtt_business.call_tracker import (
    CallEvent,
    CallTracker,
    WorkplaceCallState,
)

A, B = "883140777716581", "883140777828305"
TERMINAL_A = "883140777380595"
DIRECTORY = PbxDirectory(
    (ExternalNumber("74996497803"),),
    (Workplace(A, "Reception"), Workplace(B, "")),
    (Terminal(TERMINAL_A, A),),
)
CALLER = Party(
    account_id="78124241500@pstn", display_id="78124241500", id="78124241500"
)
EXTERNAL = Party(account_id="74996497803", id="74996497803")


def _at(sip: str) -> Party:
    return Party(account_id=sip, id=sip, display_id=sip)


def _n(leg: str, state: CallState, callee: Party, **kw: object) -> CallNotification:
    return CallNotification(
        Leg(leg, "t"),
        state,
        CallDirection.INCOMING,
        CALLER,
        callee,
        transport_id="10.0.0.1:5073",
        **kw,  # type: ignore[arg-type]
    )


def incoming_answered(prefix: str = "c1", at: str = A) -> list[CallNotification]:
    return [
        _n(f"{prefix}~1o", CallState.TRYING, EXTERNAL),
        _n(f"{prefix}~1o", CallState.HIDING, EXTERNAL),
        _n(f"{prefix}~2o", CallState.SHOWING, _at(at)),
        _n(f"{prefix}~2o", CallState.CONNECTED, _at(at)),
        _n(
            f"{prefix}~2o",
            CallState.FINISHED,
            _at(at),
            duration=4,
            reason="Answer leg disconnected",
        ),
    ]


def _final(tracker: CallTracker) -> tuple[object, ...]:
    return (
        len(tracker.active_calls()),
        tracker.workplace_status(A).state,
        tracker.workplace_status(B).state,
    )


def test_every_order_gives_the_same_final_state() -> None:
    sequence = incoming_answered()
    for order in itertools.permutations(sequence):
        tracker = CallTracker(DIRECTORY)
        for n in order:
            tracker.apply(n)
        assert _final(tracker) == (
            0,
            WorkplaceCallState.IDLE,
            WorkplaceCallState.IDLE,
        ), order


def test_in_order_events_and_states() -> None:
    tracker = CallTracker(DIRECTORY)
    updates = [tracker.apply(n) for n in incoming_answered()]
    assert [u.events if u else None for u in updates] == [
        (CallEvent.TRYING,),
        (CallEvent.HIDING,),
        (CallEvent.SHOWING,),
        (CallEvent.CONNECTED,),
        (CallEvent.FINISHED,),
    ]
    assert updates[2] is not None
    assert updates[2].workplaces == frozenset({A})
    call = tracker.call("c1")
    assert call is not None
    assert call.ended
    assert call.answered
    assert call.caller == "+78124241500"
    assert tracker.apply(incoming_answered()[3]) is None  # late duplicate


def test_missed_and_terminal_mapping() -> None:
    tracker = CallTracker(DIRECTORY)
    tracker.apply(_n("m~2o", CallState.SHOWING, _at(TERMINAL_A)))
    assert tracker.workplace_status(A).state is WorkplaceCallState.RINGING
    update = tracker.apply(_n("m~2o", CallState.FINISHED, _at(TERMINAL_A), duration=0))
    assert update is not None
    assert update.events == (CallEvent.FINISHED, CallEvent.MISSED)


def test_two_calls_at_one_workplace_and_transfer() -> None:
    tracker = CallTracker(DIRECTORY)
    tracker.apply(_n("x~2o", CallState.SHOWING, _at(A)))
    tracker.apply(_n("y~2o", CallState.CONNECTED, _at(A)))
    assert tracker.workplace_status(A).state is WorkplaceCallState.TALKING
    tracker.apply(_n("y~2o", CallState.HIDING, _at(A)))
    tracker.apply(_n("y~3o", CallState.SHOWING, _at(B)))
    assert tracker.workplace_status(A).state is WorkplaceCallState.RINGING
    assert tracker.workplace_status(B).state is WorkplaceCallState.RINGING
    assert tracker.workplace_status(B).peer == "+78124241500"


def test_other_accounts_and_recordings() -> None:
    tracker = CallTracker(DIRECTORY)
    stranger = _n("s~1o", CallState.TRYING, Party(id="74950000000"))
    assert not tracker.concerns(stranger)
    recorded = CallNotification(
        Leg("r~2o"), CallState.RECORDED, account_id=A, record_url="https://x/r.mp3"
    )
    assert tracker.concerns(recorded)
    update = tracker.apply(recorded)
    assert update is not None
    assert update.events == (CallEvent.RECORDED,)
    assert tracker.apply(recorded) is None


def test_stale_calls_expire_and_memory_is_bounded() -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    tracker = CallTracker(DIRECTORY, clock=lambda: now, max_calls=100, max_finished=50)
    for i in range(100_000):
        for n in incoming_answered(f"c{i}")[2:4]:
            tracker.apply(n)
        if i % 2:
            tracker.apply(incoming_answered(f"c{i}")[4])
    assert len(tracker.active_calls()) <= 100
    assert len(tracker._finished) <= 50
    now += timedelta(hours=2)
    assert len(tracker.expire()) <= 100
    assert tracker.active_calls() == []
    tracker.reset()
    assert tracker.call("c1") is None
