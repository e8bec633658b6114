"""Live calls: pushes over real HTTP become entities, events and logbook lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
import itertools
import json
import random
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, HomeAssistant
import pytest

from custom_components.mtt_business.api.models import (
    CallState,
    Leg,
    PbxDirectory,
    Workplace,
)
from custom_components.mtt_business.calls.tracker import TrackedCall
from custom_components.mtt_business.calls.view import CallView

from .conftest import (
    HomeAssistantServer,
    SimulatorServer,
    async_settle,
    collect_call_events,
)

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
PBX_EVENT = "event.mtt_business_7_499_649_78_03_call"
RECEPTION_STATE = "sensor.resepshn_call_state"
IVAN_STATE = "sensor.menedzher_ivan_call_state"


@pytest.fixture
def call_events(hass: HomeAssistant) -> list[Event]:
    """Every `mtt_business_call` event fired."""
    return collect_call_events(hass)


async def test_incoming_call_answered(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    call_events: list[Event],
) -> None:
    """Ringing, talking, finished: the dashboard follows each step."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(ACTIVE).state == "1"
    calls = hass.states.get(ACTIVE).attributes["calls"]
    assert calls[0]["caller"] == "+79161234567"
    assert calls[0]["direction"] == "incoming"
    assert set(calls[0]) == {
        "direction",
        "caller",
        "callee",
        "caller_name",
        "callee_name",
        "state",
        "workplace",
        "workplace_name",
        "started",
        "caller_display",
        "caller_number",
        "callee_display",
        "callee_number",
    }
    assert calls[0]["caller_display"] == "+7 916 123-45-67"
    reception = hass.states.get(RECEPTION_STATE)
    assert reception.state == "ringing"
    assert reception.attributes["peer"] == "+79161234567"
    assert hass.states.get(IVAN_STATE).state == "idle"

    await sim.answer(call_id)
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(RECEPTION_STATE).state == "talking"
    talking = hass.states.get(ACTIVE).attributes["calls"][0]
    assert talking["workplace"] == RECEPTION
    assert talking["workplace_name"] == "Ресепшн"
    assert (
        hass.states.get("event.resepshn_call").attributes["event_type"] == "connected"
    )

    last_before = hass.states.get(LAST).state
    await sim.hang_up(call_id, "workplace")
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    last = hass.states.get(LAST)
    assert last.state != last_before
    assert last.attributes["missed"] is False
    assert last.attributes["caller"] == "+79161234567"

    states = [e.data["state"] for e in call_events]
    assert states[:4] == ["trying", "showing", "connected", "finished"]
    assert states[-1] == "recorded"
    assert {e.data["call_id"] for e in call_events} == {call_id}
    finished = call_events[3].data
    assert finished["workplace"] == RECEPTION
    assert finished["workplace_name"] == "Ресепшн"
    assert finished["reason"] == "Answer leg disconnected"
    record_url = call_events[-1].data["record_url"]
    assert record_url.endswith(".mp3")
    assert hass.states.get(PBX_EVENT).attributes["event_type"] == "recorded"


