"""The call tracker on its own: the documented shapes in every order, memory bounds.

Each shape is a call as the PBX may push it (the documentation's minimal sequences,
and what it leaves open: a `hiding` or none for a leg that stops ringing, …). Each
must end with nothing active, every workplace idle, and `missed` exactly when
nobody answered, whatever the order and duplication of its pushes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import itertools
import random
import tracemalloc

from hypothesis import given, settings, strategies as st

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
from custom_components.mtt_business.calls.tracker import (
    CallEvent,
    CallTracker,
    CallUpdate,
    WorkplaceCallState,
)

A, B, C = "883140777716581", "883140777828305", "883140582526566"
WORKPLACES = (A, B, C)
TERMINAL_A = "883140777380595"
DIRECTORY = PbxDirectory(
    (ExternalNumber("74996497803"),),
    (Workplace(A, "Reception"), Workplace(B, ""), Workplace(C, "Ivan")),
    (Terminal(TERMINAL_A, A),),
)
CALLER = Party(
    account_id="78124241500@pstn", display_id="78124241500", id="78124241500"
)
EXTERNAL = Party(account_id="74996497803", id="74996497803")
PSTN_CALLEE = Party(display_id="+79219462761", id="+79219462761")


def _at(sip: str) -> Party:
    return Party(account_id=sip, id=sip, display_id=sip)


def _in(
    leg: str, state: CallState, callee: Party, duration: int | None = None
) -> CallNotification:
    return CallNotification(
        Leg(leg, f"tag-{leg}"),
        state,
        CallDirection.INCOMING,
        CALLER,
        callee,
        transport_id="10.0.0.1:5073",
        duration=duration if state is CallState.FINISHED else None,
        reason="Answer leg disconnected" if state is CallState.FINISHED else None,
    )


def _out(leg: str, state: CallState, at: str, duration: int = 0) -> CallNotification:
    return CallNotification(
        Leg(leg, f"tag-{leg}"),
        state,
        CallDirection.OUTGOING,
        _at(at),
        PSTN_CALLEE,
        transport_id="10.0.0.1:5070",
        duration=duration if state is CallState.FINISHED else None,
    )


T, S, K, H, F = (
    CallState.TRYING,
    CallState.SHOWING,
    CallState.CONNECTED,
    CallState.HIDING,
    CallState.FINISHED,
)


@dataclass(frozen=True)
class Shape:
    """A call's pushes in the order the PBX sends them, and whether it was answered."""

    name: str
    pushes: tuple[CallNotification, ...]
    answered: bool
    direction: CallDirection = CallDirection.INCOMING

    @property
    def call_id(self) -> str:
        return self.pushes[0].leg.call_id


def _parking(p: str, hiding: bool) -> list[CallNotification]:
    return [_in(f"{p}~1o", T, EXTERNAL)] + (
        [_in(f"{p}~1o", H, EXTERNAL)] if hiding else []
    )


def answered(p: str, at: str = A, *, hiding: bool = False) -> Shape:
    """The documentation's incoming call: trying `~1o`, then `~2o` rings, talks, ends."""
    return Shape(
        "answered",
        (
            *_parking(p, hiding),
            _in(f"{p}~2o", S, _at(at)),
            _in(f"{p}~2o", K, _at(at)),
            _in(f"{p}~2o", F, _at(at), 4),
        ),
        answered=True,
    )


def missed(p: str, at: str = A, *, hiding: bool = False) -> Shape:
    """The caller hangs up while a workplace rings, with or without `hiding`."""
    return Shape(
        "missed",
        (
            *_parking(p, False),
            _in(f"{p}~2o", S, _at(at)),
            *([_in(f"{p}~2o", H, _at(at))] if hiding else []),
            _in(f"{p}~2o", F, _at(at), 0),
        ),
        answered=False,
    )


def hung_up_parked(p: str) -> Shape:
    """The caller hangs up while the call is parked."""
    return Shape(
        "hung_up_parked",
        (_in(f"{p}~1o", T, EXTERNAL), _in(f"{p}~1o", F, EXTERNAL, 0)),
        answered=False,
    )


