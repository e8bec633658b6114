"""The call engine (SPEC §4): each scenario's push sequence and documented shapes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mtt_simulator.engine import CallError, dialled_form
from mtt_simulator.scenario import Scenario
from mtt_simulator.variants import VARIANTS, Variant

from .conftest import CALLER, IVAN, MAIN, RECEPTION, SECOND, Receiver, Rig

INCOMING_LEG = re.compile(r"[0-9a-f]{32}_[0-9A-F]{16}~(\d+)o")
OUTGOING_ID = re.compile(r"SD[0-9a-z]{6}-[0-9a-f]{40}@127\.0\.0\.1")
TAG = re.compile(r"[0-9a-z]{16}____\.o")
TRANSPORT = re.compile(r"10\.133\.\d{1,3}\.\d{1,3}:50\d\d")
START_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
LIVE_KEYS = {"call", "callee", "caller", "startTime", "state", "transportId", "type"}
FINISHED_KEYS = {
    "call",
    "callee",
    "caller",
    "duration",
    "reason",
    "reasonCode",
    "state",
    "transportId",
    "type",
}
PSTN_CALLER = {
    "accountId": f"{CALLER}@pstn",
    "displayId": CALLER,
    "forwarderList": [],
    "id": CALLER,
}
PARKED_CALLEE = {  # the documented trying of the parking leg `~1o`
    "accountId": MAIN,
    "centrexId": "67821426",
    "displayId": MAIN,
    "displayName": "",
    "forwarderList": [],
    "id": MAIN,
}
WORKPLACE_CALLEE_KEYS = {
    "accountId",
    "centrexId",
    "displayId",
    "displayName",
    "extensionId",
    "forwarderList",
    "id",
}


def _leg_number(info: dict[str, Any]) -> int:
    match = INCOMING_LEG.fullmatch(info["call"]["id"])
    assert match, info["call"]["id"]
    return int(match.group(1))


def _workplace_callee(info: dict[str, Any], workplace: str, external: str) -> None:
    callee = info["callee"]
    keys = set(WORKPLACE_CALLEE_KEYS)
    if info["state"] == "finished":
        keys = keys - {"displayName"} | {"display_name"}
    assert set(callee) == keys
    assert callee["accountId"] == callee["displayId"] == callee["id"] == workplace
    assert callee["centrexId"] == "67821426"
    assert callee.get("displayName", callee.get("display_name")) == external
    assert callee["extensionId"] == ""
    assert [set(f) for f in callee["forwarderList"]] == [{"id"}, {"id"}]
    assert callee["forwarderList"][0]["id"].startswith("an_prd")
    assert callee["forwarderList"][1]["id"].startswith("scheme_prd")


def _pushed(receiver: Receiver, state: str) -> bool:
    return any(i["state"] == state for i in receiver.infos())


# --- every scenario under every variant ---------------------------------------------

P = Variant.PARKING_HIDING
R = Variant.RING_GROUP_HIDING
H = Variant.HIDING_BEFORE_FINISHED
N = Variant.NO_PARKING_LEG
VARIANT_SETS = [frozenset(), *(frozenset({v}) for v in VARIANTS), frozenset(VARIANTS)]

type Pushes = list[tuple[str, str]]


@pytest.fixture(params=VARIANT_SETS, ids=lambda v: "+".join(sorted(v)) or "documented")
def variants(request: pytest.FixtureRequest) -> frozenset[Variant]:
    """Each set of variants: none (the documentation), each alone, all at once."""
    result: frozenset[Variant] = request.param
    return result


@pytest.fixture
def vrig(rig: Rig, variants: frozenset[Variant]) -> Rig:
    """The signed-in simulator playing `variants`."""
    rig.sim.scenario.variants = variants
    return rig


def _if(condition: bool, *pushes: tuple[str, str]) -> Pushes:
    return list(pushes) if condition else []


def _start(v: frozenset[Variant], *shown: str) -> Pushes:
    """A call to a number without parking: `~1o` trying, then each leg shown."""
    first = [("trying", "2o")] if N in v else [("trying", "1o")]
    return first + [("showing", leg) for leg in shown or ("2o",)]


def _parked_moves_on(v: frozenset[Variant]) -> Pushes:
    """A parked call that moves on (transfer, terminate, window): `~2o` shown."""
    return [("trying", "1o"), *_if(P in v, ("hiding", "1o")), ("showing", "2o")]


async def test_incoming_answered_call(vrig: Rig, variants: frozenset[Variant]) -> None:
    rig, sim = vrig, vrig.sim
    rig.sim.scenario.ring_timeout = 30
    call_id = await sim.start_incoming_call(CALLER, MAIN)
    await rig.settle()
    assert rig.receiver.states() == _start(variants)
    await sim.answer(call_id)
    await sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants),
        ("connected", "2o"),
        ("finished", "2o"),
        ("recorded", "2o"),
    ]
    assert all(p["event"] == "callNotifications" for p in rig.receiver.pushes)
    assert all(set(p) == {"event", "result"} for p in rig.receiver.pushes)
    assert all(set(p["result"]) == {"callInfo"} for p in rig.receiver.pushes)
    assert set(rig.receiver.content_types) == {"application/json"}
    trying, showing, connected, finished, recorded = rig.receiver.infos()
    leg_id = showing["call"]["id"]
    assert leg_id == f"{call_id}~2o"
    for info in (trying, showing, connected, finished):
        assert set(info["call"]) == {"id", "tag"}
        assert TAG.fullmatch(info["call"]["tag"])
        assert TRANSPORT.fullmatch(info["transportId"])
        assert info["transportId"] == trying["transportId"]
        assert info["type"] == "incoming"
        assert info["caller"] == PSTN_CALLER
    for info in (showing, connected, finished):
        assert info["call"] == showing["call"]
        _workplace_callee(info, RECEPTION, MAIN)
    if N in variants:
        assert trying["call"] == showing["call"]
        _workplace_callee(trying, RECEPTION, MAIN)
    else:  # the documented trying of the parking leg
        assert trying["call"]["id"] == f"{call_id}~1o"
        assert trying["call"]["tag"] != showing["call"]["tag"]
        assert trying["callee"] == PARKED_CALLEE
    for info in (trying, showing, connected):
        assert set(info) == LIVE_KEYS
        assert info["startTime"] == trying["startTime"]
    assert START_TIME.fullmatch(trying["startTime"])
    moscow = datetime.now(ZoneInfo("Europe/Moscow")).replace(tzinfo=None)
    started = datetime.strptime(trying["startTime"], "%Y-%m-%d %H:%M:%S")
    assert abs(moscow - started) < timedelta(seconds=5)
    assert set(finished) == FINISHED_KEYS
    assert finished["reason"] == "Answer leg disconnected"
    assert finished["reasonCode"] is None
    assert isinstance(finished["duration"], int)
    assert finished["duration"] == 0
    assert set(recorded) == {"accountId", "call", "state", "urlRecord"}
    assert recorded["call"] == {"id": leg_id}
    assert recorded["accountId"] == RECEPTION
    assert recorded["urlRecord"].startswith(rig.url + "/records/")
    assert recorded["urlRecord"].endswith(".mp3")
    assert call_id not in sim.engine.calls


async def test_duration_counts_from_the_answer(rig: Rig) -> None:
    rig.sim.scenario.ring_timeout = 30
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.sim.answer(call_id)
    rig.sim.engine.calls[call_id].answered_at = time.monotonic() - 4.2
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    finished = rig.receiver.infos()[-2]
    assert finished["state"] == "finished"
    assert finished["duration"] == 4
    assert finished["reason"] == "Originate leg disconnected"


async def test_recording_is_a_real_mp3(rig: Rig) -> None:
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.sim.answer(call_id)
    await rig.sim.hang_up(call_id)
    await rig.settle()
    url = rig.receiver.infos()[-1]["urlRecord"]
    async with rig.session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "audio/mpeg"
        data = await response.read()
    frames, offset = 0, 0
    bitrates = {9: 128_000}
    while offset < len(data):
        header = int.from_bytes(data[offset : offset + 4])
        assert header >> 21 == 0x7FF  # frame sync
        assert (header >> 19) & 3 == 3  # MPEG-1
        assert (header >> 17) & 3 == 1  # Layer III
        bitrate = bitrates[(header >> 12) & 15]
        assert (header >> 10) & 3 == 0  # 44.1 kHz
        padding = (header >> 9) & 1
        offset += 144 * bitrate // 44_100 + padding
        frames += 1
    assert offset == len(data)
    assert frames >= 3
    async with rig.session.get(rig.url + "/records/unknown.mp3") as response:
        assert response.status == 404


async def test_no_recording_when_the_scenario_says_so(rig: Rig) -> None:
    rig.sim.scenario.record_calls = False
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.sim.answer(call_id)
    await rig.sim.hang_up(call_id)
    await rig.settle()
    assert rig.receiver.states()[-1] == ("finished", "2o")


async def test_incoming_missed_after_the_ring_timeout(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.until(lambda: _pushed(rig.receiver, "finished"))
    await asyncio.sleep(0.05)  # no recording of a missed call, nothing else
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants),
        *_if(H in variants, ("hiding", "2o")),
        ("finished", "2o"),
    ]
    finished = rig.receiver.infos()[-1]
    assert set(finished) == FINISHED_KEYS
    assert finished["duration"] == 0
    assert finished["reason"] == "Originate leg disconnected"
    if H in variants:
        assert set(rig.receiver.infos()[-2]) == LIVE_KEYS
    assert call_id not in rig.sim.engine.calls


async def test_caller_gives_up_while_ringing(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    rig.sim.scenario.ring_timeout = 30
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN, workplace=IVAN)
    await rig.settle()
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants),
        *_if(H in variants, ("hiding", "2o")),
        ("finished", "2o"),
    ]
    showing = rig.receiver.infos()[1]
    assert showing["callee"]["id"] == IVAN
    assert rig.receiver.infos()[-1]["reason"] == "Originate leg disconnected"
    assert rig.receiver.infos()[-1]["duration"] == 0
    with pytest.raises(CallError):
        await rig.sim.hang_up(call_id)
    with pytest.raises(CallError):
        await rig.sim.answer(call_id)


async def test_parked_call_documented_trying(vrig: Rig) -> None:
    rig = vrig
    rig.sim.parking.add(MAIN)
    rig.sim.scenario.parking_window = 30
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.settle()
    (trying,) = rig.receiver.infos()
    assert set(trying) == LIVE_KEYS
    assert trying["call"]["id"] == f"{call_id}~1o"
    assert TAG.fullmatch(trying["call"]["tag"])
    assert trying["callee"] == PARKED_CALLEE
    assert trying["caller"] == PSTN_CALLER
    assert trying["type"] == "incoming"
    assert trying["state"] == "trying"
    assert TRANSPORT.fullmatch(trying["transportId"])
    assert START_TIME.fullmatch(trying["startTime"])


async def test_parking_window_runs_out_to_the_default_route(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    rig.sim.parking.add(MAIN)
    started = time.monotonic()
    await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.until(lambda: _pushed(rig.receiver, "showing"))
    assert time.monotonic() - started >= rig.sim.scenario.parking_window
    await rig.until(lambda: _pushed(rig.receiver, "finished"))
    assert rig.receiver.states() == [
        *_parked_moves_on(variants),
        *_if(H in variants, ("hiding", "2o")),
        ("finished", "2o"),
    ]
    parked = rig.receiver.infos()[0]
    showing = rig.receiver.infos()[2 if P in variants else 1]
    if P in variants:
        assert rig.receiver.infos()[1]["call"] == parked["call"]
    assert showing["call"]["tag"] != parked["call"]["tag"]
    assert showing["call"]["id"].split("~")[0] == parked["call"]["id"].split("~")[0]
    assert showing["transportId"] == parked["transportId"]
    assert showing["startTime"] == parked["startTime"]
    _workplace_callee(showing, RECEPTION, MAIN)


async def test_scenario_route_of_an_external_number(
    bare_rig: Rig, scenario: Scenario
) -> None:
    rig = bare_rig
    rig.sim.scenario.routes[SECOND] = IVAN
    rig.sim.parking.add(SECOND)
    await rig.sim.start_incoming_call(CALLER, SECOND)
    await rig.until(lambda: _pushed(rig.receiver, "showing"))
    showing = rig.receiver.infos()[1]
    _workplace_callee(showing, IVAN, SECOND)
    # without parking too
    rig.sim.parking.clear()
    call_id = await rig.sim.start_incoming_call(CALLER, SECOND)
    await rig.settle()
    assert rig.receiver.infos()[-1]["callee"]["id"] == IVAN
    assert rig.receiver.infos()[-1]["call"]["id"] == f"{call_id}~2o"


async def _park(rig: Rig) -> dict[str, Any]:
    rig.sim.parking.add(MAIN)
    rig.sim.scenario.parking_window = 30
    rig.sim.scenario.ring_timeout = 30
    await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.settle()
    parked = rig.receiver.infos()[-1]
    return {
        "call": {"id": parked["call"]["id"], "tag": parked["call"]["tag"]},
        "transportId": parked["transportId"],
    }


async def test_transfer_of_the_parked_leg(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    leg = await _park(rig)
    started = time.monotonic()
    status, body = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert (status, body) == (200, {"result": {"success": 1}})
    await rig.settle()
    assert time.monotonic() - started < 1  # not after the window
    assert rig.receiver.states() == _parked_moves_on(variants)
    _workplace_callee(rig.receiver.infos()[-1], IVAN, MAIN)
    # the parked leg is gone
    status, _ = await rig.call("transferCall", {**leg, "calleeId": RECEPTION})
    assert status == 400
    (call_id,) = rig.sim.engine.calls
    await rig.sim.answer(call_id, IVAN)
    await rig.sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.states() == [
        *_parked_moves_on(variants),
        ("connected", "2o"),
        ("finished", "2o"),
        ("recorded", "2o"),
    ]


async def test_transfer_of_the_parked_leg_to_a_number(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    leg = await _park(rig)
    status, _ = await rig.call("transferCall", {**leg, "calleeId": "79219462761"})
    assert status == 200
    await rig.settle()
    assert rig.receiver.states() == _parked_moves_on(variants)
    assert rig.receiver.infos()[-1]["callee"] == {
        "accountId": "79219462761@pstn",
        "displayId": "79219462761",
        "forwarderList": [],
        "id": "79219462761",
    }


async def test_terminate_of_the_parked_leg_goes_to_the_route_at_once(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    leg = await _park(rig)
    status, body = await rig.call("terminateCall", leg)
    assert (status, body) == (200, {"result": {"success": 1}})
    await rig.settle()
    assert rig.receiver.states() == _parked_moves_on(variants)
    _workplace_callee(rig.receiver.infos()[-1], RECEPTION, MAIN)
    (call_id,) = rig.sim.engine.calls
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    assert rig.receiver.states() == [
        *_parked_moves_on(variants),
        *_if(H in variants, ("hiding", "2o")),
        ("finished", "2o"),
    ]


async def test_caller_hangs_up_while_parked(vrig: Rig) -> None:
    rig = vrig
    await _park(rig)
    (call_id,) = rig.sim.engine.calls
    await rig.sim.hang_up(call_id)
    await rig.settle()
    assert rig.receiver.states() == [("trying", "1o"), ("finished", "1o")]
    finished = rig.receiver.infos()[-1]
    assert set(finished) == FINISHED_KEYS
    assert finished["reason"] == "Originate leg disconnected"
    assert finished["duration"] == 0
    assert finished["callee"] == PARKED_CALLEE
    with pytest.raises(CallError):
        await rig.sim.answer(call_id)
    assert call_id not in rig.sim.engine.calls


async def test_a_parked_call_is_not_answered(rig: Rig) -> None:
    await _park(rig)
    (call_id,) = rig.sim.engine.calls
    with pytest.raises(CallError):
        await rig.sim.answer(call_id)


# --- ring groups ----------------------------------------------------------------------


async def _ring_group(rig: Rig, *, by_route: bool) -> str:
    """MAIN rings at the reception (`~2o`) and at Ivan's (`~3o`)."""
    rig.sim.scenario.ring_timeout = 30
    if by_route:
        rig.sim.scenario.routes[MAIN] = [RECEPTION, IVAN]
        call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    else:
        call_id = await rig.sim.start_incoming_call(
            CALLER, MAIN, workplace=[RECEPTION, IVAN]
        )
    await rig.settle()
    return call_id


