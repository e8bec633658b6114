"""What one call costs the recorder: rows and bytes, ours against the floor.

Starts the simulator and a real Home Assistant with the recorder on, as a default
install has it (push_throughput.started: the same configuration, ours signed in
through the simulator, the floor handler beside it), then, for our entities as a
fresh install has them and again with every entity of ours enabled (an existing
install that had them), sends --calls documented calls (an incoming call answered
at a workplace: 4 pushes, each call's in order, --concurrency calls at a time)
through the floor path and through ours. Before and after each batch it waits for
Home Assistant to be idle and the recorder to have committed, and reads the
database (home-assistant_v2.db, read-only) for the rows added to `states`,
`state_attributes`, `events` and `event_data`, their bytes, and the database's
growth (its pages in use, WAL included). Prints a table per call, then what costs
them: rows and attribute bytes per entity, rows and data bytes per event type, and
the attributes that weigh most.

Run: .venv/bin/python benchmarks/recorder_rows.py [--calls 200] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
import json
from pathlib import Path
import sqlite3
import sys
import tempfile

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from push_throughput import (
    Bench,
    call_sequence,
    enable_all_entities,
    started,
    until_idle,
)

TABLES = {
    "states": "state_id",
    "state_attributes": "attributes_id",
    "events": "event_id",
    "event_data": "data_id",
}
"""The recorder's tables counted, with their row id column."""


@dataclass(frozen=True)
class Mark:
    """The database at one moment: each table's highest id and the bytes in use."""

    ids: dict[str, int]
    used_bytes: int


@dataclass
class Cost:
    """What a batch of calls added to the database."""

    calls: int
    rows: dict[str, int]
    used_bytes: int
    attribute_bytes: int
    data_bytes: int
    per_entity: dict[str, list[int]] = field(default_factory=dict)
    """entity id: [states rows, new attribute rows, their bytes]."""
    per_event: dict[str, list[int]] = field(default_factory=dict)
    """event type: [events rows, new event_data rows, their bytes]."""
    per_attribute: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(entity id, attribute): bytes of its JSON in the new attribute rows."""
    per_data_key: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(event type, key): bytes of its JSON in the new event_data rows."""


def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def mark(db: Path) -> Mark:
    with connect(db) as conn:
        ids = {
            table: conn.execute(
                f"SELECT COALESCE(MAX({key}), 0) FROM {table}"  # noqa: S608  (ours)
            ).fetchone()[0]
            for table, key in TABLES.items()
        }
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    return Mark(ids, (pages - free) * size)


async def committed(db: Path, pid: int) -> Mark:
    """Once Home Assistant is idle and two reads a commit interval apart agree."""
    await until_idle(pid)
    before = mark(db)
    for _ in range(10):
        await asyncio.sleep(6)
        after = mark(db)
        if after == before:
            return after
        before = after
    raise RuntimeError("The recorder kept writing while Home Assistant was idle")


def json_bytes(key: str, value: object) -> int:
    """Bytes of `"key":value` as the recorder stores it (compact JSON, UTF-8)."""
    return (
        len(
            json.dumps({key: value}, ensure_ascii=False, separators=(",", ":")).encode()
        )
        - 2
    )


def cost(db: Path, start: Mark, end: Mark, calls: int) -> Cost:
    """The rows between two marks, and what they are."""
    s_id, a_id = start.ids["states"], start.ids["state_attributes"]
    e_id, d_id = start.ids["events"], start.ids["event_data"]
    with connect(db) as conn:
        per_entity: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for entity_id, rows in conn.execute(
            "SELECT m.entity_id, COUNT(*) FROM states s"
            " JOIN states_meta m ON m.metadata_id = s.metadata_id"
            " WHERE s.state_id > ? GROUP BY m.entity_id",
            (s_id,),
        ):
            per_entity[entity_id][0] = rows
        per_attribute: Counter[tuple[str, str]] = Counter()
        attribute_bytes = 0
        for entity_id, shared in conn.execute(
            "SELECT m.entity_id, a.shared_attrs FROM state_attributes a"
            " JOIN (SELECT DISTINCT attributes_id, metadata_id FROM states"
            "       WHERE state_id > ?) s ON s.attributes_id = a.attributes_id"
            " JOIN states_meta m ON m.metadata_id = s.metadata_id"
            " WHERE a.attributes_id > ?",
            (s_id, a_id),
        ):
            size = len(shared.encode())
            attribute_bytes += size
            per_entity[entity_id][1] += 1
            per_entity[entity_id][2] += size
            for key, value in json.loads(shared).items():
                per_attribute[entity_id, key] += len(
                    json.dumps(
                        value, ensure_ascii=False, separators=(",", ":")
                    ).encode()
                )
        per_event: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        per_data_key: Counter[tuple[str, str]] = Counter()
        for event_type, rows in conn.execute(
            "SELECT t.event_type, COUNT(*) FROM events e"
            " JOIN event_types t ON t.event_type_id = e.event_type_id"
            " WHERE e.event_id > ? GROUP BY t.event_type",
            (e_id,),
        ):
            per_event[event_type][0] = rows
        data_bytes = 0
        for event_type, shared in conn.execute(
            "SELECT t.event_type, d.shared_data FROM event_data d"
            " JOIN (SELECT DISTINCT data_id, event_type_id FROM events"
            "       WHERE event_id > ?) e ON e.data_id = d.data_id"
            " JOIN event_types t ON t.event_type_id = e.event_type_id"
            " WHERE d.data_id > ?",
            (e_id, d_id),
        ):
            size = len(shared.encode())
            data_bytes += size
            per_event[event_type][1] += 1
            per_event[event_type][2] += size
            for key, value in json.loads(shared).items():
                per_data_key[event_type, key] += json_bytes(key, value)
    conn.close()
    return Cost(
        calls=calls,
        rows={table: end.ids[table] - start.ids[table] for table in TABLES},
        used_bytes=end.used_bytes - start.used_bytes,
        attribute_bytes=attribute_bytes,
        data_bytes=data_bytes,
        per_entity=dict(per_entity),
        per_event=dict(per_event),
        per_attribute=per_attribute,
        per_data_key=per_data_key,
    )