def ring_group(p: str, *, answer: bool, hiding: bool) -> Shape:
    """Two workplaces ring; one answers (or none), the other gets `hiding` or nothing."""
    ring = [_in(f"{p}~2o", S, _at(A)), _in(f"{p}~3o", S, _at(B))]
    if answer:
        end = [
            _in(f"{p}~2o", K, _at(A)),
            *([_in(f"{p}~3o", H, _at(B))] if hiding else []),
            _in(f"{p}~2o", F, _at(A), 7),
        ]
    else:
        end = [
            *([_in(f"{p}~2o", H, _at(A))] if hiding else []),
            _in(f"{p}~3o", F, _at(B), 0),
        ]
    return Shape("ring_group", (*_parking(p, False), *ring, *end), answered=answer)


def transferred(p: str, *, answer_first: bool, answer_second: bool) -> Shape:
    """Answered (or not) at A, transferred to B on a new leg `~3o`."""
    first = [_in(f"{p}~2o", S, _at(A))]
    if answer_first:
        first.append(_in(f"{p}~2o", K, _at(A)))
    first.append(_in(f"{p}~2o", H, _at(A)))
    second = [_in(f"{p}~3o", S, _at(B))]
    if answer_second:
        second.append(_in(f"{p}~3o", K, _at(B)))
    talked = answer_first or answer_second
    second.append(_in(f"{p}~3o", F, _at(B), 12 if talked else 0))
    return Shape("transferred", (*_parking(p, False), *first, *second), answered=talked)


def outgoing(p: str, *, answer: bool, hiding: bool) -> Shape:
    """makeCall: one leg id through all its states."""
    leg = f"SD{p}@127.0.0.1"
    states = [T, S] + ([K] if answer else []) + ([H] if hiding else [])
    return Shape(
        "outgoing",
        (
            *(_out(leg, s, C) for s in states),
            _out(leg, F, C, 3 if answer else 0),
        ),
        answered=answer,
        direction=CallDirection.OUTGOING,
    )


SHAPES: list[Callable[[str], Shape]] = [
    answered,
    lambda p: answered(p, hiding=True),
    missed,
    lambda p: missed(p, hiding=True),
    lambda p: missed(p, TERMINAL_A),
    hung_up_parked,
    lambda p: ring_group(p, answer=True, hiding=False),
    lambda p: ring_group(p, answer=True, hiding=True),
    lambda p: ring_group(p, answer=False, hiding=False),
    lambda p: ring_group(p, answer=False, hiding=True),
    lambda p: transferred(p, answer_first=True, answer_second=True),
    lambda p: transferred(p, answer_first=True, answer_second=False),
    lambda p: transferred(p, answer_first=False, answer_second=False),
    lambda p: outgoing(p, answer=True, hiding=False),
    lambda p: outgoing(p, answer=True, hiding=True),
    lambda p: outgoing(p, answer=False, hiding=False),
]


@dataclass
class Outcome:
    """What the tracker announced for each call."""

    updates: dict[str, list[CallUpdate]]

    def events(self, call_id: str) -> list[CallEvent]:
        return [e for u in self.updates.get(call_id, []) for e in u.events]

    def missed(self, call_id: str) -> int:
        return self.events(call_id).count(CallEvent.MISSED)

    def ends(self, call_id: str) -> list[CallUpdate]:
        return [
            u for u in self.updates.get(call_id, []) if u.state is CallEvent.FINISHED
        ]


def play(tracker: CallTracker, pushes: list[CallNotification]) -> Outcome:
    updates: dict[str, list[CallUpdate]] = {}
    for push in pushes:
        if (update := tracker.apply(push)) is not None:
            updates.setdefault(push.leg.call_id, []).append(update)
    return Outcome(updates)


def assert_all_quiet(tracker: CallTracker) -> None:
    assert tracker.active_calls() == []
    for sip in WORKPLACES:
        assert tracker.workplace_status(sip).state is WorkplaceCallState.IDLE, sip


