"""The logbook of a default install: one line per call step, the integration's.

Home Assistant's recorder and logbook are set up as in a default configuration (no
`exclude`), the entities are registered as a fresh install has them
(`default_entities`), and a documented call goes through the simulator over HTTP.
The lines are read as the frontend reads them, with `logbook/get_events`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
import re
from typing import Any

from homeassistant.components.recorder import Recorder
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
import yaml

from custom_components.mtt_business.const import DOMAIN

from .conftest import SimulatorServer, async_settle, collect_call_events

CALLER = "79161234567"
EXTERNAL = "74996497803"
RECEPTION = "883140777716581"
README = Path(__file__).resolve().parents[3] / "README.md"

LINES = [
    "incoming call: +7 916 123-45-67 → +7 499 649-78-03",
    "incoming call: +7 916 123-45-67, ringing at Ресепшн",
    "incoming call: +7 916 123-45-67, answered at Ресепшн",
    "incoming call ended: +7 916 123-45-67, answered at Ресепшн, 0 s",
    "the recording is ready: +7 916 123-45-67 → +7 499 649-78-03",
]
"""The documented call's lines, one per step."""

pytestmark = pytest.mark.default_entities


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first (it must exist before Home Assistant), then our integration."""


@pytest.fixture(autouse=True)
async def logbook(hass: HomeAssistant) -> None:
    """Home Assistant's logbook, configured as a default install has it."""
    assert await async_setup_component(hass, "logbook", {})


async def _lines(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    start: datetime,
    **targets: list[str],
) -> list[dict[str, Any]]:
    """The logbook's lines since `start` (of `entity_ids`/`device_ids`, if given)."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat(), **targets}
    )
    response = await client.receive_json()
    assert response["success"], response
    lines: list[dict[str, Any]] = response["result"]
    return lines


def _text(line: dict[str, Any]) -> str:
    """A line as the frontend writes it: the message, else the entity's new state."""
    return str(line.get("message") or f"{line['entity_id']} → {line.get('state')}")


async def _documented_call(hass: HomeAssistant, simulator: SimulatorServer) -> None:
    """The documentation's incoming call: parked, rings at Reception, answered,
    talks, hung up, recorded."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(CALLER, EXTERNAL)
    await async_settle(hass, simulator)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    await sim.hang_up(call_id, "workplace")
    await async_settle(hass, simulator, rounds=3)


async def test_a_call_is_one_logbook_line_per_step(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Each step of the call is one line, with the names; no entity adds its own
    (Call event entities, Call state, Last call and Last push are disabled by
    default; the counters and Active calls are figures, which the logbook skips)."""
    registry = er.async_get(hass)
    ours = {
        registered.entity_id
        for registered in er.async_entries_for_config_entry(
            registry, config_entry.entry_id
        )
    }
    disabled = {
        registered.entity_id: registered.unique_id.rsplit("_", 1)[1]
        for registered in er.async_entries_for_config_entry(
            registry, config_entry.entry_id
        )
        if registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    }
    # The Call event entities, Call state, Last call, Last push and the workplaces'
    # Call back lists (`…_call_backs`): the keys end so.
    assert set(disabled.values()) == {"call", "state", "push", "backs"}, disabled
    start = dt_util.utcnow()
    events = collect_call_events(hass)

    await _documented_call(hass, simulator)

    steps = [event.data["state"] for event in events]
    assert steps == ["trying", "showing", "connected", "finished", "recorded"]
    lines = await _lines(hass, hass_ws_client, start)
    # Every line of the integration's entities or events, whatever made it.
    call_lines = [
        line
        for line in lines
        if line.get("domain") == DOMAIN or line.get("entity_id") in ours
    ]
    assert [_text(line) for line in call_lines] == LINES
    # Not a state's line ("changed to …"): each is the described call event.
    assert all("state" not in line for line in call_lines), call_lines
    assert {line["entity_id"] for line in call_lines} <= disabled.keys()


async def test_device_pages_and_a_logbook_card_show_the_calls(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The workplace's device page and the PBX's list the call's lines, as the
    frontend asks for them (the device's entities, enabled or not, and the device);
    so does a logbook card on the PBX's Call entity (the frontend sends a card's
    entity as it is, enabled or not)."""
    devices = dr.async_get(hass)
    registry = er.async_get(hass)
    (reception,) = (
        device
        for device in dr.async_entries_for_config_entry(devices, config_entry.entry_id)
        if (DOMAIN, f"{config_entry.unique_id}_{RECEPTION}") in device.identifiers
    )
    start = dt_util.utcnow()

    await _documented_call(hass, simulator)

    for device in dr.async_entries_for_config_entry(devices, config_entry.entry_id):
        if device.id != reception.id and device.via_device_id is not None:
            continue  # another workplace
        entity_ids = [
            registered.entity_id
            for registered in er.async_entries_for_device(
                registry, device.id, include_disabled_entities=True
            )
        ]
        lines = await _lines(
            hass,
            hass_ws_client,
            start,
            entity_ids=entity_ids,
            device_ids=[device.id],
        )
        messages = [_text(line) for line in lines]
        if device.id == reception.id:
            # From the moment it rings there: the call was parked at the PBX before.
            assert messages == LINES[1:], device.name
        else:
            assert messages == LINES, device.name

    # The README's logbook card: its target, the PBX's Call entity (disabled).
    pbx_call = registry.async_get_entity_id(
        "event", DOMAIN, f"{config_entry.unique_id}_call"
    )
    assert pbx_call is not None
    assert registry.async_get(pbx_call).disabled  # type: ignore[union-attr]
    lines = await _lines(hass, hass_ws_client, start, entity_ids=[pbx_call])
    assert [_text(line) for line in lines] == LINES


def _readme_automations() -> list[dict[str, Any]]:
    """The automations of the README's *Automations* section, as written there."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Automations", 1)[1].split("\n## ", 1)[0]
    automations: list[dict[str, Any]] = []
    for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL):
        automations += yaml.safe_load(block)["automation"]
    return automations


async def test_the_readme_automations_work_in_a_default_install(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """With the entities a fresh install enables, each README automation acts: the
    lamp blinks when the reception rings, a missed call is notified, so is the Call
    back list's new number, each call is logged."""
    automations = _readme_automations()
    assert len(automations) == 4
    lamp = async_mock_service(hass, "light", "turn_on")
    notified = async_mock_service(hass, "notify", "notify")
    assert await async_setup_component(hass, "automation", {"automation": automations})
    start = dt_util.utcnow()

    await _documented_call(hass, simulator)  # rings at Reception, answered
    assert [call.data["entity_id"] for call in lamp] == [["light.reception_lamp"]]
    assert notified == []
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(CALLER, EXTERNAL)  # rings, nobody answers
    await async_settle(hass, simulator)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)

    assert len(lamp) == 2
    missed, call_back = sorted(notified, key=lambda call: call.data["title"])
    assert missed.data == {
        "title": "Missed call",
        "message": "+79161234567 called +74996497803",
    }
    assert call_back.data == {"title": "To call back: 1", "message": "+7 916 123-45-67"}
    logged = [
        line["message"]
        for line in await _lines(hass, hass_ws_client, start)
        if line.get("name") == "Calls"
    ]
    assert logged == [
        "incoming +79161234567 → +74996497803, 0 s",
        "incoming +79161234567 → +74996497803, 0 s (missed)",
    ]