@pytest.mark.parametrize("by_route", [True, False], ids=["route", "argument"])
async def test_ring_group_answered(
    vrig: Rig,
    variants: frozenset[Variant],
    by_route: bool,
) -> None:
    rig = vrig
    call_id = await _ring_group(rig, by_route=by_route)
    assert rig.receiver.states() == _start(variants, "2o", "3o")
    shown = rig.receiver.infos()[-2:]
    _workplace_callee(shown[0], RECEPTION, MAIN)
    _workplace_callee(shown[1], IVAN, MAIN)
    assert shown[0]["call"]["tag"] != shown[1]["call"]["tag"]
    assert shown[0]["transportId"] == shown[1]["transportId"]
    await rig.sim.answer(call_id, IVAN)
    await rig.settle()
    with pytest.raises(CallError):
        await rig.sim.answer(call_id, RECEPTION)  # it no longer rings there
    await rig.sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants, "2o", "3o"),
        ("connected", "3o"),
        *_if(R in variants, ("hiding", "2o")),
        ("finished", "3o"),
        ("recorded", "3o"),
    ]
    assert rig.receiver.infos()[-1]["accountId"] == IVAN


async def test_ring_group_first_leg_answers(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id = await _ring_group(rig, by_route=True)
    await rig.sim.answer(call_id)  # no workplace named: the first ringing leg
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants, "2o", "3o"),
        ("connected", "2o"),
        *_if(R in variants, ("hiding", "3o")),
        ("finished", "2o"),
        ("recorded", "2o"),
    ]