def assert_outcome(
    shape: Shape, delivered: list[CallNotification], out: Outcome
) -> None:
    """`missed` exactly when nobody answered; an unseen start is never missed."""
    first = next(p for p in delivered if p.leg.call_id == shape.call_id)
    ends = out.ends(shape.call_id)
    assert len(ends) == 1, (shape.name, ends)
    seen_start = first.state is not CallState.FINISHED
    assert ends[0].call.seen_start is seen_start
    expect_missed = (
        seen_start and not shape.answered and shape.direction is CallDirection.INCOMING
    )
    assert out.missed(shape.call_id) == int(expect_missed), shape.name
    if not seen_start:  # announced, but no entity changes: no event at all
        assert out.events(shape.call_id) == []


# --- the shapes, in order ---------------------------------------------------------


def test_each_shape_in_order_ends_quiet_with_the_right_missed() -> None:
    for index, make in enumerate(SHAPES):
        shape = make(f"s{index}")
        tracker = CallTracker(DIRECTORY)
        out = play(tracker, list(shape.pushes))
        assert_all_quiet(tracker)
        assert_outcome(shape, list(shape.pushes), out)
        events = out.events(shape.call_id)
        assert events[0] is CallEvent.TRYING
        assert events.count(CallEvent.FINISHED) == 1, shape.name


def test_documented_incoming_call_ends_without_a_push_for_the_parking_leg() -> None:
    """trying `~1o`, then `~2o` showing / connected / finished: nothing stays active."""
    tracker = CallTracker(DIRECTORY)
    shape = answered("doc")
    updates = [tracker.apply(n) for n in shape.pushes]
    assert [u.events if u else None for u in updates] == [
        (CallEvent.TRYING,),
        (CallEvent.SHOWING,),
        (CallEvent.CONNECTED,),
        (CallEvent.FINISHED,),
    ]
    assert updates[1] is not None
    assert updates[1].workplaces == frozenset({A})
    assert tracker.workplace_status(A).state is WorkplaceCallState.IDLE
    call = tracker.call("doc")
    assert call is not None
    assert call.ended
    assert call.answered
    assert call.workplace == A
    assert call.duration == 4
    assert call.caller == "+78124241500"
    assert tracker.apply(shape.pushes[2]) is None  # a late duplicate
    assert tracker.apply(shape.pushes[0]) is None  # the parking leg, late


def test_missed_shape_is_reported_missed_once() -> None:
    for hiding in (False, True):
        tracker = CallTracker(DIRECTORY)
        out = play(tracker, list(missed("m", TERMINAL_A, hiding=hiding).pushes))
        assert out.events("m")[-2:] == [CallEvent.FINISHED, CallEvent.MISSED]
        assert out.ends("m")[0].workplaces == frozenset({A})


def test_ring_group_answer_stops_the_other_ringing_leg() -> None:
    tracker = CallTracker(DIRECTORY)
    shape = ring_group("g", answer=True, hiding=False)
    play(tracker, list(shape.pushes[:3]))
    assert tracker.workplace_status(A).state is WorkplaceCallState.RINGING
    assert tracker.workplace_status(B).state is WorkplaceCallState.RINGING
    update = tracker.apply(shape.pushes[3])  # A answers
    assert update is not None
    assert update.workplaces == frozenset({A, B})
    assert tracker.workplace_status(A).state is WorkplaceCallState.TALKING
    assert tracker.workplace_status(B).state is WorkplaceCallState.IDLE
    call = tracker.call("g")
    assert call is not None
    assert call.leg.id == "g~2o"
    assert call.state is CallState.CONNECTED


def test_finished_of_one_leg_while_another_is_connected_does_not_end_the_call() -> None:
    """Pushes of a transfer out of order: the old leg's `hiding` comes last."""
    tracker = CallTracker(DIRECTORY)
    first = [_in("x~2o", S, _at(A)), _in("x~2o", K, _at(A))]
    second = [_in("x~3o", S, _at(B)), _in("x~3o", K, _at(B)), _in("x~3o", F, _at(B), 9)]
    play(tracker, first + second)
    call = tracker.call("x")
    assert call is not None
    assert not call.ended
    assert tracker.workplace_status(A).state is WorkplaceCallState.TALKING
    assert tracker.workplace_status(B).state is WorkplaceCallState.IDLE
    update = tracker.apply(_in("x~2o", H, _at(A)))
    assert update is not None
    assert update.events == (CallEvent.FINISHED,)
    assert_all_quiet(tracker)