async def test_incoming_call_missed(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    call_events: list[Event],
) -> None:
    """A call that nobody answers is missed, once."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("89161234567", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    last_before = hass.states.get(LAST).state
    await sim.hang_up(call_id)
    await async_settle(hass, simulator, rounds=1)
    missed = [e for e in call_events if e.data["missed"]]
    assert len(missed) == 1
    assert missed[0].data["caller"] == "+79161234567"
    assert hass.states.get(LAST).attributes["missed"] is True
    assert hass.states.get(LAST).state != last_before
    assert hass.states.get(PBX_EVENT).attributes["event_type"] == "missed"
    assert hass.states.get(RECEPTION_STATE).state == "idle"


async def test_outgoing_call_through_make_call(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    call_events: list[Event],
) -> None:
    """makeCall rings the workplace first (dialing), then talks, then ends."""
    client = config_entry.runtime_data.client
    call_id = await client.make_call(IVAN, "89219462761")
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(IVAN_STATE).state == "dialing"
    assert hass.states.get(IVAN_STATE).attributes["peer"] == "+79219462761"
    await simulator.simulator.answer(call_id)
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(IVAN_STATE).state == "talking"
    await simulator.simulator.hang_up(call_id, "callee")
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(IVAN_STATE).state == "idle"
    assert [e.data["direction"] for e in call_events] == ["outgoing"] * len(call_events)
    assert not any(e.data["missed"] for e in call_events)


async def test_transfer_between_workplaces(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """A transfer stops the ringing at one workplace and starts it at another."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    tracked = config_entry.runtime_data.call_monitor.tracker.call(call_id)
    assert tracked is not None
    await config_entry.runtime_data.client.transfer_call(
        tracked.leg, tracked.transport_id or "", IVAN
    )
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    assert hass.states.get(IVAN_STATE).state == "ringing"
    await sim.answer(call_id, IVAN)
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(IVAN_STATE).state == "talking"
    assert hass.states.get(ACTIVE).state == "1"


