"""Our push path without Home Assistant, hot and with the processor's caches cold.

Inside Home Assistant a push costs us 2-3 times the CPU the same code takes in a loop
on its own: between two pushes, Home Assistant's HTTP handling pushes our code and
data out of the caches. This benchmark reproduces that: it feeds the documented pushes
of answered incoming calls (`push_throughput.py`'s `pushes`) through the parse
(`api/notifications.py`), the call tracker (`calls/tracker.py`: whose call, folding
the push) and the call's view and event data (`calls/view.py`), once back to back
("hot") and once reading `--evict` KiB of memory before each push ("cold"; 1024 KiB,
the default, gave figures close to what `push_throughput.py --sections` measures
inside Home Assistant on the development machine). It prints the CPU time of each
step per push (this thread's CPU clock, so other processes do not count), the
median of `--rounds` rounds, hot and cold. A change that saves CPU in a loop but not
cold will not show in `push_throughput.py` either.

    .venv/bin/python benchmarks/push_path_cold.py [--pushes 4000] [--rounds 5] [--evict 1024]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import itertools
from pathlib import Path
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from push_throughput import pushes
from remembered_calls import DIRECTORY, WORKPLACE

from custom_components.mtt_business.api.models import CallNotification
from custom_components.mtt_business.api.notifications import parse_notification_body
from custom_components.mtt_business.calls.tracker import CallTracker
from custom_components.mtt_business.calls.view import CallView

EXTERNAL = DIRECTORY.external_numbers[0].number
STEPS = ("parse", "tracker: whose call", "tracker: fold the push", "view, event data")


def one_round(
    start: int, count: int, between: Callable[[], object]
) -> dict[str, float]:
    """Microseconds of CPU per push of each step, `between` run before each push."""
    bodies = list(itertools.islice(pushes(EXTERNAL, WORKPLACE, start), count))
    tracker = CallTracker(DIRECTORY)
    clock = time.thread_time_ns
    spent = dict.fromkeys(STEPS, 0)
    for body in bodies:
        between()
        began = clock()
        notification = parse_notification_body(body)
        parsed = clock()
        assert isinstance(notification, CallNotification)
        concerns = tracker.concerns(notification)
        matched = clock()
        update = tracker.apply(notification) if concerns else None
        folded = clock()
        if update is not None:
            view = CallView.of_update("benchmark", update, "Reception", (None, None))
            view.event_data()
        viewed = clock()
        spent["parse"] += parsed - began
        spent["tracker: whose call"] += matched - parsed
        spent["tracker: fold the push"] += folded - matched
        spent["view, event data"] += viewed - folded
    return {step: ns / count / 1000 for step, ns in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--evict", type=int, default=1024, help="KiB read per push")
    args = parser.parse_args()
    memory = bytes(range(256)) * (args.evict * 1024 // 256)

    def evict() -> object:
        return memory.count(b"\xff\xfe")  # reads all of it

    rounds: dict[str, list[dict[str, float]]] = {"hot": [], "cold": []}
    for n in range(args.rounds):
        for mode, between in (("hot", lambda: None), ("cold", evict)):
            start = (2 * n + (mode == "cold")) * args.pushes
            rounds[mode].append(one_round(start, args.pushes, between))
    print(
        f"CPU per push (µs), medians of {args.rounds} rounds of {args.pushes} pushes;"
        f" cold: {args.evict} KiB read before each push"
    )
    print(f"  {'step':26s} {'hot':>7s} {'cold':>7s}")
    for step in (*STEPS, "in all"):
        figures = []
        for mode in ("hot", "cold"):
            per_round = [
                sum(r.values()) if step == "in all" else r[step] for r in rounds[mode]
            ]
            figures.append(statistics.median(per_round))
        print(f"  {step:26s} {figures[0]:7.2f} {figures[1]:7.2f}")


if __name__ == "__main__":
    main()
