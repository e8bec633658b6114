"""What the call journal costs: CPU per ended call, disk, writes, reading a page.

Runs a bare Home Assistant core (no HTTP, no recorder) in a temporary configuration
folder, so that the journal's files are real files. Calls are folded from their
pushes by the call tracker, as on the event path (the documented incoming call
answered at a workplace: `~1o` trying, `~2o` showing, connected, finished, then
`recorded`), and prints:

- CPU per call of the journal (building the record on `finished`, `add`, and the
  link of `recorded`) against the same loop without the journal (the tracker
  folding the same five pushes), in the same run, blocks of 200 calls taking
  turns, medians of the rounds; while the journal fills and at its bound (each call
  then drops the oldest);
- CPU of the write that follows a call (one chunk of the journal, off the event
  loop), i.e. what a call costs when calls are sparse enough that each is written
  on its own, and the ratio again with it;
- bytes on disk per 10,000 calls, and memory per call kept;
- the time to get the newest page (50 calls) of 10,000 calls, and an older page,
  then the same after the journal is read again from disk (and that read's time).

The tracker alone is far cheaper than a push through Home Assistant (HTTP, the
event, the entities' states, the recorder: see push_throughput.py), so the ratio
against it is an upper bound of the journal's share of a push's CPU.

    .venv/bin/python benchmarks/call_journal.py [--calls 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import gc
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
from custom_components.mtt_business.call_journal import CallJournal
from custom_components.mtt_business.calls.tracker import (
    CallEvent,
    CallTracker,
    CallUpdate,
)
from custom_components.mtt_business.calls.view import CallView
from custom_components.mtt_business.journal_record import JournalRecord, journal_record
from custom_components.mtt_business.journal_store import CHUNK_SIZE

WORKPLACE = "883140777716581"
EXTERNAL_NUMBER = "74996497803"
DIRECTORY = PbxDirectory(
    (ExternalNumber(EXTERNAL_NUMBER),), (Workplace(WORKPLACE, "Ресепшн"),), ()
)
EXTERNAL = Party(account_id=EXTERNAL_NUMBER, id=EXTERNAL_NUMBER)
AT = Party(account_id=WORKPLACE, id=WORKPLACE, display_id=WORKPLACE)
START = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


def _view(update: CallUpdate) -> CallView:
    """The view the call monitor builds of a change (a known workplace, no names)."""
    return CallView.of_update("benchmark", update, "Ресепшн", (None, None))


def pushes(index: int) -> list[CallNotification]:
    """One answered incoming call and its recording, ids shaped like MTT's."""
    call = f"{index:032x}_{index:016X}"
    number = f"7916{index % 500:07d}"  # a few hundred regular callers
    caller = Party(account_id=f"{number}@pstn", display_id=number, id=number)
    started = START + timedelta(minutes=index)
    legs = [
        CallNotification(
            Leg(f"{call}~{leg}o", "hswddry52ykfcb2a____.o"),
            state,
            CallDirection.INCOMING,
            caller,
            party,
            transport_id="10.133.33.136:5073",
            start_time=started,
            duration=151 if state is CallState.FINISHED else None,
            reason="Answer leg disconnected" if state is CallState.FINISHED else None,
        )
        for leg, state, party in (
            (1, CallState.TRYING, EXTERNAL),
            (2, CallState.SHOWING, AT),
            (2, CallState.CONNECTED, AT),
            (2, CallState.FINISHED, AT),
        )
    ]
    legs.append(
        CallNotification(
            Leg(f"{call}~2o"),
            CallState.RECORDED,
            account_id=WORKPLACE,
            record_url=f"https://records.mtt.ru/records/{index:024x}.mp3",
        )
    )
    return legs


