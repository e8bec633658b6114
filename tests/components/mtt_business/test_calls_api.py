"""The calls card's subscription: the picture at once, after each change, and no more.

`mtt_business/calls/subscribe` over Home Assistant's websocket, with the calls made
by the simulator over real HTTP, as the card in a browser receives them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    MockHAClientWebSocket,
    WebSocketGenerator,
)

from custom_components.mtt_business.calls_api import SNAPSHOT_COOLDOWN

from .conftest import HomeAssistantServer, SimulatorServer, reception_push

RECEPTION = "883140777716581"
IVAN = "883140777828305"
UNNAMED = "883140582526566"
EXTERNAL = "74996497803"
CALLER = "+79161234567"


async def _subscribe(
    ws: MockHAClientWebSocket, **fields: Any
) -> tuple[int, dict[str, Any]]:
    """Subscribe; returns the subscription's id and the first picture."""
    await ws.send_json_auto_id({"type": "mtt_business/calls/subscribe", **fields})
    result = await ws.receive_json()
    assert result["success"], result
    first = await ws.receive_json()
    assert first["id"] == result["id"]
    assert first["type"] == "event"
    return int(result["id"]), first["event"]


async def _picture_until(ws: MockHAClientWebSocket, done: Any) -> dict[str, Any]:
    """The pictures sent until one satisfies `done` (within 10 s); returns it."""
    async with asyncio.timeout(10):
        while True:
            message = await ws.receive_json()
            assert message["type"] == "event", message
            if done(message["event"]):
                return dict(message["event"])


