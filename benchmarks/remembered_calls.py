"""Memory of the ended calls the call tracker remembers (so late pushes never revive them).

Feeds answered calls (the documented incoming shape: `~1o` trying, `~2o` showing,
connected, finished; call ids shaped like the provider's) through one tracker and
prints what the remembered ids cost, measured with tracemalloc, per call and at the
bound (20,000 calls, kept two hours).

    .venv/bin/python benchmarks/remembered_calls.py [--calls N]
"""

from __future__ import annotations

import argparse
from pathlib import Path
import sys
import time
import tracemalloc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
from custom_components.mtt_business.calls.tracker import CallTracker

WORKPLACE = "883140777716581"
DIRECTORY = PbxDirectory(
    (ExternalNumber("74996497803"),), (Workplace(WORKPLACE, "Reception"),), ()
)
CALLER = Party(
    account_id="78124241500@pstn", display_id="78124241500", id="78124241500"
)
AT = Party(account_id=WORKPLACE, id=WORKPLACE, display_id=WORKPLACE)
EXTERNAL = Party(account_id="74996497803", id="74996497803")


def pushes(index: int) -> list[CallNotification]:
    call = f"{index:032x}_{index:016X}"
    return [
        CallNotification(
            Leg(f"{call}~{leg}o", "hswddry52ykfcb2a____.o"),
            state,
            CallDirection.INCOMING,
            CALLER,
            party,
            transport_id="10.133.33.136:5073",
            duration=4 if state is CallState.FINISHED else None,
        )
        for leg, state, party in (
            (1, CallState.TRYING, EXTERNAL),
            (2, CallState.SHOWING, AT),
            (2, CallState.CONNECTED, AT),
            (2, CallState.FINISHED, AT),
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    tracker = CallTracker(DIRECTORY)
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    marks = {20_000, args.calls // 2, args.calls}
    started = time.perf_counter()
    for index in range(1, args.calls + 1):
        for push in pushes(index):
            tracker.apply(push)
        if index in marks:
            used = tracemalloc.get_traced_memory()[0] - baseline
            print(
                f"after {index:>7,} calls: {tracker.remembered:>6,} remembered, "
                f"{used / 1024 / 1024:6.2f} MiB, "
                f"{used / max(tracker.remembered, 1):5.0f} bytes per remembered call"
            )
    elapsed = time.perf_counter() - started
    tracemalloc.stop()
    print(
        f"{args.calls * 4 / elapsed:,.0f} pushes/s through the tracker "
        "(under tracemalloc, which slows it)"
    )


if __name__ == "__main__":
    main()