class Clock:
    """The journal's clock: a little after the newest call."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def fold(
    calls: list[list[CallNotification]],
    first: int,
    tracker: CallTracker,
    journal: CallJournal | None,
    clock: Clock,
) -> None:
    """Fold the calls' pushes (and journal them, with a journal)."""
    for index, call in enumerate(calls, start=first):
        clock.now = START + timedelta(minutes=index, seconds=160)
        for push in call:
            update = tracker.apply(push)
            if journal is None or update is None:
                continue
            if update.state is CallEvent.FINISHED:
                journal.add(journal_record(_view(update), ended=clock.now))
            elif update.state is CallEvent.RECORDED and update.call.record_url:
                journal.set_record_url(update.call.call_id, update.call.record_url)


def compare(
    calls: list[list[CallNotification]],
    first: int,
    journal: CallJournal,
    clock: Clock,
    block: int = 200,
) -> tuple[float, float]:
    """CPU seconds of the tracker alone and of the tracker with the journal.

    Both fold the same calls in blocks taking turns (each its own tracker), so that
    a slower moment of a shared machine falls on both alike.
    """
    alone, journaled = CallTracker(DIRECTORY), CallTracker(DIRECTORY)
    cpu = {"alone": 0.0, "journal": 0.0}
    for number, start in enumerate(range(0, len(calls), block)):
        part = calls[start : start + block]
        order = [("alone", alone, None), ("journal", journaled, journal)]
        for name, tracker, kept in order[:: 1 if number % 2 else -1]:
            started = time.process_time()
            fold(part, first + start, tracker, kept, clock)
            cpu[name] += time.process_time() - started
    return cpu["alone"], cpu["journal"]


def run_calls(
    calls: list[list[CallNotification]], journal: CallJournal, clock: Clock
) -> None:
    """Journal the calls (untimed)."""
    fold(calls, 0, CallTracker(DIRECTORY), journal, clock)


async def wait_written(hass: HomeAssistant, delay: float) -> None:
    await asyncio.sleep(delay + 0.05)
    await hass.async_block_till_done()


def journal_bytes(config: Path, entry_id: str) -> int:
    return sum(
        p.stat().st_size
        for p in (config / ".storage").glob(f"mtt_business.journal.{entry_id}*")
    )


