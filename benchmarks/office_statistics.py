"""What the office statistics cost: memory, and CPU when a call ends.

Runs a bare Home Assistant core (no HTTP, no recorder) in a temporary configuration
folder. Calls are folded from their pushes by the call tracker, as on the event path
(incoming calls to two external numbers, ringing at three workplaces; four in five
answered: `~1o` trying, `~2o` showing, connected, finished; the others given up:
trying, showing, finished), and each ended call's view goes to the entry's
`CallCounters` (`call_counters.py`: the day's counters, the answer rate and times to
answer, the counters per external number), as `SIGNAL_CALL_CHANGED` hands it over.
It prints:

- CPU per ended call of the counters with the statistics (`async_count`), against
  the tracker folding that call's pushes, after 10,000 calls (medians of rounds);
- CPU per push of the tracker (which notes when each leg began ringing and the
  number dialled), for comparison with push_throughput.py's figures;
- the memory the counters hold after 1,000 and after 10,000 calls (it does not grow
  with calls: one set of figures per PBX, workplace and external number), and the
  size of what they store.

    .venv/bin/python benchmarks/office_statistics.py [--calls 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import gc
import json
from pathlib import Path
import statistics
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homeassistant.core import HomeAssistant

from custom_components.mtt_business.api.models import (
    CallDirection,
    CallNotification,
    CallState,
    ExternalNumber,
    Leg,
    Party,
    PbxDirectory,
    Workplace,
)
from custom_components.mtt_business.call_counters import PBX, CallCounters
from custom_components.mtt_business.calls.tracker import CallEvent, CallTracker
from custom_components.mtt_business.calls.view import CallView

WORKPLACES = ("883140777716581", "883140777828305", "883140582526566")
NUMBERS = ("74996497803", "78005560251")
DIRECTORY = PbxDirectory(
    tuple(ExternalNumber(n) for n in NUMBERS),
    tuple(Workplace(w, f"Рабочее место {i}") for i, w in enumerate(WORKPLACES)),
    (),
)
START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


class Clock:
    """The tracker's clock, moved by the calls."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def pushes(index: int) -> list[tuple[float, CallNotification]]:
    """One incoming call: (seconds after its start, push), ids shaped like MTT's."""
    call = f"{index:032x}_{index:016X}"
    number = f"7916{index % 500:07d}"
    caller = Party(account_id=f"{number}@pstn", display_id=number, id=number)
    external = NUMBERS[index % 2]
    workplace = WORKPLACES[index % 3]
    dialled = Party(account_id=external, id=external)
    at = Party(account_id=workplace, id=workplace, display_name=external)
    answered = index % 5 != 0
    steps: list[tuple[int, CallState, Party, float]] = [
        (1, CallState.TRYING, dialled, 0.0),
        (2, CallState.SHOWING, at, 0.5),
    ]
    if answered:
        steps.append((2, CallState.CONNECTED, at, 0.5 + index % 20))
    steps.append((2, CallState.FINISHED, at, 60.0))
    return [
        (
            after,
            CallNotification(
                Leg(f"{call}~{leg}o", "hswddry52ykfcb2a____.o"),
                state,
                CallDirection.INCOMING,
                caller,
                party,
                transport_id="10.133.33.136:5073",
                start_time=START + timedelta(minutes=index),
                duration=(40 if answered else 0)
                if state is CallState.FINISHED
                else None,
                reason="Answer leg disconnected"
                if state is CallState.FINISHED
                else None,
            ),
        )
        for leg, state, party, after in steps
    ]


def fold(
    calls: list[list[tuple[float, CallNotification]]],
    first: int,
    tracker: CallTracker,
    clock: Clock,
    counters: CallCounters | None,
) -> tuple[float, float, int]:
    """Fold the calls; CPU seconds of the tracker and of the counters, and pushes."""
    in_tracker = in_counters = 0.0
    count = 0
    for index, call in enumerate(calls, start=first):
        begin = START + timedelta(minutes=index)
        for after, push in call:
            clock.now = begin + timedelta(seconds=after)
            started = time.process_time()
            update = tracker.apply(push)
            in_tracker += time.process_time() - started
            count += 1
            if counters is None or update is None:
                continue
            if update.state is CallEvent.FINISHED:
                view = CallView.of_update("benchmark", update, None, (None, None))
                started = time.process_time()
                counters.async_count(view)
                in_counters += time.process_time() - started
    return in_tracker, in_counters, count