async def test_ring_group_nobody_answers(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    rig.sim.scenario.routes[MAIN] = [RECEPTION, IVAN]  # ring timeout: 0.3 s
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.until(lambda: _pushed(rig.receiver, "finished"))
    await asyncio.sleep(0.05)
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants, "2o", "3o"),
        *_if(R in variants, ("hiding", "2o")),
        *_if(H in variants, ("hiding", "3o")),
        ("finished", "3o"),
    ]
    assert rig.receiver.infos()[-1]["reason"] == "Originate leg disconnected"
    assert call_id not in rig.sim.engine.calls


async def test_ring_group_caller_hangs_up(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id = await _ring_group(rig, by_route=False)
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants, "2o", "3o"),
        *_if(R in variants, ("hiding", "2o")),
        *_if(H in variants, ("hiding", "3o")),
        ("finished", "3o"),
    ]
    finished = rig.receiver.infos()[-1]
    assert (finished["duration"], finished["reason"]) == (
        0,
        "Originate leg disconnected",
    )
    _workplace_callee(finished, IVAN, MAIN)


async def test_ring_group_after_parking(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    rig.sim.scenario.routes[MAIN] = [RECEPTION, IVAN]
    leg = await _park(rig)
    status, _ = await rig.call("terminateCall", leg)
    assert status == 200
    await rig.settle()
    assert rig.receiver.states() == [
        *_parked_moves_on(variants),
        ("showing", "3o"),
    ]


# --- transfers and terminations of workplace legs ------------------------------------


async def _ringing(rig: Rig, *, answer: bool) -> tuple[str, dict[str, Any]]:
    rig.sim.scenario.ring_timeout = 30
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    if answer:
        await rig.sim.answer(call_id, RECEPTION)
    await rig.settle()
    info = rig.receiver.infos()[-1]
    return call_id, {
        "call": {"id": info["call"]["id"], "tag": info["call"]["tag"]},
        "transportId": info["transportId"],
    }


async def test_transfer_of_an_answered_call(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id, leg = await _ringing(rig, answer=True)
    status, _ = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert status == 200
    await rig.settle()
    transferred = [
        *_start(variants),
        ("connected", "2o"),
        ("hiding", "2o"),
        ("showing", "3o"),
    ]
    assert rig.receiver.states() == transferred
    _workplace_callee(rig.receiver.infos()[-1], IVAN, MAIN)
    with pytest.raises(CallError):
        await rig.sim.answer(call_id, RECEPTION)  # it rings at Ivan's now
    await rig.sim.answer(call_id, IVAN)
    rig.sim.engine.calls[call_id].answered_at = time.monotonic() - 2.2
    await rig.sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.states() == [
        *transferred,
        ("connected", "3o"),
        ("finished", "3o"),
        ("recorded", "3o"),
    ]
    assert rig.receiver.infos()[-2]["duration"] == 2
    assert rig.receiver.infos()[-1]["accountId"] == IVAN


async def test_transfer_of_an_unanswered_call(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id, leg = await _ringing(rig, answer=False)
    status, _ = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert status == 200
    await rig.settle()
    transferred = [*_start(variants), ("hiding", "2o"), ("showing", "3o")]
    assert rig.receiver.states() == transferred
    # the old leg is gone
    status, _ = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert status == 400
    assert call_id in rig.sim.engine.calls
    await rig.sim.hang_up(call_id, "caller")
    await rig.settle()
    assert rig.receiver.states() == [
        *transferred,
        *_if(H in variants, ("hiding", "3o")),
        ("finished", "3o"),
    ]


async def test_transferred_call_nobody_answers(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id, leg = await _ringing(rig, answer=False)
    rig.sim.scenario.ring_timeout = 0.3  # the new leg's timer
    status, _ = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert status == 200
    await rig.until(lambda: _pushed(rig.receiver, "finished"))
    assert rig.receiver.states() == [
        *_start(variants),
        ("hiding", "2o"),
        ("showing", "3o"),
        *_if(H in variants, ("hiding", "3o")),
        ("finished", "3o"),
    ]
    assert call_id not in rig.sim.engine.calls


async def test_terminate_of_a_talking_leg_ends_the_call(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id, leg = await _ringing(rig, answer=True)
    status, _ = await rig.call("terminateCall", leg)
    assert status == 200
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants),
        ("connected", "2o"),
        ("finished", "2o"),
        ("recorded", "2o"),
    ]
    assert rig.receiver.infos()[-2]["reason"] == "Answer leg disconnected"
    assert call_id not in rig.sim.engine.calls


async def test_terminate_of_a_ringing_leg_ends_the_call(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    call_id, leg = await _ringing(rig, answer=False)
    status, _ = await rig.call("terminateCall", leg)
    assert status == 200
    await rig.settle()
    assert rig.receiver.states() == [
        *_start(variants),
        *_if(H in variants, ("hiding", "2o")),
        ("finished", "2o"),
    ]
    assert rig.receiver.infos()[-1]["reason"] == "Answer leg disconnected"
    assert call_id not in rig.sim.engine.calls


async def test_the_parking_leg_of_a_call_without_parking_is_not_active(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    await _ringing(rig, answer=False)
    if N in variants:
        return
    first = rig.receiver.infos()[0]
    leg = {"call": first["call"], "transportId": first["transportId"]}
    status, _ = await rig.call("terminateCall", leg)
    assert status == 400
    status, _ = await rig.call("transferCall", {**leg, "calleeId": IVAN})
    assert status == 400
    await rig.settle()
    assert rig.receiver.states() == _start(variants)


async def test_answer_at_the_wrong_workplace_is_refused(rig: Rig) -> None:
    call_id, _ = await _ringing(rig, answer=False)
    with pytest.raises(CallError):
        await rig.sim.answer(call_id, IVAN)
    await rig.sim.answer(call_id, RECEPTION)
    with pytest.raises(CallError):
        await rig.sim.answer(call_id)  # already talking
    with pytest.raises(CallError):
        await rig.sim.hang_up(call_id, "nobody")
    with pytest.raises(CallError):
        await rig.sim.answer("no-such-call")


# --- outgoing -------------------------------------------------------------------------


async def test_outgoing_call_through_make_call(vrig: Rig) -> None:
    rig = vrig
    status, body = await rig.call(
        "makeCall", {"callerId": IVAN, "calleeId": "89219462761"}
    )
    assert status == 200
    call_id = body["result"]["call"]["id"]
    await rig.settle()
    assert [i["state"] for i in rig.receiver.infos()] == ["trying", "showing"]
    await rig.sim.answer(call_id)
    await rig.sim.hang_up(call_id, "callee")
    await rig.settle()
    infos = rig.receiver.infos()
    assert [i["state"] for i in infos] == [
        "trying",
        "showing",
        "connected",
        "finished",
        "recorded",
    ]
    caller = {
        "accountId": IVAN,
        "centrexId": "67821426",
        "displayId": MAIN,
        "forwarderList": [],
        "id": MAIN,
    }
    for info in infos[:4]:
        assert info["call"]["id"] == call_id  # one id through all states
        assert OUTGOING_ID.fullmatch(info["call"]["id"])
        assert re.fullmatch(r"sd[0-9a-z]{6}-\d+", info["call"]["tag"])
        assert info["call"]["tag"] == infos[0]["call"]["tag"]
        assert info["caller"] == caller
        assert info["type"] == "outgoing"
    for info in infos[:2]:
        assert set(info) == LIVE_KEYS
        assert info["callee"] == {
            "displayId": "+79219462761",
            "forwarderList": [],
            "id": "+79219462761",
        }
    for info in infos[2:4]:
        assert info["callee"] == {
            "displayId": "79219462761",
            "forwarderList": [],
            "id": "79219462761",
        }
    assert set(infos[2]) == LIVE_KEYS
    assert set(infos[3]) == FINISHED_KEYS
    assert infos[3]["reason"] == "Originate leg disconnected"  # documented
    assert infos[4] == {
        "accountId": IVAN,
        "call": {"id": call_id},
        "state": "recorded",
        "urlRecord": infos[4]["urlRecord"],
    }


async def test_outgoing_workplace_hangs_up(rig: Rig) -> None:
    _, body = await rig.call("makeCall", {"callerId": IVAN, "calleeId": "100"})
    call_id = body["result"]["call"]["id"]
    await rig.sim.answer(call_id)
    await rig.sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.infos()[0]["callee"]["id"] == "100"
    assert rig.receiver.infos()[-2]["reason"] == "Answer leg disconnected"


async def test_outgoing_unanswered_is_dropped_after_the_answer_timeout(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    _, body = await rig.call(
        "makeCall", {"callerId": RECEPTION, "calleeId": "+79219462761"}
    )
    call_id = body["result"]["call"]["id"]
    await rig.until(lambda: _pushed(rig.receiver, "finished"))
    await asyncio.sleep(0.05)
    await rig.settle()
    assert rig.receiver.states() == [
        ("trying", call_id),
        ("showing", call_id),
        *_if(H in variants, ("hiding", call_id)),
        ("finished", call_id),
    ]
    finished = rig.receiver.infos()[-1]
    assert (finished["duration"], finished["reason"]) == (0, "Answer leg disconnected")
    assert call_id not in rig.sim.engine.calls
    with pytest.raises(CallError):
        await rig.sim.answer(call_id)


async def test_outgoing_callee_gives_up_before_the_answer(
    vrig: Rig, variants: frozenset[Variant]
) -> None:
    rig = vrig
    rig.sim.scenario.answer_timeout = 30
    _, body = await rig.call("makeCall", {"callerId": IVAN, "calleeId": "100"})
    call_id = body["result"]["call"]["id"]
    await rig.sim.hang_up(call_id, "workplace")
    await rig.settle()
    assert rig.receiver.states() == [
        ("trying", call_id),
        ("showing", call_id),
        *_if(H in variants, ("hiding", call_id)),
        ("finished", call_id),
    ]
    assert rig.receiver.infos()[-1]["reason"] == "Answer leg disconnected"


@pytest.mark.parametrize(
    ("dialled", "shown"),
    [
        ("89219462761", "+79219462761"),
        ("79219462761", "+79219462761"),
        ("9219462761", "+79219462761"),
        ("+79219462761", "+79219462761"),
        ("+442071234567", "+442071234567"),
        ("442071234567", "442071234567"),
        ("100", "100"),
        ("883140777716581", "883140777716581"),
    ],
)
def test_dialled_number_forms(dialled: str, shown: str) -> None:
    assert dialled_form(dialled) == shown


async def test_every_registered_client_gets_every_push(
    rig: Rig, second_receiver: Receiver
) -> None:
    rig.sim.register_client(second_receiver.url)
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.sim.hang_up(call_id)
    await rig.settle()
    assert len(rig.receiver.pushes) == 3  # trying `~1o`, showing and finished `~2o`
    assert second_receiver.pushes == rig.receiver.pushes
    urls = {p.url for p in rig.sim.pushes}
    assert urls == {rig.receiver.url + "/events", second_receiver.url + "/events"}


async def test_failed_pushes_are_logged(rig: Rig) -> None:
    rig.receiver.status = 500
    dead = rig.sim.register_client("http://127.0.0.1:9/nothing")
    await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.settle()
    to_receiver = [p for p in rig.sim.pushes if p.url.startswith(rig.receiver.url)]
    to_dead = [p for p in rig.sim.pushes if p.url.startswith(dead.redirect_uri)]
    assert [p.status for p in to_receiver] == [500, 500]
    assert all(p.error is None for p in to_receiver)
    assert len(to_dead) == 2
    assert all(p.status is None and p.error for p in to_dead)
    assert [p.body["result"]["callInfo"]["state"] for p in to_dead] == [
        "trying",
        "showing",
    ]
    assert len(rig.receiver.pushes) == 2  # the receiver got them all the same


async def test_pushes_do_not_hold_up_the_api(rig: Rig) -> None:
    rig.sim.faults.push.delay = 0.25
    rig.sim.scenario.answer_timeout = 30
    started = time.monotonic()
    status, _ = await rig.call("makeCall", {"callerId": IVAN, "calleeId": "100"})
    assert status == 200
    assert time.monotonic() - started < 0.2
    assert rig.receiver.pushes == []
    await rig.settle()
    assert len(rig.receiver.pushes) == 2


async def test_directory_changes_are_pushed(rig: Rig) -> None:
    await rig.sim.edit_directory({"external_numbers": [{"number": "74950000000"}]})
    await rig.sim.edit_directory(
        {"workplaces": [{"workplace": "883140000000001", "name": "Склад"}]}
    )
    await rig.sim.edit_directory({"terminals": []})
    await rig.settle()
    assert rig.receiver.pushes == [
        {"event": "vpbxNotifications", "result": {"eventType": "numbersChanged"}},
        {"event": "vpbxNotifications", "result": {"eventType": "workplacesChanged"}},
        {"event": "vpbxNotifications", "result": {"eventType": "workplacesChanged"}},
    ]
    _, numbers = await rig.api("GET", "/externalNumbersInfo")
    assert numbers == {
        "result": {"total": 1, "numbersList": [{"number": "74950000000", "type": None}]}
    }
    _, workplaces = await rig.api("GET", "/workPlacesInfo")
    assert workplaces["result"]["workplacesList"] == [
        {"workplace": "883140000000001", "name": "Склад"}
    ]
    _, terminals = await rig.api("GET", "/terminalsInfo")
    assert terminals == {"result": {"total": 0, "terminals_list": []}}