def median_time(action: object, repeat: int = 200) -> float:
    """Median seconds of a call of `action` (a function without arguments)."""
    assert callable(action)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def run(n_calls: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mtt-journal-") as tmp:
        config = Path(tmp)
        hass = HomeAssistant(str(config))
        try:
            await measure(hass, config, n_calls, rounds)
        finally:
            await hass.async_stop()


async def measure(hass: HomeAssistant, config: Path, n_calls: int, rounds: int) -> None:
    filling = [pushes(i) for i in range(n_calls)]
    beyond = [pushes(i) for i in range(n_calls, 2 * n_calls)]
    clock = Clock()
    base: dict[str, list[float]] = {"filling": [], "bound": []}
    ours: dict[str, list[float]] = {"filling": [], "bound": []}
    for round_number in range(rounds):
        journal = CallJournal(
            hass, f"bench{round_number}", clock=clock, max_calls=n_calls
        )
        await journal.async_load()
        for phase, calls, first in (
            ("filling", filling, 0),
            ("bound", beyond, n_calls),
        ):
            gc.collect()
            alone, journaled = compare(calls, first, journal, clock)
            base[phase].append(alone / n_calls)
            ours[phase].append((journaled - alone) / n_calls)
        await journal.async_remove()
    print(
        f"CPU per call ({n_calls:,} calls, 5 pushes each, medians of {rounds} rounds):"
    )
    per_call: dict[str, float] = {}
    for phase, label in (
        ("filling", "journal filling"),
        ("bound", f"journal at its bound ({n_calls:,})"),
    ):
        alone = statistics.median(base[phase])
        per_call[phase] = statistics.median(ours[phase])
        ratios = ", ".join(
            f"{o / b:.0%}" for o, b in zip(ours[phase], base[phase], strict=True)
        )
        print(
            f"  {label:30}: tracker alone {alone * 1e6:6.1f} µs; the journal adds "
            f"{per_call[phase] * 1e6:5.1f} µs = {per_call[phase] / alone:4.0%} "
            f"(rounds: {ratios})"
        )

    # A full journal on disk, then the write that follows a single call.
    delay = 0.2
    journal = CallJournal(hass, "full", clock=clock, save_delay=delay)
    await journal.async_load()
    run_calls(filling, journal, clock)
    await journal.async_flush()
    size = journal_bytes(config, "full")
    print(
        f"on disk: {size:,} bytes for {len(journal):,} calls "
        f"({size / len(journal):,.0f} bytes per call, "
        f"{size * 10_000 / len(journal) / 1e6:.2f} MB per 10,000 calls)"
    )

    # Calls written one by one (sparse calls), just after the newest chunk opened
    # and just before it fills: a write rewrites that chunk.
    journal = CallJournal(hass, "full", clock=clock, save_delay=delay)
    await journal.async_load()
    tracker = CallTracker(DIRECTORY, clock=lambda: clock.now)
    ended = iter(beyond)

    def next_record() -> JournalRecord:
        clock.now += timedelta(minutes=1)
        updates = [tracker.apply(push) for push in next(ended)]
        finished = updates[3]
        assert finished is not None
        return journal_record(_view(finished), ended=clock.now)

    async def written_one_by_one(count: int) -> float:
        cpu = []
        for _ in range(count):
            record = next_record()
            await wait_written(hass, 0)
            started = time.process_time()
            journal.add(record)
            await wait_written(hass, delay)
            cpu.append(time.process_time() - started)
        return statistics.median(cpu)

    early = await written_one_by_one(10)
    newest_chunk = (n_calls + 10) % CHUNK_SIZE  # calls in the newest chunk now
    for _ in range(CHUNK_SIZE - 10 - newest_chunk):
        journal.add(next_record())
    late = await written_one_by_one(10)
    write = (early + late) / 2
    tracker_alone = statistics.median(base["bound"])
    print(
        f"a call written on its own (all threads): {early * 1e3:.2f} ms CPU when the "
        f"newest chunk is nearly empty, {late * 1e3:.2f} ms when nearly full "
        f"({CHUNK_SIZE} calls); on average {write * 1e3:.2f} ms, with which a call "
        f"adds {(per_call['bound'] + write) / tracker_alone:.0%} to the tracker alone"
    )

    # Reading pages, then the same after a read from disk.
    newest = median_time(lambda: journal.page(None, 50))
    cursor = journal.page(None, n_calls // 2)[1]
    older = median_time(lambda: journal.page(cursor, 50))
    print(
        f"newest page of 50 ({len(journal):,} calls): {newest * 1e6:.0f} µs; "
        f"a page from the middle: {older * 1e6:.0f} µs"
    )
    await journal.async_flush()
    reread = CallJournal(hass, "full", clock=clock)
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    await reread.async_load()
    load_wall = time.perf_counter() - started_wall
    load_cpu = time.process_time() - started_cpu
    first = time.perf_counter()
    reread.page(None, 50)
    first_page = time.perf_counter() - first
    newest = median_time(lambda: reread.page(None, 50))
    print(
        f"after a read from disk ({load_wall * 1e3:.0f} ms, {load_cpu * 1e3:.0f} ms "
        f"CPU for {len(reread):,} calls): first page {first_page * 1e6:.0f} µs, "
        f"then {newest * 1e6:.0f} µs"
    )
    days = median_time(reread.days, 20)
    print(f"days of the media browser ({len(reread.days())} days): {days * 1e3:.1f} ms")

    # Memory of the calls kept (read from disk, as after a restart).
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = CallJournal(hass, "full", clock=clock)
    await kept.async_load()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(
        f"memory: {used / 1e6:.1f} MB for {len(kept):,} calls "
        f"({used / len(kept):,.0f} bytes per call, tracemalloc)"
    )
    await kept.async_remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.rounds))


if __name__ == "__main__":
    main()