def _workplaces(picture: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (entry,) = picture["entries"]
    return {w["sip_id"]: w for w in entry["workplaces"]}


async def test_picture_at_subscribe(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """At once: the PBX's title, its workplaces (all free), no calls."""
    ws = await hass_ws_client(hass)
    _, picture = await _subscribe(ws)
    assert picture == {
        "entries": [
            {
                "entry_id": config_entry.entry_id,
                "title": config_entry.title,
                "workplaces": [
                    {
                        "sip_id": RECEPTION,
                        "name": "Ресепшн",
                        "state": "idle",
                        "peer": None,
                        "peer_display": None,
                        "since": None,
                    },
                    {
                        "sip_id": IVAN,
                        "name": "Менеджер Иван",
                        "state": "idle",
                        "peer": None,
                        "peer_display": None,
                        "since": None,
                    },
                    # A workplace without a name in the portal is named by its SIP ID.
                    {
                        "sip_id": UNNAMED,
                        "name": UNNAMED,
                        "state": "idle",
                        "peer": None,
                        "peer_display": None,
                        "since": None,
                    },
                ],
                "calls": [],
                "active_calls": 0,
                # The signed-in user's person has no workplace (test_people.py).
                "my_workplace": None,
                "call_backs": [],
                "open_call_backs": 0,
            }
        ]
    }
    # The same picture for the entry by its id.
    _, by_id = await _subscribe(ws, entry_id=config_entry.entry_id)
    assert by_id == picture


async def test_a_call_appears_moves_and_ends(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An incoming call rings at the reception, is answered, transferred, ends."""
    ws = await hass_ws_client(hass)
    await _subscribe(ws)
    sim = simulator.simulator

    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    ringing = await _picture_until(
        ws, lambda p: _workplaces(p)[RECEPTION]["state"] == "ringing"
    )
    (call,) = ringing["entries"][0]["calls"]
    assert call == {
        "call_id": call_id,
        "direction": "incoming",
        "caller": CALLER,
        "callee": call["callee"],
        "caller_name": None,
        "callee_name": None,
        "state": "showing",
        "workplace": RECEPTION,
        "workplace_name": "Ресепшн",
        "started": call["started"],
        # As people read them: the card shows these, formats nothing itself.
        "caller_display": "+7 916 123-45-67",
        "caller_number": "+7 916 123-45-67",
        "callee_display": "+7 499 649-78-03",
        "callee_number": "+7 499 649-78-03",
    }
    # A moment the card's timer can count from, wherever the browser is.
    assert datetime.fromisoformat(call["started"]).tzinfo is not None
    reception = _workplaces(ringing)[RECEPTION]
    assert reception["peer"] == CALLER
    assert reception["peer_display"] == "+7 916 123-45-67"
    assert reception["since"] is not None

    await sim.answer(call_id)
    talking = await _picture_until(
        ws, lambda p: _workplaces(p)[RECEPTION]["state"] == "talking"
    )
    assert talking["entries"][0]["calls"][0]["state"] == "connected"

    await hass.services.async_call(
        "mtt_business",
        "transfer_call",
        {"call_id": call_id, "callee_id": IVAN},
        blocking=True,
    )
    moved = await _picture_until(
        ws, lambda p: _workplaces(p)[IVAN]["state"] == "ringing"
    )
    assert _workplaces(moved)[RECEPTION]["state"] == "idle"
    assert moved["entries"][0]["calls"][0]["workplace_name"] == "Менеджер Иван"

    await hass.services.async_call(
        "mtt_business", "terminate_call", {"call_id": call_id}, blocking=True
    )
    ended = await _picture_until(ws, lambda p: not p["entries"][0]["calls"])
    assert {w["state"] for w in _workplaces(ended).values()} == {"idle"}
    assert ended["entries"][0]["active_calls"] == 0


async def test_names_not_sip_ids_and_formatted_numbers(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An outgoing call from a named workplace: the caller is the workplace's name
    (its SIP ID nowhere people read), the number is formatted; a contact of the
    phone book is named, at the call and at the workplace it rings."""
    ws = await hass_ws_client(hass)
    await _subscribe(ws)
    await hass.services.async_call(
        "mtt_business",
        "make_call",
        {"caller_id": RECEPTION, "callee_id": "89161234567"},
        blocking=True,
    )
    dialing = await _picture_until(ws, lambda p: p["entries"][0]["calls"])
    (call,) = dialing["entries"][0]["calls"]
    assert call["caller"] == RECEPTION  # the raw values stay as they were
    assert call["caller_display"] == "Ресепшн"
    assert call["caller_number"] is None
    assert call["callee_display"] == "+7 916 123-45-67"
    assert call["callee_number"] == "+7 916 123-45-67"
    shown = [
        str(value)
        for key, value in call.items()
        if key.endswith(("_display", "_number")) or key == "workplace_name"
    ]
    assert not [text for text in shown if RECEPTION in text or "+7916" in text]
    reception = _workplaces(dialing)[RECEPTION]
    assert reception["peer_display"] == "+7 916 123-45-67"
    await hass.services.async_call(
        "mtt_business", "terminate_call", {"call_id": call["call_id"]}, blocking=True
    )
    await _picture_until(ws, lambda p: not p["entries"][0]["calls"])

    await hass.services.async_call(
        "mtt_business",
        "set_contacts",
        {"contacts": {"8 916 123-45-67": "Иван Петров, ООО Ромашка"}},
        blocking=True,
    )
    await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    ringing = await _picture_until(
        ws, lambda p: _workplaces(p)[RECEPTION]["state"] == "ringing"
    )
    (call,) = ringing["entries"][0]["calls"]
    assert call["caller_display"] == "Иван Петров, ООО Ромашка"
    assert call["caller_number"] == "+7 916 123-45-67"
    assert call["callee_display"] == "+7 499 649-78-03"
    assert _workplaces(ringing)[RECEPTION]["peer_display"] == (
        "Иван Петров, ООО Ромашка"
    )


async def test_unknown_entry_is_refused(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An entry id that is not an MTT Business entry: an error, no subscription."""
    other = MockConfigEntry(domain="demo", title="Other")
    other.add_to_hass(hass)
    ws = await hass_ws_client(hass)
    for entry_id in ("nonexistent", other.entry_id):
        await ws.send_json_auto_id(
            {"type": "mtt_business/calls/subscribe", "entry_id": entry_id}
        )
        answer = await ws.receive_json()
        assert answer["success"] is False
        assert answer["error"]["code"] == "not_found"
        assert answer["error"]["translation_key"] == "unknown_entry"
        assert entry_id in answer["error"]["message"]


async def test_unsubscribe_stops_the_pictures(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """After unsubscribing, a call sends nothing more; a second subscriber still
    gets its pictures."""
    ws = await hass_ws_client(hass)
    other = await hass_ws_client(hass)
    subscription, _ = await _subscribe(ws)
    await _subscribe(other)
    await ws.send_json_auto_id(
        {"type": "unsubscribe_events", "subscription": subscription}
    )
    answer = await ws.receive_json()
    assert answer["success"], answer

    await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    await _picture_until(other, lambda p: p["entries"][0]["calls"])
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1):
            await ws.receive_json()


async def test_unload_and_reload(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """An unloaded entry leaves the picture; loaded again it is back and followed."""
    ws = await hass_ws_client(hass)
    await _subscribe(ws, entry_id=config_entry.entry_id)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    await _picture_until(ws, lambda p: p["entries"] == [])

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await _picture_until(ws, lambda p: len(p["entries"]) == 1)
    await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    picture = await _picture_until(ws, lambda p: p["entries"][0]["calls"])
    assert picture["entries"][0]["calls"][0]["caller"] == CALLER


async def test_a_burst_is_sent_in_steps(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """30 calls ring and end in a burst: the first change at once, then at most a
    picture per cooldown, the last one right."""
    ws = await hass_ws_client(hass)
    await _subscribe(ws)
    events_path = ha_server.events_path
    loop = asyncio.get_running_loop()
    started = loop.time()
    bodies = [reception_push(n, "showing") for n in range(30)]
    bodies += [reception_push(n, "finished") for n in range(30)]
    for body in bodies:
        response = await ha_server.client.post(events_path, json=body)
        assert response.status == 200
    first = await ws.receive_json()
    assert len(first["event"]["entries"][0]["calls"]) == 1
    pictures = 1
    last = first["event"]
    while last["entries"][0]["active_calls"]:
        last = (await ws.receive_json())["event"]
        pictures += 1
    took = loop.time() - started
    assert last["entries"][0]["calls"] == []
    assert pictures <= 2 + took / SNAPSHOT_COOLDOWN
    assert pictures < len(bodies) / 2


async def test_picture_lists_the_open_call_backs(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A missed call: its number to call back, formatted; ticked off: gone."""
    ws = await hass_ws_client(hass)
    await _subscribe(ws)
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await asyncio.sleep(0.4)
    await sim.hang_up(call_id)
    picture = await _picture_until(ws, lambda p: p["entries"][0]["call_backs"])
    (item,) = picture["entries"][0]["call_backs"]
    assert item.pop("uid")
    assert datetime.fromisoformat(item.pop("last")).tzinfo is not None
    assert item == {
        "number": "+79161234567",
        "display": "+7 916 123-45-67",
        "number_display": "+7 916 123-45-67",
        "count": 1,
    }
    assert picture["entries"][0]["open_call_backs"] == 1
    await hass.services.async_call(
        "todo",
        "update_item",
        {
            "entity_id": "todo.mtt_business_7_499_649_78_03_call_back",
            "item": "+7 916 123-45-67",
            "status": "completed",
        },
        blocking=True,
    )
    await _picture_until(ws, lambda p: not p["entries"][0]["call_backs"])