def test_a_leg_finished_while_another_talks_is_announced_as_hiding() -> None:
    tracker = CallTracker(DIRECTORY)
    play(tracker, [_in("y~2o", K, _at(A)), _in("y~3o", S, _at(B))])
    update = tracker.apply(_in("y~3o", F, _at(B), 0))
    assert update is not None
    assert update.state is CallEvent.HIDING
    assert update.events == (CallEvent.HIDING,)
    assert tracker.workplace_status(B).state is WorkplaceCallState.IDLE
    assert tracker.workplace_status(A).state is WorkplaceCallState.TALKING


def test_unseen_start_finished_changes_nothing_and_is_not_missed() -> None:
    tracker = CallTracker(DIRECTORY)
    shape = missed("u")
    update = tracker.apply(shape.pushes[-1])
    assert update is not None
    assert update.events == ()
    assert update.state is CallEvent.FINISHED
    assert update.workplaces == frozenset()
    assert update.call.seen_start is False
    assert update.call.workplace == A
    assert update.call.caller == "+78124241500"
    for late in shape.pushes[:-1]:
        assert tracker.apply(late) is None
    assert_all_quiet(tracker)


# --- parking ------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_parking_leg_waits_only_until_the_pbx_decides() -> None:
    clock = Clock()
    tracker = CallTracker(DIRECTORY, clock=clock)
    trying = _in("p~1o", T, EXTERNAL)
    update = tracker.apply(trying)
    assert update is not None
    assert update.parked
    assert tracker.call("p").leg.id == "p~1o"  # type: ignore[union-attr]
    clock.now += timedelta(seconds=6)  # the 5-second window passed
    call = tracker.call("p")
    assert call is not None
    assert call.leg.id == "p~1o"  # nothing else to act on yet
    assert call.state is CallState.TRYING

    tracker2 = CallTracker(DIRECTORY, clock=clock)
    tracker2.apply(_in("q~1o", T, EXTERNAL))
    tracker2.mark_commanded(Leg("q~1o", "t"))
    tracker2.apply(_in("q~2o", S, _at(B)))
    assert tracker2.call("q").leg.id == "q~2o"  # type: ignore[union-attr]


def test_parking_trying_after_another_leg_is_not_parked() -> None:
    """A late `trying` of `~1o` must not be routed: the PBX already moved on."""
    tracker = CallTracker(DIRECTORY)
    tracker.apply(_in("r~2o", S, _at(A)))
    update = tracker.apply(_in("r~1o", T, EXTERNAL))
    assert update is not None
    assert not update.parked
    assert tracker.call("r").leg.id == "r~2o"  # type: ignore[union-attr]
    assert tracker.workplace_status(A).state is WorkplaceCallState.RINGING


# --- every order, every duplication ------------------------------------------------


def test_every_order_of_the_documented_call_gives_the_same_outcome() -> None:
    for make in (answered, missed, hung_up_parked):
        shape = make("o")
        for order in itertools.permutations(shape.pushes):
            tracker = CallTracker(DIRECTORY)
            out = play(tracker, list(order))
            assert_all_quiet(tracker)
            assert_outcome(shape, list(order), out)


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[list[Shape], list[CallNotification]]:
    kinds = draw(st.lists(st.integers(0, len(SHAPES) - 1), min_size=1, max_size=6))
    shapes = [SHAPES[kind](f"call{index}") for index, kind in enumerate(kinds)]
    pushes = [p for shape in shapes for p in shape.pushes]
    doubles = draw(st.lists(st.sampled_from(pushes), max_size=len(pushes)))
    delivered = draw(st.permutations(pushes + doubles))
    return shapes, list(delivered)


