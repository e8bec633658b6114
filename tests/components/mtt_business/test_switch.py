"""Parking switches against the simulator: round trip, refusal, restore, new numbers."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import mock_restore_cache

from custom_components.mtt_business.const import DOMAIN

from .conftest import (
    HomeAssistantServer,
    SimulatorServer,
    async_complete_sign_in,
    async_start_flow,
    entity_id_of,
)

MAIN = "74996497803"
FREEPHONE = "78005560251"
NEW = "74951234567"
# The entity id the demo account's first sign-in gives the switch of MAIN.
MAIN_SWITCH = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"


def _switch(hass: HomeAssistant, entry: ConfigEntry, number: str) -> str:
    return entity_id_of(hass, entry, "switch", f"parking_{number}")


async def _turn(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id},
        blocking=True,
    )


async def test_one_switch_per_external_number(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Each number has an assumed-state switch named after it, off by default."""
    for number, name in ((MAIN, "+7 499 649-78-03"), (FREEPHONE, "+7 800 556-02-51")):
        state = hass.states.get(_switch(hass, config_entry, number))
        assert state is not None
        assert state.state == STATE_OFF
        assert state.attributes["assumed_state"] is True
        assert name in state.attributes["friendly_name"]
        assert "Parking" in state.attributes["friendly_name"]


@pytest.mark.parametrize(
    ("language", "main", "freephone"),
    [
        ("en", "Parking", "Parking +7 800 556-02-51"),
        ("ru", "Парковка", "Парковка +7 800 556-02-51"),
    ],
)
async def test_switch_names_read_right_on_the_device_page(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    language: str,
    main: str,
    freephone: str,
) -> None:
    """The PBX device is named after its first number: that number is not repeated.

    The other number's switch still names its number; the entity ids stay those the
    switches always had.
    """
    hass.config.language = language
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    device = f"{config_entry.title} "
    assert config_entry.title == "MTT Business +7 499 649-78-03"
    main_switch = _switch(hass, config_entry, MAIN)
    assert main_switch == MAIN_SWITCH
    assert hass.states.get(main_switch).attributes["friendly_name"] == device + main
    freephone_switch = _switch(hass, config_entry, FREEPHONE)
    assert freephone_switch == (
        "switch.mtt_business_7_499_649_78_03_parking_7_800_556_02_51"
    )
    assert (
        hass.states.get(freephone_switch).attributes["friendly_name"]
        == device + freephone
    )


async def test_round_trip_through_the_provider(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """On and off reach setParkingNumbers for exactly that number."""
    sim = simulator.simulator
    entity_id = _switch(hass, config_entry, MAIN)
    await _turn(hass, entity_id, True)
    assert sim.parking == {MAIN}
    assert sim.requests[-1].method == "setParkingNumbers"
    assert sim.requests[-1].params == {"params": {"numbers": [MAIN], "isParking": True}}
    assert hass.states.get(entity_id).state == STATE_ON
    await _turn(hass, entity_id, False)
    assert sim.parking == set()
    assert hass.states.get(entity_id).state == STATE_OFF


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 500}, "setParkingNumbers: HTTP 500"),
        ({"status": 400}, "400: Injected fault"),
        ({"html": True}, "setParkingNumbers: the answer is not JSON"),
    ],
)
@pytest.mark.parametrize("on", [True, False], ids=["turn_on", "turn_off"])
async def test_refused_switch_keeps_its_state(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    fault: dict[str, object],
    message: str,
    on: bool,
) -> None:
    """A refusal is a translated error with the provider's message; state unchanged.

    The switch starts in the state opposite to the one asked for (turned on first
    for turn_off), so that "unchanged" is not merely the default state.
    """
    entity_id = _switch(hass, config_entry, MAIN)
    if not on:
        await _turn(hass, entity_id, True)
    before = STATE_OFF if on else STATE_ON
    assert hass.states.get(entity_id).state == before
    parking = set(simulator.simulator.parking)
    simulator.simulator.faults.set_api_fault(methods=["setParkingNumbers"], **fault)  # type: ignore[arg-type]
    with pytest.raises(HomeAssistantError) as err:
        await _turn(hass, entity_id, on)
    assert err.value.translation_key == "provider_error"
    assert err.value.translation_placeholders["error"] == message
    assert str(err.value) == f"MTT Business refused or failed: {message}"
    assert hass.states.get(entity_id).state == before
    assert simulator.simulator.parking == parking


async def test_the_action_moves_the_switches(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """`set_parking` shows on the switches of the numbers it set, and only those."""
    main = _switch(hass, config_entry, MAIN)
    freephone = _switch(hass, config_entry, FREEPHONE)
    await hass.services.async_call(
        DOMAIN, "set_parking", {"is_parking": True}, blocking=True
    )
    assert hass.states.get(main).state == STATE_ON
    assert hass.states.get(freephone).state == STATE_ON
    await hass.services.async_call(
        DOMAIN,
        "set_parking",
        {"numbers": ["+7 800 556-02-51"], "is_parking": False},
        blocking=True,
    )
    assert hass.states.get(main).state == STATE_ON
    assert hass.states.get(freephone).state == STATE_OFF
    simulator.simulator.faults.set_api_fault(methods=["setParkingNumbers"], status=503)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN, "set_parking", {"is_parking": False}, blocking=True
        )
    # A refused action moves no switch: MAIN stays on, FREEPHONE off.
    assert hass.states.get(main).state == STATE_ON
    assert hass.states.get(freephone).state == STATE_OFF


async def test_state_is_restored_after_a_restart(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    current_request_with_host: None,
) -> None:
    """The last assumed state comes back; nothing is sent to the provider for it."""
    mock_restore_cache(hass, [State(MAIN_SWITCH, STATE_ON)])
    result = await async_complete_sign_in(hass, ha_server, await async_start_flow(hass))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    assert _switch(hass, entry, MAIN) == MAIN_SWITCH
    assert hass.states.get(MAIN_SWITCH).state == STATE_ON
    assert hass.states.get(_switch(hass, entry, FREEPHONE)).state == STATE_OFF
    assert "setParkingNumbers" not in [r.method for r in simulator.simulator.requests]


async def test_state_survives_a_reload(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Reloading the entry keeps what was last sent."""
    entity_id = _switch(hass, config_entry, MAIN)
    await _turn(hass, entity_id, True)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_ON


async def test_numbers_appear_and_go(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A number added in the portal gets a switch; a removed one becomes unavailable."""
    sim = simulator.simulator
    assert hass.states.get(_switch(hass, config_entry, FREEPHONE)).state == STATE_OFF
    await sim.edit_directory({"external_numbers": [{"number": MAIN}, {"number": NEW}]})
    await sim.wait_pushed()
    await hass.async_block_till_done()
    new = _switch(hass, config_entry, NEW)
    assert hass.states.get(new).state == STATE_OFF
    assert hass.states.get(_switch(hass, config_entry, FREEPHONE)).state == (
        STATE_UNAVAILABLE
    )
    await _turn(hass, new, True)
    assert sim.parking == {NEW}
