"""How much a push costs: our receiver against a bare webhook, in one Home Assistant.

Starts the simulator and a real Home Assistant (scripts/running_instance.py), configured
as a user runs it (default logging; the recorder on, as in a default install, unless
--without-recorder), signs in, and registers in the same Home Assistant a bare webhook
handler that only parses the JSON, and a "floor" handler that also does the least the
live-calls issue asks of any receiver per push (one event, two state writes). Then it
pushes realistic call sequences (the documented notifications of an incoming call
answered at a workplace) over real HTTP on loopback into each, and prints:

- pushes per second at full speed (8 concurrent senders) and the cost ratio;
- Home Assistant's CPU time per push (all its threads, the recorder's included,
  until the backlog is written) and the ratio;
- answer latency p50/p99 at a paced 200 pushes/s, for both;
- Home Assistant's resident memory before --calls calls (default 100,000) and after
  each quarter of them, first through the bare webhook (the baseline), then through
  the floor, then through ours.

Every phase starts and ends with Home Assistant idle, so that no phase pays for the
previous one's database writes.

Our entities are measured as a fresh install has them (those that change with every
call step disabled by default); --all-entities then enables every one of them (as an
existing install that had them) and measures again, and prints both. The
configuration is written as data from scripts/dev_instance.py's (`benchmark_config`),
and the benchmark fails if Home Assistant logs an invalid configuration or a failed
setup (`CONFIG_PROBLEMS`), or if the recorder is loaded when it should not be (or not
when it should). --profile PUSHES adds a cProfile of Home Assistant while PUSHES
pushes go through the floor and through ours: own time per source file and function;
--sections PUSHES times each step of our push path with a clock (no profiler, whose
overhead distorts small functions) while PUSHES pushes go through it; --handlers
PUSHES compares the event loop thread's own CPU in our parse and hand-over with the
floor handler's, live (the two taking turns, --rounds rounds) and back to back inside
the same Home Assistant (how much the cold caches between two pushes add to each).

Run: .venv/bin/python benchmarks/push_throughput.py [--calls 100000] [--without-recorder]
[--rounds 3] [--sample 5000] [--all-entities] [--profile 3000] [--sections 8000]
[--handlers 4000] (--calls 0 skips the
memory phase; the throughput phase runs --rounds times, the three paths taking turns,
and prints the medians). Recorder rows and bytes per call: benchmarks/recorder_rows.py.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
import itertools
import json
import os
from pathlib import Path
import pstats
import statistics
import sys
import tempfile
import time
from typing import Any

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))

from running_instance import RunningInstance  # noqa: E402

BARE_COMPONENT = '''"""The benchmark's baselines, in the same Home Assistant as the integration.