async def test_directory_change_is_pushed(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """A workplace added or removed in the portal appears or disappears at once."""
    sim = simulator.simulator
    directory = sim.directory()
    await sim.edit_directory(
        {
            "workplaces": [
                *directory["workplaces"][1:],
                {"workplace": "883140777000001", "name": "Склад"},
            ]
        }
    )
    await async_settle(hass, simulator, rounds=1)
    for _ in range(20):
        if hass.states.get("sensor.sklad_call_state") is not None:
            break
        await asyncio.sleep(0.05)
        await hass.async_block_till_done()
    assert hass.states.get("sensor.sklad_call_state").state == "idle"
    assert hass.states.get(RECEPTION_STATE) is None or (
        hass.states.get(RECEPTION_STATE).state == "unavailable"
    )


# --- the documented examples, in any order ---------------------------------------

INCOMING = {
    "call": {
        "id": "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7~1o",
        "tag": "hswdfry52vmykfla____.o",
    },
    "callee": {
        "accountId": "74996497803",
        "centrexId": "67821426",
        "displayId": "74996497803",
        "displayName": "",
        "forwarderList": [],
        "id": "74996497803",
    },
    "caller": {
        "accountId": "78124241500@pstn",
        "displayId": "78124241500",
        "forwarderList": [],
        "id": "78124241500",
    },
    "startTime": "2020-06-02 11:18:16",
    "state": "trying",
    "transportId": "10.133.33.136:5073",
    "type": "incoming",
}
INCOMING_FINISHED = {
    "call": {
        "id": "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7~2o",
        "tag": "hswddry52ykfcb2a____.o",
    },
    "callee": {
        "accountId": "883140777828305",
        "centrexId": "67821426",
        "displayId": "883140777828305",
        "display_name": "74996497803",
        "extensionId": "",
        "forwarderList": [
            {"id": "an_prd100275045-3881851"},
            {"id": "scheme_prd100275045-3885981"},
        ],
        "id": "883140777828305",
    },
    "caller": {
        "accountId": "78124241500@pstn",
        "displayId": "78124241500",
        "forwarderList": [],
        "id": "78124241500",
    },
    "duration": 4,
    "reason": "Answer leg disconnected",
    "reasonCode": None,
    "state": "finished",
    "transportId": "10.133.33.136:5073",
    "type": "incoming",
}
OUTGOING = {
    "call": {
        "id": "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
        "tag": "sdfe2n901-281028329",
    },
    "callee": {"displayId": "+79219462761", "forwarderList": [], "id": "+79219462761"},
    "caller": {
        "accountId": "883140582526566",
        "centrexId": "48212857",
        "displayId": "78005560251",
        "forwarderList": [],
        "id": "78005560251",
    },
    "startTime": "2020-06-24 15:01:45",
    "state": "trying",
    "transportId": "10.133.51.137:5070",
    "type": "outgoing",
}


def _workplace_leg(state: str) -> dict[str, Any]:
    """The documented `~2o` leg (from the finished example) in another state."""
    leg = {
        key: value
        for key, value in INCOMING_FINISHED.items()
        if key not in ("duration", "reason", "reasonCode")
    }
    return {**leg, "state": state, "startTime": INCOMING["startTime"]}


def _documented_incoming() -> list[dict[str, Any]]:
    """trying on the parking leg `~1o`, then `~2o` showing / connected / finished."""
    return [
        INCOMING,
        _workplace_leg("showing"),
        _workplace_leg("connected"),
        INCOMING_FINISHED,
    ]


def _push(info: dict[str, Any]) -> dict[str, Any]:
    return {"event": "callNotifications", "result": {"callInfo": info}}


async def test_documented_incoming_call_ends(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    call_events: list[Event],
) -> None:
    """No push ends the parking leg `~1o`: the call still ends with `finished`."""
    for info in _documented_incoming()[:3]:
        response = await ha_server.client.post(ha_server.events_path, json=_push(info))
        assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"
    assert hass.states.get(IVAN_STATE).state == "talking"
    last_before = hass.states.get(LAST).state

    response = await ha_server.client.post(
        ha_server.events_path, json=_push(INCOMING_FINISHED)
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get(IVAN_STATE).state == "idle"
    last = hass.states.get(LAST)
    assert last.state != last_before
    assert last.attributes["missed"] is False
    assert last.attributes["duration"] == 4
    assert [e.data["state"] for e in call_events] == [
        "trying",
        "showing",
        "connected",
        "finished",
    ]
    assert call_events[-1].data["workplace_name"] == "Менеджер Иван"


async def test_documented_missed_call_is_missed(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    call_events: list[Event],
) -> None:
    """`~2o` showing → hiding → finished (0 s) after the parking leg: one missed call."""
    finished = {
        **INCOMING_FINISHED,
        "duration": 0,
        "reason": "Originate leg disconnected",
    }
    for info in (
        INCOMING,
        _workplace_leg("showing"),
        _workplace_leg("hiding"),
        finished,
    ):
        response = await ha_server.client.post(ha_server.events_path, json=_push(info))
        assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get(IVAN_STATE).state == "idle"
    assert [e.data["missed"] for e in call_events] == [False, False, False, True]
    assert hass.states.get(PBX_EVENT).attributes["event_type"] == "missed"
    assert hass.states.get(LAST).attributes["missed"] is True


async def test_finished_of_a_call_never_seen_to_start(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    call_events: list[Event],
) -> None:
    """After a restart: a `finished` alone is announced, changes nothing, is not missed."""
    watched = (ACTIVE, LAST, PBX_EVENT, IVAN_STATE, "event.menedzher_ivan_call")
    before = {entity: hass.states.get(entity) for entity in watched}
    response = await ha_server.client.post(
        ha_server.events_path,
        json=_push({**INCOMING_FINISHED, "duration": 0}),
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert len(call_events) == 1
    data = call_events[0].data
    assert data["state"] == "finished"
    assert data["seen_start"] is False
    assert data["missed"] is False
    assert data["workplace"] == IVAN
    for entity, state in before.items():
        assert hass.states.get(entity) == state, entity
    # the parking leg's `trying`, arriving late, does not bring the call back
    await ha_server.client.post(ha_server.events_path, json=_push(INCOMING))
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    assert len(call_events) == 1


def _documented() -> list[dict[str, Any]]:
    out = [
        {**OUTGOING, "state": state}
        for state in ("trying", "showing", "connected", "hiding")
    ]
    out.append(
        {
            **OUTGOING,
            "state": "finished",
            "duration": 3,
            "reason": "Originate leg disconnected",
            "reasonCode": None,
        }
    )
    incoming = _documented_incoming()
    recorded = {
        "accountId": "883140777446532",
        "call": {"id": "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1"},
        "state": "recorded",
        "urlRecord": "https://example.com/rec/file.mp3",
    }
    return [
        {"event": "callNotifications", "result": {"callInfo": info}}
        for info in [*incoming, *out, recorded]
    ]


async def _final_state(
    hass: HomeAssistant, ha: HomeAssistantServer, bodies: list[dict[str, Any]]
) -> tuple[str, ...]:
    for body in bodies:
        response = await ha.client.post(ha.events_path, json=body)
        assert response.status == 200
    await hass.async_block_till_done()
    return tuple(
        hass.states.get(entity).state
        for entity in (
            ACTIVE,
            RECEPTION_STATE,
            IVAN_STATE,
            "sensor.883140582526566_call_state",
        )
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
async def test_documented_examples_in_any_order(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    seed: int,
) -> None:
    """Replayed in order, shuffled or duplicated: the same final state."""
    bodies = _documented()
    shuffled = random.Random(seed).sample(bodies * 2, len(bodies) * 2)
    assert await _final_state(hass, ha_server, shuffled) == (
        "0",
        "idle",
        "idle",
        "idle",
    )


async def test_documented_examples_in_order(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    call_events: list[Event],
) -> None:
    """In order: every push understood, the outgoing call ends and is recorded."""
    assert await _final_state(hass, ha_server, _documented()) == (
        "0",
        "idle",
        "idle",
        "idle",
    )
    outgoing = [e.data for e in call_events if e.data["direction"] == "outgoing"]
    assert [e["state"] for e in outgoing][:5] == [
        "trying",
        "showing",
        "connected",
        "hiding",
        "finished",
    ]
    assert outgoing[0]["workplace"] == "883140582526566"
    assert outgoing[0]["callee"] == "+79219462761"
    recorded = [e for e in call_events if e.data["state"] == "recorded"]
    assert recorded[0].data["record_url"] == "https://example.com/rec/file.mp3"


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 400),
        (b'"text"', 400),
        (json.dumps({"result": {}}).encode(), 400),
        (json.dumps({"event": "callNotifications", "result": {}}).encode(), 400),
        (
            json.dumps(
                {
                    "event": "callNotifications",
                    "result": {"callInfo": {"state": "trying"}},
                }
            ).encode(),
            400,
        ),
        (
            json.dumps(
                {
                    "event": "callNotifications",
                    "result": {"callInfo": {"call": {"id": 5}, "state": "trying"}},
                }
            ).encode(),
            400,
        ),
        (
            json.dumps(
                {
                    "event": "callNotifications",
                    "result": {"callInfo": {"call": {"id": "x"}}},
                }
            ).encode(),
            400,
        ),
        (
            json.dumps(
                {
                    "event": "callNotifications",
                    "result": {"callInfo": {"call": {"id": "x"}, "state": "exploded"}},
                }
            ).encode(),
            400,
        ),
        (json.dumps({"event": "somethingNew", "result": {}}).encode(), 200),
        (
            json.dumps(
                {
                    "event": "vpbxNotifications",
                    "result": {" eventType ": "workplacesChanged"},
                }
            ).encode(),
            200,
        ),
        (
            json.dumps(
                {"event": "vpbxNotifications", "result": {"eventType": "mystery"}}
            ).encode(),
            200,
        ),
        (b"x" * (64 * 1024 + 1), 413),
    ],
)
async def test_bad_pushes_are_rejected_without_losing_state(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    body: bytes,
    status: int,
) -> None:
    """Each bad push gets its answer; a call in progress is untouched."""
    call_id = await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    response = await ha_server.client.post(ha_server.events_path, data=body)
    assert response.status == status
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"
    assert hass.states.get(RECEPTION_STATE).state == "ringing"
    assert config_entry.runtime_data.call_monitor.tracker.call(call_id) is not None


async def test_webhook_url_and_wrong_secret(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
) -> None:
    """The webhook URL of the same secret works; a wrong secret is unknown."""
    secret = ha_server.redirect_uri.rsplit("/", 1)[1]
    body = {"event": "callNotifications", "result": {"callInfo": INCOMING}}
    response = await ha_server.client.post(f"/api/webhook/{secret}", json=body)
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"
    wrong = await ha_server.client.post("/api/mtt_business/wrong/events", json=body)
    assert wrong.status == 404
    get = await ha_server.client.get(ha_server.events_path)
    assert get.status == 405


async def test_pushes_for_another_account_are_ignored(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    call_events: list[Event],
) -> None:
    """A call that touches none of the entry's numbers or workplaces is not ours."""
    other = {
        **INCOMING,
        "callee": {
            **INCOMING["callee"],
            "accountId": "74950000000",
            "id": "74950000000",
            "displayId": "74950000000",
        },
    }
    response = await ha_server.client.post(
        ha_server.events_path,
        json={"event": "callNotifications", "result": {"callInfo": other}},
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert call_events == []
    assert hass.states.get(ACTIVE).state == "0"
    # the same push for the entry's own number is taken
    response = await ha_server.client.post(
        ha_server.events_path,
        json={"event": "callNotifications", "result": {"callInfo": INCOMING}},
    )
    await hass.async_block_till_done()
    assert [e.data["state"] for e in call_events] == ["trying"]
    assert hass.states.get(ACTIVE).state == "1"


async def test_faulty_push_delivery(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """Duplicated and reordered pushes from the simulator end in the same state."""
    sim = simulator.simulator
    sim.faults.push.duplicate = True
    sim.faults.push.reorder = True
    for caller in itertools.islice(itertools.count(79161234500), 3):
        call_id = await sim.start_incoming_call(str(caller), EXTERNAL)
        await sim.wait_pushed()
        await sim.answer(call_id)
        await sim.hang_up(call_id)
    sim.faults.clear()
    await sim.start_incoming_call("79160000000", EXTERNAL)  # flushes a held push
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get(ACTIVE).state == "1"


async def _in_pieces(body: bytes, size: int) -> AsyncIterator[bytes]:
    """A body sent chunked, piece by piece, as a slow or proxied sender does."""
    for start in range(0, len(body), size):
        yield body[start : start + size]
        await asyncio.sleep(0.01)


async def test_push_arriving_in_pieces(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
) -> None:
    """A push whose body comes in several pieces is read whole; a long one is 413."""
    body = json.dumps(
        {"event": "callNotifications", "result": {"callInfo": INCOMING}}
    ).encode()
    response = await ha_server.client.post(
        ha_server.events_path, data=_in_pieces(body, 50)
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"

    oversized = b" " * (64 * 1024) + body  # valid JSON, but too long
    response = await ha_server.client.post(
        ha_server.events_path, data=_in_pieces(oversized, 16 * 1024)
    )
    assert response.status == 413


def test_listed_calls_name_the_workplace() -> None:
    """The workplace's name from the directory; its SIP ID when none is known."""
    directory = PbxDirectory(
        workplaces=(Workplace("111", "Ресепшн"), Workplace("222", "")),
    )
    started = datetime(2026, 1, 1, tzinfo=UTC)

    def listed(workplace: str | None) -> Any:
        known = directory.workplace(workplace) if workplace else None
        call = TrackedCall(
            "c1",
            None,
            "+79161234567",
            "+74996497803",
            CallState.SHOWING,
            workplace,
            started,
            False,
            Leg("c1~1o", None),
            None,
        )
        name = known.display_name if known else None
        return CallView.of_call("entry", call, name).listing()["workplace_name"]

    assert listed("111") == "Ресепшн"
    assert listed("222") == "222"
    assert listed("333") == "333"
    assert listed(None) is None
