"""Recovery: a provider outage neither blinds the office to calls nor lasts 30 minutes.

While the directory cannot be read, the entities fed by pushes (Active calls, Call
state, the Call event entities) stay available and keep following calls; the ones
that show the directory (Terminals, Parking) go unavailable. The directory is read
again soon, backing off (10 s, 30 s, 1 min, 2 min, then every 5 min), and the
directory entities come back by themselves once the provider answers. A start during
an outage begins with the directory read last time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.mtt_business import const
from custom_components.mtt_business.const import DOMAIN

from .conftest import SimulatorServer, entity_id_of

EXTERNAL = "74996497803"
RECEPTION = "883140777716581"
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
PBX_EVENT = "event.mtt_business_7_499_649_78_03_call"
RECEPTION_STATE = "sensor.resepshn_call_state"
PARKING = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"
PUSH_FED = (ACTIVE, LAST, PBX_EVENT, RECEPTION_STATE)


def _reads(simulator: SimulatorServer) -> int:
    """How many directory reads reached the provider (each asks for the numbers)."""
    return [r.method for r in simulator.simulator.requests].count("externalNumbersInfo")


async def _advance(hass: HomeAssistant, seconds: float) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


def _available(hass: HomeAssistant, entity_id: str) -> bool:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state != STATE_UNAVAILABLE


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 200, "html": True}, {"timeout": 1.0}],
    ids=["5xx", "html", "timeout"],
)
async def test_an_outage_does_not_blind_the_office_to_calls(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, Any],
) -> None:
    """Reads fail: push-fed entities follow a call; the others come back in 10 s."""
    monkeypatch.setattr(const, "API_REQUEST_TIMEOUT", 0.3)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    sim = simulator.simulator
    terminals = entity_id_of(hass, config_entry, "sensor", f"{RECEPTION}_terminals")
    reception_event = entity_id_of(hass, config_entry, "event", f"{RECEPTION}_call")
    assert _available(hass, terminals)
    assert _available(hass, PARKING)

    sim.faults.set_api_fault(**fault)
    await config_entry.runtime_data.directory.async_refresh()
    await hass.async_block_till_done()
    assert not config_entry.runtime_data.directory.last_update_success
    assert not _available(hass, terminals)
    assert not _available(hass, PARKING)
    for entity_id in (*PUSH_FED, reception_event):
        assert _available(hass, entity_id), entity_id

    # A call while the API is down: the pushes still tell about it.
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "ringing"
    assert hass.states.get(ACTIVE).state == "1"
    await sim.hang_up(call_id)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    assert hass.states.get(ACTIVE).state == "0"
    assert _available(hass, LAST)
    assert hass.states.get(LAST).attributes["call_id"] == call_id
    assert hass.states.get(PBX_EVENT).attributes["event_type"] in (
        "finished",
        "missed",
    )

    # The provider is back: the directory entities return at the next retry.
    sim.faults.clear()
    await _advance(hass, 11)
    assert config_entry.runtime_data.directory.last_update_success
    assert _available(hass, terminals)
    assert _available(hass, PARKING)
    assert hass.states.get(terminals).state == "1"


async def test_reads_back_off_then_return_to_30_minutes(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Retries after 10 s, 30 s, 1 min, 2 min, 5 min, 5 min; then every 30 min."""
    sim = simulator.simulator
    coordinator = config_entry.runtime_data.directory
    sim.faults.set_api_fault(status=503)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    reads = _reads(simulator)
    for delay in (10, 30, 60, 120, 300, 300):
        await _advance(hass, delay - 2)
        assert _reads(simulator) == reads, f"read before {delay} s"
        await _advance(hass, delay + 1)
        assert _reads(simulator) == reads + 1, f"no read after {delay} s"
        reads += 1
        assert not coordinator.last_update_success

    sim.faults.clear()
    await _advance(hass, 301)
    assert _reads(simulator) == reads + 1
    assert coordinator.last_update_success
    reads += 1
    await _advance(hass, 29 * 60)
    assert _reads(simulator) == reads  # no more hurry once the read succeeded
    await _advance(hass, 30 * 60 + 1)
    assert _reads(simulator) == reads + 1

    # A new outage starts the backoff from 10 s again.
    sim.faults.set_api_fault(status=500)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    reads = _reads(simulator)
    sim.faults.clear()
    await _advance(hass, 11)
    assert _reads(simulator) == reads + 1
    assert coordinator.last_update_success


async def test_a_workplace_removed_before_the_outage_stays_gone(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Push-fed entities follow the last directory read: a gone workplace stays gone."""
    sim = simulator.simulator
    sim.workplaces = sim.workplaces[1:]
    await config_entry.runtime_data.directory.async_refresh()
    await hass.async_block_till_done()
    sim.faults.set_api_fault(status=500)
    await config_entry.runtime_data.directory.async_refresh()
    await hass.async_block_till_done()
    gone = hass.states.get(RECEPTION_STATE)
    assert gone is None or gone.state == STATE_UNAVAILABLE
    assert _available(hass, ACTIVE)
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "idle"


async def test_a_start_while_mtt_is_down_uses_the_directory_read_last_time(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Restarted during an outage: calls are followed at once, the rest in 10 s."""
    await _advance(hass, 11)  # the directory read at sign-in is written to storage
    sim = simulator.simulator
    sim.faults.set_api_fault(status=502)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert "starting with its directory as last read" in caplog.text
    terminals = entity_id_of(hass, config_entry, "sensor", f"{RECEPTION}_terminals")
    assert not _available(hass, terminals)
    for entity_id in PUSH_FED:
        assert _available(hass, entity_id), entity_id

    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "ringing"
    await sim.hang_up(call_id)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "idle"

    sim.faults.clear()
    await _advance(hass, 11)
    assert config_entry.runtime_data.directory.last_update_success
    assert _available(hass, terminals)
    assert hass.states.get(terminals).state == "1"


@pytest.mark.parametrize("kept", [None, {"workplaces": 5}], ids=["none", "garbage"])
async def test_a_first_start_while_mtt_is_down_waits_for_it(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    hass_storage: dict[str, Any],
    kept: dict[str, Any] | None,
) -> None:
    """Nothing usable kept from an earlier read: Home Assistant retries the setup."""
    await _advance(hass, 11)
    key = f"{DOMAIN}.{config_entry.entry_id}.directory"
    assert hass_storage[key]["data"]["workplaces"][0][1] == "Ресепшн"
    await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage  # removing the entry forgets its directory
    simulator.simulator.faults.set_api_fault(status=500)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        title=config_entry.title,
    )
    if kept is not None:
        hass_storage[f"{DOMAIN}.{entry.entry_id}.directory"] = {
            "version": 1,
            "minor_version": 1,
            "key": f"{DOMAIN}.{entry.entry_id}.directory",
            "data": kept,
        }
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