bench_bare: parses the JSON and answers 200.
bench_floor: also does the least that the live-calls issue asks of any receiver per
call push: one Home Assistant event and two state writes (the PBX's and the
workplace's event entity), here as bare `hass.states.async_set` calls.
bench_profile: POST "start" starts cProfile (from the event loop, where the
receivers run), POST a file path stops it and writes its statistics there.
bench_sections: POST "start" times the steps of our receiver's push path (each
hub's, by wrapping them in a clock: no profiler), POST "report" answers the
nanoseconds per step and the pushes counted, and puts the steps back.
bench_handlers: POST "start" counts the event loop thread's own CPU time
(`time.thread_time_ns`) in our receiver's parse and hand-over and in the floor's
handler, POST "report" answers both (ns) and stops; POST a JSON list of push bodies
runs both on them back to back ("hot") and answers their ns.
"""
import cProfile
from collections import Counter
import importlib
import json
import sys
import time
from aiohttp import web
from homeassistant.components import webhook
from homeassistant.util import dt as dt_util

async def _bare(hass, webhook_id, request):
    json.loads(await request.read())
    return web.Response(status=200, text="parsed")

def _floor_push(hass, body):
    info = json.loads(body)["result"]["callInfo"]
    data = {"call_id": info["call"]["id"], "state": info["state"]}
    hass.bus.async_fire("bench_floor_call", data)
    now = dt_util.utcnow().isoformat(timespec="milliseconds")
    for entity_id in ("event.bench_floor_pbx", "event.bench_floor_workplace"):
        hass.states.async_set(entity_id, now, {"event_type": info["state"], **data})

async def _floor(hass, webhook_id, request):
    _floor_push(hass, await request.read())
    return web.Response(status=200, text="parsed")

_profiles = {}

async def _profile(hass, webhook_id, request):
    body = (await request.read()).decode()
    if body == "start":
        _profiles["on"] = profile = cProfile.Profile()
        profile.enable()
    else:
        profile = _profiles.pop("on")
        profile.disable()
        await hass.async_add_executor_job(profile.dump_stats, body)
    return web.Response(status=200, text="parsed")

_sections = {"ns": Counter(), "undo": []}
_handlers = {"ns": Counter(), "undo": []}

def _timed(label, function, times=_sections, clock=time.perf_counter_ns):
    ns = times["ns"]
    def timed(*args, **kwargs):
        start = clock()
        try:
            return function(*args, **kwargs)
        finally:
            ns[label] += clock() - start
    return timed

def _wrap(owner, name, label, times=_sections, clock=time.perf_counter_ns):
    """Time `owner.name`; the undo puts back exactly what was there."""
    saved = vars(owner).get(name, _wrap)
    setattr(owner, name, _timed(label, getattr(owner, name), times, clock))
    def undo():
        if saved is _wrap:
            delattr(owner, name)  # the class's method shows through again
        else:
            setattr(owner, name, saved)
    times["undo"].append(undo)

def _start_sections(hass):
    from homeassistant.core import HassJob, callback
    from homeassistant.helpers.dispatcher import DATA_DISPATCHER
    receiver = importlib.import_module("custom_components.mtt_business.push_receiver")
    monitor = importlib.import_module("custom_components.mtt_business.call_monitor")
    _wrap(receiver, "parse_notification_body", "parse (api/notifications.py)")
    _wrap(receiver, "async_hand_over", "hand over to the hub (all below)")
    _wrap(monitor, "async_dispatcher_send", "  signal SIGNAL_CALL_CHANGED (its callbacks below)")
    _wrap(monitor.CallView, "of_update", "  the call's view (calls/view.py)")
    for hub in hass.data["mtt_business_redirect_uri"].hubs.values():
        _wrap(hub.tracker, "concerns", "  tracker: whose call")
        _wrap(hub.tracker, "apply", "  tracker: fold the push")
        _wrap(hub, "_router", "  routing")
        _wrap(hub, "async_announce", "  the mtt_business_call event")
        _wrap(hub._push_health, "async_note_push", "  push health")
        _wrap(hub, "_calls_today_from_caller", "  today's calls from the caller")
        _wrap(hub, "names", "  names (phone book)")
        targets = hass.data[DATA_DISPATCHER][hub._signal]
        for target, job in list(targets.items()):
            name = getattr(target, "__qualname__", type(target).__name__)
            timed = callback(_timed(f"    on the signal: {name}", target))
            del targets[target]
            targets[timed] = HassJob(timed)
            def undo(targets=targets, target=target, job=job, timed=timed):
                targets.pop(timed, None)
                targets[target] = job
            _sections["undo"].append(undo)

async def _section_times(hass, webhook_id, request):
    body = (await request.read()).decode()
    if body == "start":
        _sections["ns"].clear()
        _start_sections(hass)
        return web.Response(status=200, text="started")
    while _sections["undo"]:
        _sections["undo"].pop()()
    return web.json_response(dict(_sections["ns"]))

async def _handler_times(hass, webhook_id, request):
    body = await request.read()
    receiver = importlib.import_module("custom_components.mtt_business.push_receiver")
    if body == b"start":
        _handlers["ns"].clear()
        clock = time.thread_time_ns
        _wrap(receiver, "parse_notification_body", "ours", _handlers, clock)
        _wrap(receiver, "async_hand_over", "ours", _handlers, clock)
        _wrap(sys.modules[__name__], "_floor_push", "floor", _handlers, clock)
        return web.Response(status=200, text="started")
    if body == b"report":
        while _handlers["undo"]:
            _handlers["undo"].pop()()
        return web.json_response(dict(_handlers["ns"]))
    pushes = [push.encode() for push in json.loads(body)]
    hubs = hass.data["mtt_business_redirect_uri"].hubs.values()
    began = time.thread_time_ns()
    for push in pushes:
        receiver.async_hand_over(hubs, receiver.parse_notification_body(push))
    ours = time.thread_time_ns() - began
    began = time.thread_time_ns()
    for push in pushes:
        _floor_push(hass, push)
    return web.json_response({"ours": ours, "floor": time.thread_time_ns() - began})

async def async_setup(hass, config):
    for hook, handler in (
        ("bench_bare", _bare), ("bench_floor", _floor), ("bench_profile", _profile),
        ("bench_sections", _section_times), ("bench_handlers", _handler_times),
    ):
        webhook.async_register(hass, "bench_bare", hook, hook, handler,
                               local_only=False, allowed_methods=["POST"])
    return True
'''
BARE_MANIFEST = {
    "domain": "bench_bare",
    "name": "Bare webhook",
    "version": "1.0.0",
    "dependencies": ["webhook"],
    "codeowners": [],
    "documentation": "https://example.com",
    "iot_class": "local_push",
}


def add_bare_component(config_dir: Path) -> None:
    """Write the bench_bare component (its configuration key: `benchmark_config`)."""
    folder = config_dir / "custom_components" / "bench_bare"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text(BARE_COMPONENT)
    (folder / "manifest.json").write_text(json.dumps(BARE_MANIFEST))


def call_sequence(n: int, external: str, workplace: str) -> list[bytes]:
    """The documented pushes of one incoming call answered at a workplace (no parking)."""
    # Ids as the documentation shows them (a version-1 UUID's hex: its time varies
    # from call to call, its clock sequence and node stay).
    prefix = f"{n:08x}a4c211ea9d373863bb43daf8_00015ED635780FC7"
    caller = f"7916{n % 10_000_000:07d}"
    base_caller = {
        "accountId": f"{caller}@pstn",
        "displayId": caller,
        "forwarderList": [],
        "id": caller,
    }
    parked = {
        "call": {"id": f"{prefix}~1o", "tag": "hswdfry52vmykfla____.o"},
        "callee": {
            "accountId": external,
            "centrexId": "67821426",
            "displayId": external,
            "displayName": "",
            "forwarderList": [],
            "id": external,
        },
        "caller": base_caller,
        "startTime": "2026-11-22 11:18:16",
        "state": "trying",
        "transportId": "10.133.33.136:5073",
        "type": "incoming",
    }
    at_workplace = {
        **parked,
        "call": {"id": f"{prefix}~2o", "tag": "hswddry52ykfcb2a____.o"},
        "callee": {
            "accountId": workplace,
            "centrexId": "67821426",
            "displayId": workplace,
            "display_name": external,
            "extensionId": "",
            "forwarderList": [{"id": "an_prd100275045-3881851"}],
            "id": workplace,
        },
    }
    # The documented incoming call: `trying` on the parking leg `~1o`, then `~2o`.
    # Parking is off for the number, so routing sends no command to the provider.
    states = [
        parked,
        {**at_workplace, "state": "showing"},
        {**at_workplace, "state": "connected"},
        {
            **at_workplace,
            "state": "finished",
            "duration": 42,
            "reason": "Answer leg disconnected",
            "reasonCode": None,
        },
    ]
    return [
        json.dumps({"event": "callNotifications", "result": {"callInfo": s}}).encode()
        for s in states
    ]


def pushes(external: str, workplace: str, start: int = 0) -> Iterator[bytes]:
    for n in itertools.count(start):
        yield from call_sequence(n, external, workplace)


async def full_speed(
    session: aiohttp.ClientSession, url: str, bodies: Iterator[bytes], count: int
) -> float:
    """Send `count` pushes with 8 concurrent senders; returns pushes per second."""
    lock = asyncio.Lock()
    sent = 0

    async def sender() -> None:
        nonlocal sent
        while True:
            async with lock:
                if sent >= count:
                    return
                sent += 1
                body = next(bodies)
            async with session.post(url, data=body) as response:
                if response.status != 200:
                    raise RuntimeError(f"{url} answered {response.status}")
                await response.read()

    began = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(8)))
    return count / (time.perf_counter() - began)


async def paced(
    session: aiohttp.ClientSession,
    url: str,
    bodies: Iterator[bytes],
    rate: float,
    seconds: float,
) -> list[float]:
    """Send at a fixed rate; returns each answer's latency in milliseconds."""
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    began = loop.time()
    tasks = []

    async def one(body: bytes) -> None:
        sent = time.perf_counter()
        async with session.post(url, data=body) as response:
            await response.read()
        latencies.append((time.perf_counter() - sent) * 1000)

    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, began + i / rate - loop.time()))
        tasks.append(asyncio.create_task(one(next(bodies))))
    await asyncio.gather(*tasks)
    return latencies


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (the recorder's too)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


COMMIT_INTERVAL = 5
"""Seconds between the recorder's commits (its default)."""


async def until_idle(pid: int, quiet: float = COMMIT_INTERVAL + 1) -> float:
    """Wait until the process has finished its backlog (the recorder's writes).

    Idle: less than 3 % of one core used over `quiet` seconds; by default longer
    than the recorder's commit interval, so that no pending commit is left.
    Returns the process's CPU seconds when the idle spell began.
    """
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(quiet)
        if cpu_seconds(pid) - before < 0.03 * quiet:
            return before
    raise RuntimeError("Home Assistant still busy after 30 minutes")


MEMORY_STEP = 4_000
"""Pushes (1,000 calls) sent at full speed between two waits for the backlog."""


async def memory_after_quarters(
    session: aiohttp.ClientSession,
    url: str,
    source: Iterator[bytes],
    total: int,
    pid: int,
) -> list[float]:
    """Resident memory before `total` pushes and after each quarter of them.

    Growth that levels off is a bounded cache; growth that keeps its pace is a leak.
    """
    await until_idle(pid)
    marks = [rss_mb(pid)]
    sent = 0
    for quarter in range(1, 5):
        end = total * quarter // 4
        while sent < end:
            # In steps of 1,000 calls, each written by the recorder before the
            # next: its queue (held in memory) stays as short as in normal use.
            step = min(MEMORY_STEP, end - sent)
            await full_speed(session, url, source, step)
            await until_idle(pid, quiet=1)
            sent += step
        await until_idle(pid)
        marks.append(rss_mb(pid))
    return marks


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


RECORDER_DOMAINS = ("recorder", "history", "logbook", "default_config")
"""Configuration keys that load the recorder (history and logbook depend on it)."""


def benchmark_config(
    base: dict[str, Any], recorder: bool, commit_interval: int | None = None
) -> dict[str, Any]:
    """The benchmark's `configuration.yaml`, as data, from the development one.

    As a user runs it: our logger at warning (not info or debug), the recorder on
    (as in a default install) unless `recorder` is false, then without every key
    that would load it; `commit_interval` sets the recorder's. Adds `bench_bare:`
    (without its own key Home Assistant would not load that component, and the
    "bare" URL would be answered by the webhook component's unknown-hook path).
    """
    config = {
        key: value
        for key, value in base.items()
        if recorder or key not in RECORDER_DOMAINS
    }
    logger = dict(config.get("logger") or {})
    logs = dict(logger.get("logs") or {})
    logs["custom_components.mtt_business"] = "warning"
    config["logger"] = {**logger, "default": "warning", "logs": logs}
    if recorder and commit_interval is not None:
        config["recorder"] = {
            **(config.get("recorder") or {}),
            "commit_interval": commit_interval,
        }
    config["bench_bare"] = None
    return config


def production_like(
    recorder: bool, commit_interval: int | None = None
) -> Callable[[Path], None]:
    """Configure as a user runs it: default logging; the recorder on unless asked."""

    def customize(config_dir: Path) -> None:
        add_bare_component(config_dir)
        path = config_dir / "configuration.yaml"
        base = yaml.safe_load(path.read_text()) or {}
        config = benchmark_config(base, recorder, commit_interval)
        path.write_text(
            "# Written by benchmarks/push_throughput.py from scripts/dev_instance.py's.\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        )

    return customize


CONFIG_PROBLEMS = (
    "Invalid config",
    "does not support any configuration parameters",
    "Setup failed",
    "Unable to set up dependencies",
    "Integration not found",
)
"""What Home Assistant logs when a configuration (or a component's setup) is bad."""


def config_problems(log: str) -> list[str]:
    """The log's lines that report an invalid configuration or a failed setup."""
    return [
        line
        for line in log.splitlines()
        if any(problem in line for problem in CONFIG_PROBLEMS)
    ]


def check_config_accepted(running: RunningInstance) -> None:
    """Fail when Home Assistant reported an invalid configuration or setup."""
    log = running.base_dir / "homeassistant.log"
    problems = config_problems(log.read_text(errors="replace")) if log.exists() else []
    if problems:
        raise RuntimeError(
            "Home Assistant reported an invalid configuration:\n" + "\n".join(problems)
        )


async def check_recorder(
    running: RunningInstance, session: aiohttp.ClientSession, recorder: bool
) -> None:
    """Fail unless the recorder is loaded exactly when the mode asks for it."""
    async with session.get(
        f"{running.ha_url}/api/config", headers=running.headers()
    ) as response:
        components = set((await response.json())["components"])
    if ("recorder" in components) != recorder:
        raise RuntimeError(
            f"The recorder is {'' if 'recorder' in components else 'not '}loaded"
            f" in a run {'with' if recorder else 'without'} it"
        )


async def enable_all_entities(
    running: RunningInstance, session: aiohttp.ClientSession
) -> list[str]:
    """Enable our entities a default install has disabled, as a user would.

    Through the entity registry (Settings → Entities → Enable); Home Assistant
    reloads the entry itself 30 s later. Returns once every one of them has a
    state again, with the entity ids enabled.
    """
    entities = await running.websocket(session, {"type": "config/entity_registry/list"})
    disabled = [
        e["entity_id"]
        for e in entities
        if e["platform"] == "mtt_business" and e["disabled_by"] == "integration"
    ]
    for entity_id in disabled:
        await running.websocket(
            session,
            {
                "type": "config/entity_registry/update",
                "entity_id": entity_id,
                "disabled_by": None,
            },
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        async with session.get(
            f"{running.ha_url}/api/states", headers=running.headers()
        ) as response:
            present = {s["entity_id"] for s in await response.json()}
        if present.issuperset(disabled):
            return disabled
    raise RuntimeError(f"Enabled entities did not come up: {disabled}")


async def run(
    calls: int,
    sample: int,
    recorder: bool,
    commit_interval: int | None,
    *,
    rounds: int = 3,
    all_entities: bool = False,
    profile: int = 0,
    sections: int = 0,
    handlers: int = 0,
) -> None:
    with tempfile.TemporaryDirectory(prefix="mtt-bench-") as tmp:
        try:
            await _run(
                Path(tmp),
                calls,
                sample,
                recorder,
                commit_interval,
                rounds=rounds,
                all_entities=all_entities,
                profile=profile,
                sections=sections,
                handlers=handlers,
            )
        except BaseException:
            log = Path(tmp) / "homeassistant.log"
            if log.exists():
                print("--- last lines of Home Assistant's log ---")
                print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
            raise


@dataclass
class Bench:
    """A running Home Assistant with ours signed in, and the three paths' URLs."""

    running: RunningInstance
    session: aiohttp.ClientSession
    paths: dict[str, str]
    external: str
    workplace: str
    ha_pid: int


@asynccontextmanager
async def started(
    tmp: Path, recorder: bool, commit_interval: int | None = None
) -> AsyncIterator[Bench]:
    """Home Assistant configured for the benchmark, ours added, every path checked."""
    async with (
        RunningInstance(
            tmp, customize=production_like(recorder, commit_interval)
        ) as running,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session,
    ):
        await running.login(session)
        result = await running.add_integration(session)
        if result.get("type") != "create_entry":
            raise RuntimeError(f"Sign-in failed: {result}")
        check_config_accepted(running)
        await check_recorder(running, session, recorder)
        assert running.instance is not None
        async with session.get(
            f"{running.instance.simulator_url}/control/state"
        ) as response:
            state: dict[str, Any] = await response.json()
        external = state["directory"]["external_numbers"][0]["number"]
        workplace = state["directory"]["workplaces"][0]["workplace"]
        paths = {
            "bare": f"{running.ha_url}/api/webhook/bench_bare",
            "floor": f"{running.ha_url}/api/webhook/bench_floor",
            "ours": running.instance.redirect_uri.replace("localhost", "127.0.0.1")
            + "/events",
        }
        for name in ("bare", "floor"):
            body = call_sequence(0, external, workplace)[0]
            async with session.post(paths[name], data=body) as response:
                # Home Assistant answers 200 for an unknown webhook too.
                if await response.text() != "parsed":
                    raise RuntimeError(f"The {name} webhook is not registered")
        yield Bench(running, session, paths, external, workplace, running.pid(1))
        check_config_accepted(running)


LABELS = {
    "bare": "bare webhook (JSON parse only)",
    "floor": "floor (parse, 1 event, 2 states)",
    "ours": "mtt_business receiver",
}


async def throughput_phase(
    bench: Bench, bodies: Iterator[bytes], sample: int, rounds: int, title: str
) -> dict[str, float]:
    """Pushes/s, CPU per push and latency of the three paths; prints them.

    Returns the median CPU ms per push of each path.
    """
    session, paths, ha_pid = bench.session, bench.paths, bench.ha_pid

    async def measured(count: int, send: Any) -> tuple[Any, float]:
        """Run `send` after the backlog is done; also HA's CPU ms per push."""
        await until_idle(ha_pid)
        before = cpu_seconds(ha_pid)
        outcome = await send
        done = await until_idle(ha_pid)
        return outcome, (done - before) / count * 1000

    for url in paths.values():  # warm up every path
        await full_speed(session, url, bodies, 500)

    # Several rounds, the paths taking turns in each: on two shared cores one
    # phase can be much slower than the next for reasons of its own; the median
    # of the rounds is what is printed, with each round's ours/floor ratio.
    rates: dict[str, list[float]] = {name: [] for name in paths}
    cpus: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, url in paths.items():
            one_rate, one_cpu = await measured(
                sample, full_speed(session, url, bodies, sample)
            )
            rates[name].append(one_rate)
            cpus[name].append(one_cpu)
    rate = {name: statistics.median(values) for name, values in rates.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    latency: dict[str, list[float]] = {}
    for name, url in paths.items():
        latency[name], _ = await measured(2000, paced(session, url, bodies, 200, 10))

    print(title)
    print(f"pushes/s, 8 senders, {sample} pushes each:")
    for name, label in LABELS.items():
        print(f"  {label:33s} {rate[name]:8.0f}")
    print(f"  cost per push, ours / bare:       {rate['bare'] / rate['ours']:8.2f}x")
    print(f"  cost per push, floor / bare:      {rate['bare'] / rate['floor']:8.2f}x")
    print("Home Assistant's CPU time per push, until its backlog is done (ms):")
    for name, label in LABELS.items():
        print(f"  {label:33s} {cpu[name]:8.3f}")
    print(f"  CPU per push, ours / bare:        {cpu['ours'] / cpu['bare']:8.2f}x")
    print(f"  CPU per push, floor / bare:       {cpu['floor'] / cpu['bare']:8.2f}x")
    print(f"  CPU per push, ours / floor:       {cpu['ours'] / cpu['floor']:8.2f}x")
    each = ", ".join(
        f"{o / f:.2f}x" for o, f in zip(cpus["ours"], cpus["floor"], strict=True)
    )
    print(f"  (medians of {rounds} rounds; ours / floor in each round: {each})")
    print("answer latency at 200 pushes/s for 10 s (ms):")
    for name, lat in latency.items():
        print(
            f"  {name:13s} p50 {percentile(lat, 50):6.2f}"
            f"  p99 {percentile(lat, 99):6.2f}  max {max(lat):6.2f}"
        )
    print(
        f"  p99 ratio, ours / bare:           "
        f"{percentile(latency['ours'], 99) / percentile(latency['bare'], 99):8.2f}x"
    )
    return cpu


WAITING = ("poll", "select", "acquire", "sleep", "wait")
"""Built-ins whose time in a profile is waiting, not work."""


def where_the_time_goes(stats_file: Path, pushes: int, top: int = 14) -> None:
    """Own time per push by source file, then by function, from cProfile's stats."""
    stats = pstats.Stats(str(stats_file))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_file: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for (filename, line, function), (_, _, tottime, _, _) in raw.items():
        if filename == "~" and any(word in function for word in WAITING):
            continue  # waiting for work (the idle loop, the executor's threads)
        where = "(built-ins)" if filename == "~" else filename
        for marker in ("site-packages/", "custom_components/", "lib/python3"):
            if marker in filename:
                where = filename.split(marker, 1)[1]
                break
        by_file[where] += tottime
        by_function[f"{where}:{line} {function}"] += tottime
    total = sum(by_file.values())
    print(f"    {total / pushes * 1000:.3f} ms per push of Python, profiled:")
    for where, seconds in by_file.most_common(top):
        print(
            f"      {seconds / pushes * 1000:7.4f} ms  {seconds / total:5.1%}  {where}"
        )
    print("    heaviest functions (own time):")
    for where, seconds in by_function.most_common(top):
        print(f"      {seconds / pushes * 1000:7.4f} ms  {where}")


async def profile_paths(bench: Bench, bodies: Iterator[bytes], pushes: int) -> None:
    """cProfile of Home Assistant while `pushes` go through floor and ours.

    From the first push until Home Assistant has been idle for a second (its
    deferred writes included); cProfile slows the code it measures, so the shares
    count, not the milliseconds.
    """
    hook = f"{bench.running.ha_url}/api/webhook/bench_profile"
    print(f"where Home Assistant's time goes, cProfile, {pushes} pushes per path:")
    for name in ("floor", "ours"):
        await until_idle(bench.ha_pid)
        stats_file = bench.running.base_dir / f"profile-{name}.pstats"
        async with bench.session.post(hook, data=b"start") as response:
            await response.read()
        await full_speed(bench.session, bench.paths[name], bodies, pushes)
        await until_idle(bench.ha_pid, quiet=1)
        async with bench.session.post(hook, data=str(stats_file).encode()) as response:
            await response.read()
        print(f"  {LABELS[name]}:")
        where_the_time_goes(stats_file, pushes)


async def section_times(bench: Bench, bodies: Iterator[bytes], pushes: int) -> None:
    """Time each step of our push path while `pushes` go through it (no profiler).

    Each step is wrapped in a clock inside Home Assistant (`bench_sections`); a
    wrapper costs well under a microsecond, and a step's time includes the steps
    nested in it (indented). What remains of our CPU per push beyond these steps is
    Home Assistant's HTTP handling of our request and the throttled writes.
    """
    hook = f"{bench.running.ha_url}/api/webhook/bench_sections"
    await until_idle(bench.ha_pid)
    async with bench.session.post(hook, data=b"start") as response:
        await response.read()
    await full_speed(bench.session, bench.paths["ours"], bodies, pushes)
    await until_idle(bench.ha_pid, quiet=1)
    async with bench.session.post(hook, data=b"report") as response:
        times: dict[str, int] = await response.json()
    print(f"our push path, step by step, {pushes} pushes (microseconds per push):")
    for label, ns in times.items():
        print(f"  {ns / pushes / 1000:7.2f}  {label}")
    own = sum(ns for label, ns in times.items() if not label.startswith(" "))
    print(f"  {own / pushes / 1000:7.2f}  parsed and handed over, in all")


async def handler_times(
    bench: Bench, bodies: Iterator[bytes], pushes: int, rounds: int
) -> None:
    """Our handler's CPU against the floor's, live and back to back, in the same HA.

    The event loop thread's own CPU time (`time.thread_time_ns`, so neither other
    threads nor other processes count) in our receiver's parse and hand-over and in
    the floor's handler: live, while `pushes` pushes go through each over HTTP, the
    two taking turns in each of `rounds` rounds; then hot, the same code run on
    `pushes` bodies back to back inside Home Assistant. HTTP handling and deferred
    writes are not in these figures (they are in the CPU per push above); the clock
    reads, a system call each, are (about a microsecond a push on each side).
    """
    hook = f"{bench.running.ha_url}/api/webhook/bench_handlers"
    live: dict[str, list[float]] = {"ours": [], "floor": []}
    print(
        f"the handlers' own CPU in the event loop thread, {pushes} pushes each"
        " (microseconds per push):"
    )
    for number in range(rounds):
        await until_idle(bench.ha_pid)
        async with bench.session.post(hook, data=b"start") as response:
            await response.read()
        order = ("ours", "floor") if number % 2 == 0 else ("floor", "ours")
        for name in order:
            await full_speed(bench.session, bench.paths[name], bodies, pushes)
        await until_idle(bench.ha_pid, quiet=1)
        async with bench.session.post(hook, data=b"report") as response:
            times: dict[str, int] = await response.json()
        ours, floor = (times.get(name, 0) / pushes / 1000 for name in live)
        live["ours"].append(ours)
        live["floor"].append(floor)
        print(
            f"  round {number + 1}: ours {ours:6.1f}  floor {floor:6.1f}"
            f"  ours / floor {ours / floor:5.2f}x"
        )
    await until_idle(bench.ha_pid)
    batch = [next(bodies).decode() for _ in range(pushes)]
    async with bench.session.post(hook, data=json.dumps(batch)) as response:
        hot = {name: ns / pushes / 1000 for name, ns in (await response.json()).items()}
    ours, floor = (statistics.median(live[name]) for name in live)
    print(
        f"  live, medians of {rounds} rounds: ours {ours:6.1f}  floor {floor:6.1f}"
        f"  ours / floor {ours / floor:5.2f}x"
    )
    print(
        f"  hot, back to back:         ours {hot['ours']:6.1f}  floor"
        f" {hot['floor']:6.1f}  ours / floor {hot['ours'] / hot['floor']:5.2f}x"
    )
    print(
        f"  live / hot: ours {ours / hot['ours']:.2f}x, floor"
        f" {floor / hot['floor']:.2f}x"
    )


async def _run(
    tmp: Path,
    calls: int,
    sample: int,
    recorder: bool,
    commit_interval: int | None,
    *,
    rounds: int,
    all_entities: bool,
    profile: int = 0,
    sections: int = 0,
    handlers: int = 0,
) -> None:
    async with started(tmp, recorder, commit_interval) as bench:
        running, session = bench.running, bench.session
        external, workplace = bench.external, bench.workplace
        bodies = pushes(external, workplace)
        if not recorder:
            mode = "Home Assistant with the recorder off (core only)"
        elif commit_interval is None:
            mode = "Home Assistant with the recorder on (a default install)"
        else:
            mode = f"Home Assistant with the recorder on, commit_interval {commit_interval}"
        cpu = {
            "default": await throughput_phase(
                bench,
                bodies,
                sample,
                rounds,
                f"{mode}; our entities as a fresh install has them"
                " (those that change with every call step disabled)",
            )
        }
        if all_entities:
            enabled = await enable_all_entities(running, session)
            print(f"enabled {len(enabled)} entities: {', '.join(enabled)}")
            cpu["all"] = await throughput_phase(
                bench,
                bodies,
                sample,
                rounds,
                f"{mode}; every entity of ours enabled (an existing install)",
            )
            print("CPU per push, ours / floor, both entity configurations:")
            for name, one in cpu.items():
                print(
                    f"  {name:8s} entities  {one['ours'] / one['floor']:5.2f}x"
                    f"  ({one['ours']:.3f} ms against {one['floor']:.3f} ms)"
                )

        if profile:
            await profile_paths(bench, bodies, profile)
        if sections:
            await section_times(bench, bodies, sections)
        if handlers:
            await handler_times(bench, bodies, handlers, rounds)

        if calls:
            total = calls * len(call_sequence(0, external, workplace))
            print(
                f"resident memory of Home Assistant (MB), {calls} calls ({total} pushes)"
                " through each path, after each quarter, measured once its backlog"
                " is done:"
            )
            for name, start in (("bare", 10**6), ("floor", 10**7), ("ours", 10**8)):
                source = pushes(external, workplace, start)
                marks = await memory_after_quarters(
                    session, bench.paths[name], source, total, bench.ha_pid
                )
                steps = " -> ".join(f"{mark:6.1f}" for mark in marks)
                print(f"  {name:5s} {steps}  (+{marks[-1] - marks[0]:.1f} MB)")
        await running.login(session)  # the first access token lasts 30 minutes
        async with session.get(
            f"{running.ha_url}/api/states", headers=running.headers()
        ) as response:
            states = await response.json()
        active = [s["state"] for s in states if s["entity_id"].endswith("active_calls")]
        print(f"  active calls afterwards: {active}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="throughput rounds, the paths taking turns (medians are printed)",
    )
    parser.add_argument(
        "--without-recorder",
        action="store_true",
        help="core only: no recorder, to see what the recorder's writing costs",
    )
    parser.add_argument(
        "--commit-interval",
        type=int,
        help="the recorder's commit_interval in seconds (default: its own, 5)",
    )
    parser.add_argument(
        "--all-entities",
        action="store_true",
        help="after the default entities (a fresh install), measure again with every"
        " entity of ours enabled (an existing install that had them); prints both",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="PUSHES",
        help="afterwards, profile Home Assistant's event loop (cProfile) while PUSHES"
        " pushes go through the floor and through ours; prints where the time goes",
    )
    parser.add_argument(
        "--sections",
        type=int,
        default=0,
        metavar="PUSHES",
        help="afterwards, time each step of our push path (a clock around each, no"
        " profiler) while PUSHES pushes go through it; prints microseconds per push",
    )
    parser.add_argument(
        "--handlers",
        type=int,
        default=0,
        metavar="PUSHES",
        help="afterwards, the event loop thread's CPU in our parse and hand-over and in"
        " the floor's handler, live (--rounds rounds of PUSHES pushes each, taking"
        " turns) and back to back; prints microseconds per push",
    )
    args = parser.parse_args()
    asyncio.run(
        run(
            args.calls,
            args.sample,
            not args.without_recorder,
            args.commit_interval,
            rounds=args.rounds,
            all_entities=args.all_entities,
            profile=args.profile,
            sections=args.sections,
            handlers=args.handlers,
        )
    )


if __name__ == "__main__":
    main()
