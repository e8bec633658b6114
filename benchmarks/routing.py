"""Personal-manager routing latency under 50 concurrent parked calls.

Starts the simulator and a real Home Assistant (scripts/running_instance.py), signs
in, parks the external number, sets a routing table that matches every caller, then
starts 50 incoming calls at once from the simulator's control API. For each call it
reads, in the simulator's own log (one clock), when the parked `trying` push was sent
to Home Assistant and when the transferCall for that leg arrived back, and prints p50,
p99 and max of the difference. Target: p99 under 100 ms (the window is 5,000 ms).

One warm-up call first (its cold figure printed apart, not counted).

Run: .venv/bin/python benchmarks/routing.py [--calls 50] [--warmup 1]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import statistics
import sys
import tempfile
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from running_instance import RunningInstance  # noqa: E402


def _latencies(timings: dict[str, Any]) -> dict[str, float]:
    """Per transferred parking leg: push sent -> transferCall received, in ms."""
    sent = {
        p["leg_id"]: p["sent"]
        for p in timings["pushes"]
        if p["state"] == "trying" and p["leg_id"].endswith("~1o")
    }
    transferred = {
        r["leg_id"]: r["received"]
        for r in timings["requests"]
        if r["method"] == "transferCall"
    }
    return {
        leg: (transferred[leg] - sent[leg]) * 1000
        for leg in sorted(sent, key=sent.__getitem__)
        if leg in transferred
    }


async def run(calls: int, warmup: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mtt-routing-") as tmp:
        async with (
            RunningInstance(Path(tmp)) as running,
            aiohttp.ClientSession() as session,
        ):
            await running.login(session)
            result = await running.add_integration(session)
            entry_id = result["result"]["entry_id"]
            assert running.instance is not None
            sim = running.instance.simulator_url
            api = f"{running.ha_url}/api"
            flow = f"{api}/config/config_entries/options/flow"
            for step, data in (
                ("table", {"table": "+7916 = Менеджер Иван"}),
                ("settings", {"release_unmatched": True}),
            ):
                async with session.post(
                    flow, json={"handler": entry_id}, headers=running.headers()
                ) as r:
                    menu = await r.json()
                async with session.post(
                    f"{flow}/{menu['flow_id']}",
                    json={"next_step_id": step},
                    headers=running.headers(),
                ) as r:
                    assert (await r.json())["step_id"] == step
                async with session.post(
                    f"{flow}/{menu['flow_id']}", json=data, headers=running.headers()
                ) as r:
                    # Saved at once; the options menu comes back.
                    assert (await r.json())["type"] == "menu"
            async with session.post(
                f"{api}/services/mtt_business/set_parking",
                json={"numbers": ["74996497803"], "is_parking": True},
                headers=running.headers(),
            ) as r:
                assert r.status == 200

            async def one(caller: str) -> None:
                async with session.post(
                    f"{sim}/control/calls/incoming",
                    json={"from": caller, "to": "74996497803"},
                ) as r:
                    r.raise_for_status()

            # Warm-up: the first call after start-up opens connections (simulator ->
            # Home Assistant, Home Assistant -> API); it is reported on its own.
            for n in range(warmup):
                await one(f"7916999{n:04d}")
                await asyncio.sleep(0.5)
            async with session.get(f"{sim}/control/timings") as r:
                cold = _latencies(await r.json())
            await asyncio.gather(*(one(f"7916{n:07d}") for n in range(calls)))
            await asyncio.sleep(3)
            async with session.get(f"{sim}/control/timings") as r:
                timings: dict[str, Any] = await r.json()

    latencies = sorted(ms for leg, ms in _latencies(timings).items() if leg not in cold)
    if len(latencies) < 2:
        raise SystemExit(f"only {len(latencies)} of {calls} calls were transferred")
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    if cold:
        shown = ", ".join(f"{ms:.1f}" for ms in cold.values())
        print(f"warm-up (cold) calls, not counted below (ms): {shown}")
    print(f"{len(latencies)}/{calls} parked calls transferred to the manager")
    print(
        f"trying push sent -> transferCall received (ms): p50 {q[49]:.1f}  "
        f"p99 {q[98]:.1f}  max {latencies[-1]:.1f}  (window: 5000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.warmup))


if __name__ == "__main__":
    main()