@settings(max_examples=400, deadline=None)
@given(_scenarios())
def test_random_calls_shuffled_and_duplicated(
    scenario: tuple[list[Shape], list[CallNotification]],
) -> None:
    """Several calls of every shape, interleaved, shuffled and partly repeated."""
    shapes, delivered = scenario
    tracker = CallTracker(DIRECTORY)
    out = play(tracker, delivered)
    assert_all_quiet(tracker)
    for shape in shapes:
        assert_outcome(shape, delivered, out)


def test_a_thousand_calls_in_flight_leave_no_ghost() -> None:
    """1,000 concurrent calls, their pushes shuffled and duplicated (500 were too few)."""
    rng = random.Random(4)
    shapes = [SHAPES[i % len(SHAPES)](f"f{i}") for i in range(1000)]
    pushes = [p for shape in shapes for p in shape.pushes]
    delivered = pushes + rng.sample(pushes, len(pushes) // 2)
    rng.shuffle(delivered)
    tracker = CallTracker(DIRECTORY)
    out = play(tracker, delivered)
    assert_all_quiet(tracker)
    assert sum(len(out.ends(s.call_id)) for s in shapes) == 1000
    assert tracker.remembered == 1000


# --- time and memory ------------------------------------------------------------------


def test_calls_with_no_news_are_dropped() -> None:
    clock = Clock()
    tracker = CallTracker(DIRECTORY, clock=clock)
    tracker.apply(_in("ring~1o", T, EXTERNAL))
    tracker.apply(_in("ring~2o", S, _at(A)))
    tracker.apply(_in("talk~2o", K, _at(B)))
    clock.now += timedelta(minutes=2)
    assert tracker.expire() == []
    clock.now += timedelta(minutes=2)
    assert [c.call_id for c in tracker.expire()] == ["ring"]
    assert tracker.workplace_status(A).state is WorkplaceCallState.IDLE
    assert tracker.workplace_status(B).state is WorkplaceCallState.TALKING
    clock.now += timedelta(hours=1)
    assert [c.call_id for c in tracker.expire()] == ["talk"]
    assert_all_quiet(tracker)
    # a late `finished` of a dropped call is announced as an unseen start
    update = tracker.apply(_in("ring~2o", F, _at(A), 0))
    assert update is not None
    assert update.call.seen_start is False
    assert update.events == ()


def test_ended_calls_are_remembered_for_two_hours_and_bounded() -> None:
    clock = Clock()
    tracker = CallTracker(DIRECTORY, clock=clock, max_remembered=300)
    for i in range(200):
        play(tracker, list(answered(f"e{i}").pushes))
    assert tracker.remembered == 200
    assert tracker.apply(answered("e0").pushes[1]) is None  # still remembered
    clock.now += timedelta(hours=2, seconds=1)
    play(tracker, list(answered("late").pushes))
    assert tracker.remembered == 1  # older than two hours: forgotten
    for i in range(1000):
        play(tracker, list(answered(f"n{i}").pushes))
    assert tracker.remembered == 300
    assert_all_quiet(tracker)


def test_memory_of_remembered_calls_is_small() -> None:
    """20,000 remembered ended calls (the bound) take a few megabytes."""
    tracker = CallTracker(DIRECTORY)
    calls = [list(answered(f"{i:032x}_{i:016X}").pushes) for i in range(22_000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for pushes in calls:
            play(tracker, pushes)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert tracker.remembered == 20_000
    assert grown < 8 * 1024 * 1024, grown


def test_other_accounts_and_recordings() -> None:
    tracker = CallTracker(DIRECTORY)
    stranger = _in("s~1o", T, Party(id="74950000000"))
    assert not tracker.concerns(stranger)
    recorded = CallNotification(
        Leg("r~2o"), CallState.RECORDED, account_id=A, record_url="https://x/r.mp3"
    )
    assert tracker.concerns(recorded)
    update = tracker.apply(recorded)
    assert update is not None
    assert update.events == (CallEvent.RECORDED,)
    assert update.call.workplace == A
    assert tracker.apply(recorded) is None
    # a recording of a call that ended: its details are kept
    play(tracker, list(answered("z").pushes))
    update = tracker.apply(
        CallNotification(
            Leg("z~2o"), CallState.RECORDED, account_id=A, record_url="https://x/z.mp3"
        )
    )
    assert update is not None
    assert update.call.caller == "+78124241500"
    assert update.call.duration == 4


# --- talk time per workplace ------------------------------------------------------


def _transfer(clock: Clock, tracker: CallTracker, *, answer_second: bool) -> Outcome:
    """Talked 40 s at A, transferred to B, which answers 5 s later and talks 20 s."""
    pushes: list[tuple[int, CallNotification]] = [
        (0, _in("t~1o", T, EXTERNAL)),
        (2, _in("t~2o", S, _at(A))),
        (4, _in("t~2o", K, _at(A))),
        (44, _in("t~2o", H, _at(A))),
        (45, _in("t~3o", S, _at(B))),
    ]
    if answer_second:
        pushes += [(50, _in("t~3o", K, _at(B))), (70, _in("t~3o", F, _at(B), 20))]
    else:
        pushes.append((58, _in("t~3o", F, _at(B), 0)))
    start = clock.now
    updates: dict[str, list[CallUpdate]] = {}
    for at, push in pushes:
        clock.now = start + timedelta(seconds=at)
        if (update := tracker.apply(push)) is not None:
            updates.setdefault("t", []).append(update)
    return Outcome(updates)


def test_a_transferred_call_keeps_each_workplaces_talk() -> None:
    """Answered at A, transferred to B: A's 40 s and B's 20 s; the call's is 60 s."""
    clock = Clock()
    start = clock.now
    tracker = CallTracker(DIRECTORY, clock=clock)
    (end,) = _transfer(clock, tracker, answer_second=True).ends("t")
    assert [(t.workplace, t.answered, t.seconds) for t in end.call.talks] == [
        (A, start + timedelta(seconds=4), 40),
        (B, start + timedelta(seconds=50), 20),
    ]
    assert end.call.duration == 60
    assert end.call.workplace == B
    assert CallEvent.MISSED not in end.events


def test_a_call_transferred_to_nobody_keeps_the_first_workplaces_talk() -> None:
    """Answered at A, transferred to B, the caller hangs up while B rings."""
    clock = Clock()
    tracker = CallTracker(DIRECTORY, clock=clock)
    (end,) = _transfer(clock, tracker, answer_second=False).ends("t")
    assert [(t.workplace, t.seconds) for t in end.call.talks] == [(A, 40)]
    assert end.call.duration == 40  # not the 0 of B's `finished`
    assert CallEvent.MISSED not in end.events


def test_talks_of_a_transfer_pushed_out_of_order() -> None:
    """B's `finished` before A's `hiding`: each leg still counts its own talk."""
    clock = Clock()
    start = clock.now
    tracker = CallTracker(DIRECTORY, clock=clock)
    tracker.apply(_in("x~2o", K, _at(A)))
    clock.now = start + timedelta(seconds=30)
    tracker.apply(_in("x~3o", K, _at(B)))
    clock.now = start + timedelta(seconds=39)
    tracker.apply(_in("x~3o", F, _at(B), 9))
    clock.now = start + timedelta(seconds=41)
    update = tracker.apply(_in("x~2o", H, _at(A)))
    assert update is not None
    assert [(t.workplace, t.seconds) for t in update.call.talks] == [(A, 41), (B, 9)]
    assert update.call.duration == 50


def test_a_single_leg_call_talks_what_the_pbx_counted() -> None:
    """One workplace: the talk is the `finished` push's duration, late `connected` too."""
    tracker = CallTracker(DIRECTORY)
    (end,) = play(tracker, list(answered("one").pushes)).ends("one")
    assert [(t.workplace, t.seconds) for t in end.call.talks] == [(A, 4)]
    assert end.call.duration == 4
    late = CallTracker(DIRECTORY)  # `connected` lost: the PBX's count still holds
    (end,) = play(late, [_in("l~2o", S, _at(A)), _in("l~2o", F, _at(A), 7)]).ends("l")
    assert [(t.workplace, t.seconds) for t in end.call.talks] == [(A, 7)]
    (missed_end,) = play(CallTracker(DIRECTORY), list(missed("m").pushes)).ends("m")
    assert missed_end.call.talks == ()
