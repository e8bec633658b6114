"""The call-back list with many open numbers: memory, a call's end, opening the list.

Fills one list (`call_backs.CallBackList`, its bound raised to fit) with `--numbers`
open numbers, then measures what the integration does with it: the memory the items
take, the time a call's end costs (a missed call from a listed number, a connected
call that completes one, and what the todo entity then rebuilds: every item as a
`TodoItem`), and the time Home Assistant's `todo/item/list` takes to answer (each
cached item turned into a dict, as the todo component does). Plain Python: no Home
Assistant instance runs (the list's code paths do not need one).
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sys
import time
import tracemalloc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from homeassistant.components.todo.entity import api_items_factory

from custom_components.mtt_business.call_backs import CallBackList
from custom_components.mtt_business.todo import item_of

START = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _number(n: int) -> str:
    return f"+7916{n:07d}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    count = args.numbers

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    call_backs = CallBackList(max_items=count)
    for n in range(count):
        call_backs.missed(_number(n), f"Клиент {n}", START + timedelta(seconds=n))
    after = tracemalloc.take_snapshot()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    items = [item_of(item, "ru") for item in call_backs.items()]
    built = tracemalloc.take_snapshot()
    todo_size = sum(s.size_diff for s in built.compare_to(after, "filename"))
    tracemalloc.stop()
    print(
        f"{count} open numbers: {size / 1024:.0f} KiB the list, "
        f"{todo_size / 1024:.0f} KiB its todo items ({(size + todo_size) / count:.0f} B a number)"
    )

    rounds = args.rounds
    started = time.perf_counter()
    for r in range(rounds):
        call_backs.missed(
            _number(r % count), None, START + timedelta(hours=1, seconds=r)
        )
    missed = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for r in range(rounds):
        call_backs.connected(
            _number(r % count), START + timedelta(hours=2), "Ресепшн", answered=False
        )
        call_backs.missed(
            _number(r % count), None, START + timedelta(hours=3, seconds=r)
        )
    connected = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds // 10 or 1):
        items = [item_of(item, "ru") for item in call_backs.items()]
    rebuild = (time.perf_counter() - started) / (rounds // 10 or 1)
    started = time.perf_counter()
    for _ in range(rounds // 10 or 1):
        answer = [
            dataclasses.asdict(item, dict_factory=api_items_factory) for item in items
        ]
    listing = (time.perf_counter() - started) / (rounds // 10 or 1)
    assert len(answer) == count
    print(
        f"a call's end: missed again {missed * 1e6:.1f} µs, completed and missed "
        f"again {connected * 1e6:.1f} µs; the entity's items rebuilt "
        f"{rebuild * 1e3:.2f} ms (once per change of the list)"
    )
    print(f"opening the list (todo/item/list, {count} items): {listing * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