async def send_calls(
    session: aiohttp.ClientSession,
    url: str,
    calls: Iterator[list[bytes]],
    count: int,
    concurrency: int,
) -> None:
    """`count` calls, `concurrency` at a time, each call's pushes in order."""
    lock = asyncio.Lock()
    sent = 0

    async def caller() -> None:
        nonlocal sent
        while True:
            async with lock:
                if sent >= count:
                    return
                sent += 1
                bodies = next(calls)
            for body in bodies:
                async with session.post(url, data=body) as response:
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
                    await response.read()

    await asyncio.gather(*(caller() for _ in range(concurrency)))


def numbered_calls(bench: Bench, start: int) -> Iterator[list[bytes]]:
    n = start
    while True:
        yield call_sequence(n, bench.external, bench.workplace)
        n += 1


async def measure(
    bench: Bench, db: Path, calls: int, concurrency: int, start: int
) -> dict[str, Cost]:
    """Floor, then ours, each batch between two committed marks."""
    costs = {}
    for offset, name in enumerate(("floor", "ours")):
        source = numbered_calls(bench, start + offset * 10**6)
        before = await committed(db, bench.ha_pid)
        await send_calls(bench.session, bench.paths[name], source, calls, concurrency)
        after = await committed(db, bench.ha_pid)
        costs[name] = cost(db, before, after, calls)
    return costs


COLUMNS = (
    ("states", "states"),
    ("state_attributes", "attrs"),
    ("events", "events"),
    ("event_data", "ev.data"),
)


def print_costs(title: str, costs: dict[str, Cost]) -> None:
    calls = costs["ours"].calls
    print(f"{title}: recorder cost per call ({calls} calls, 4 pushes each)")
    header = "".join(f"{label:>9s}" for _, label in COLUMNS)
    print(f"  {'path':10s}{header}{'attr B':>9s}{'data B':>9s}{'db B':>9s}")
    for name, one in costs.items():
        rows = "".join(f"{one.rows[table] / calls:9.2f}" for table, _ in COLUMNS)
        print(
            f"  {name:10s}{rows}{one.attribute_bytes / calls:9.0f}"
            f"{one.data_bytes / calls:9.0f}{one.used_bytes / calls:9.0f}"
        )
    ours, floor = costs["ours"], costs["floor"]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:9.2f}" if b else f"{'-':>9s}"

    ratios = "".join(ratio(ours.rows[t], floor.rows[t]) for t, _ in COLUMNS)
    print(
        f"  {'ours/floor':10s}{ratios}"
        f"{ratio(ours.attribute_bytes, floor.attribute_bytes)}"
        f"{ratio(ours.data_bytes, floor.data_bytes)}"
        f"{ratio(ours.used_bytes, floor.used_bytes)}"
    )
    for name, one in costs.items():
        print(f"  {name}: per entity (states rows, new attribute rows, their bytes):")
        for entity_id, (rows, attrs, size) in sorted(
            one.per_entity.items(), key=lambda item: -item[1][0]
        ):
            print(
                f"    {entity_id:58s} {rows / calls:6.2f} {attrs / calls:6.2f}"
                f" {size / calls:7.0f}"
            )
        print(f"  {name}: per event type (events rows, new data rows, their bytes):")
        for event_type, (rows, data, size) in sorted(
            one.per_event.items(), key=lambda item: -item[1][0]
        ):
            print(
                f"    {event_type:58s} {rows / calls:6.2f} {data / calls:6.2f}"
                f" {size / calls:7.0f}"
            )
    for what, counter in (
        ("event data keys", ours.per_data_key),
        ("attributes", ours.per_attribute),
    ):
        if counter:
            print(f"  ours: heaviest {what} (bytes of their JSON per call):")
            for (owner, key), size in counter.most_common(16):
                print(f"    {owner + ' ' + key:66s} {size / calls:7.0f}")


async def run(calls: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mtt-recorder-") as tmp:
        try:
            async with started(Path(tmp), recorder=True) as bench:
                assert bench.running.instance is not None
                db = Path(bench.running.instance.config_dir) / "home-assistant_v2.db"
                for warm in ("floor", "ours"):  # first rows: states_meta, event_types
                    await send_calls(
                        bench.session,
                        bench.paths[warm],
                        numbered_calls(bench, 9 * 10**8),
                        2,
                        1,
                    )
                print_costs(
                    "Our entities as a fresh install has them",
                    await measure(bench, db, calls, concurrency, 10**7),
                )
                enabled = await enable_all_entities(bench.running, bench.session)
                print(f"enabled {len(enabled)} entities: {', '.join(enabled)}")
                for warm in ("ours",):
                    await send_calls(
                        bench.session,
                        bench.paths[warm],
                        numbered_calls(bench, 8 * 10**8),
                        2,
                        1,
                    )
                print_costs(
                    "Every entity of ours enabled",
                    await measure(bench, db, calls, concurrency, 10**8),
                )
        except BaseException:
            log = Path(tmp) / "homeassistant.log"
            if log.exists():
                print("--- last lines of Home Assistant's log ---")
                print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
            raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.calls, args.concurrency))


if __name__ == "__main__":
    main()