def held() -> int:
    """Bytes still held that `call_counters.py` allocated (tracemalloc running)."""
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(True, "*call_counters.py")]
    )
    return sum(stat.size for stat in snapshot.statistics("filename"))


async def run(n_calls: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mtt-statistics-") as tmp:
        hass = HomeAssistant(str(tmp))
        try:
            await measure(hass, n_calls, rounds)
        finally:
            await hass.async_stop()


async def measure(hass: HomeAssistant, n_calls: int, rounds: int) -> None:
    calls = [pushes(i) for i in range(n_calls)]
    per_call: list[float] = []
    per_push: list[float] = []
    tracker_per_call: list[float] = []
    counters = CallCounters(hass, "bench")
    for _ in range(rounds):
        clock = Clock()
        counters = CallCounters(hass, "bench")
        await counters.async_load()
        tracker = CallTracker(DIRECTORY, clock=clock)
        gc.collect()
        for first in range(0, n_calls, 1000):
            part = calls[first : first + 1000]
            in_tracker, in_counters, pushed = fold(
                part, first, tracker, clock, counters
            )
            if first + 1000 >= n_calls:  # the last thousand: after n_calls - 1000
                per_call.append(in_counters / len(part))
                per_push.append(in_tracker / pushed)
                tracker_per_call.append(in_tracker / len(part))
        counters._announcer.async_stop()  # noqa: SLF001

    # Memory, untimed: what the counters hold after 1,000 calls and after all.
    memory: dict[int, int] = {}
    tracemalloc.start()
    clock = Clock()
    kept = CallCounters(hass, "memory")
    tracker = CallTracker(DIRECTORY, clock=clock)
    for first in range(0, n_calls, 1000):
        fold(calls[first : first + 1000], first, tracker, clock, kept)
        if first + 1000 in (1000, n_calls):
            memory[first + 1000] = held()
    tracemalloc.stop()
    kept._announcer.async_stop()  # noqa: SLF001
    pbx = counters.get(PBX)
    print(
        f"{n_calls:,} incoming calls (4 in 5 answered), 2 external numbers, "
        f"3 workplaces; medians of {rounds} rounds, the last 1,000 calls:"
    )
    print(
        f"  PBX today: {pbx.calls_today:,} calls, {pbx.missed_today:,} missed, "
        f"answer rate {pbx.answer_rate} %, average time to answer "
        f"{pbx.average_wait} s, longest {pbx.longest_wait} s"
    )
    for number in NUMBERS:
        counts = counters.get(f"+{number}")
        print(
            f"  +{number}: {counts.calls_today:,} calls, {counts.missed_today:,} missed"
        )
    counters_cpu = statistics.median(per_call)
    tracker_cpu = statistics.median(tracker_per_call)
    print(
        f"CPU when a call ends (counters, statistics, per-number counts): "
        f"{counters_cpu * 1e6:.1f} µs per call; the tracker folding that call's "
        f"pushes: {tracker_cpu * 1e6:.1f} µs ({counters_cpu / tracker_cpu:.0%} of it)"
    )
    print(
        f"CPU per push of the tracker: {statistics.median(per_push) * 1e6:.1f} µs "
        f"(the statistics add nothing per push but noting a leg's ring)"
    )
    for calls_done, used in sorted(memory.items()):
        print(f"memory of the figures after {calls_done:,} calls: {used:,} bytes")
    stored = json.dumps(counters._data())  # noqa: SLF001
    print(f"stored: {len(stored):,} bytes ({len(counters._counts)} scopes)")  # noqa: SLF001


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.rounds))


if __name__ == "__main__":
    main()
