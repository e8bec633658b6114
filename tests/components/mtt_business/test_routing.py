"""Personal-manager routing: the options flow and parked calls from the simulator."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
import shutil
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest

from custom_components.mtt_business.api.phone_number import normalize_prefix
from custom_components.mtt_business.calls.phone_book import (
    PhoneBook,
    parse_text,
    route_caller,
    route_prefixes,
)
from custom_components.mtt_business.compat import device_by_identifier
from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.routing import match_route
from mtt_simulator.scenario import Scenario

from .conftest import SimulatorServer, collect_call_events

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
PARKING_SWITCH = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"
"""The Parking switch of EXTERNAL (the number the PBX is named after)."""
BLUEPRINT = (
    Path(__file__).parents[3]
    / "blueprints/automation/mtt_business/personal_manager.yaml"
)


@pytest.fixture
def scenario() -> Scenario:
    """A short parking window, so the PBX's own route comes quickly."""
    scenario = Scenario.demo()
    scenario.parking_window = 0.4
    return scenario


async def _options(
    hass: HomeAssistant, entry: ConfigEntry, step: str, data: dict[str, Any]
) -> ConfigFlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


async def _set_table(
    hass: HomeAssistant, entry: ConfigEntry, table: str, release: bool = True
) -> None:
    result = await _options(hass, entry, "settings", {"release_unmatched": release})
    assert result["type"] is FlowResultType.MENU
    result = await _options(hass, entry, "table", {"table": table})
    assert result["type"] is FlowResultType.MENU


async def _park(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_parking",
        {"numbers": [EXTERNAL], "is_parking": True},
        blocking=True,
    )


async def _call(hass: HomeAssistant, sim: SimulatorServer, caller: str) -> str:
    call_id = await sim.simulator.start_incoming_call(caller, EXTERNAL)
    await sim.simulator.wait_pushed()
    await hass.async_block_till_done()
    await sim.simulator.wait_pushed()
    await hass.async_block_till_done()
    return call_id


def test_prefixes() -> None:
    assert normalize_prefix("8 (916) 123") == "+7916123"
    assert normalize_prefix("+44 20") == "+4420"
    assert normalize_prefix("916") == "+7916"
    assert normalize_prefix("1234") == "+1234"
    assert normalize_prefix("abc") is None
    routes = [
        {"caller": "+7916", "workplace": "a"},
        {"caller": "+791612", "workplace": "b"},
    ]
    assert match_route(routes, "+79161234567") == "b"
    assert match_route(routes, "+79261234567") is None
    assert match_route(routes, None) is None


def test_routing_rules_may_name_contacts() -> None:
    book = PhoneBook(
        parse_text("8916 = ООО Ромашка\n8903 = ооо ромашка\n8 495 = Иван Петров")
    )
    assert route_caller("8 (916) 12", book) == "+791612"
    assert route_caller("  ооо   Ромашка ", book) == "ооо Ромашка"
    assert route_caller("nobody", book) is None
    routes = [
        {"caller": "ООО Ромашка", "workplace": "rom"},
        {"caller": "+7916", "workplace": "own"},
        {"caller": "Иван Петров", "workplace": "ivan"},
        {"caller": "иван петров", "workplace": "later"},
        {"caller": "Gone", "workplace": "gone"},
        {"caller": "", "workplace": "nobody"},
        {"caller": "+7812"},
    ]
    assert route_prefixes(routes, book) == [
        {"caller": "+7916", "workplace": "own"},
        {"caller": "+7903", "workplace": "rom"},
        {"caller": "+7495", "workplace": "ivan"},
    ]
    prefixes = route_prefixes(routes, book)
    assert match_route(prefixes, "+79031234567") == "rom"
    assert match_route(prefixes, "+79161234567") == "own"
    assert match_route(prefixes, "+74951234567") == "ivan"
    assert match_route(route_prefixes(routes, PhoneBook()), "+79031234567") is None


@pytest.mark.parametrize("caller", ["79161234567", "89161234567", "+79161234567"])
async def test_known_caller_goes_to_the_manager(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caller: str,
) -> None:
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7 916 123-45-67 = Менеджер Иван")
    await _park(hass)
    await _call(hass, simulator, caller)
    assert events[0].data["routed_to"] == IVAN
    assert events[0].data["routing"] == "transfer"
    assert "transferCall" in [r.method for r in simulator.simulator.requests]
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"
    assert hass.states.get("sensor.resepshn_call_state").state == "idle"


async def test_unknown_caller_is_released_at_once(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7 916 123-45-67 = Менеджер Иван")
    await _park(hass)
    await _call(hass, simulator, "79990000000")
    assert events[0].data["routing"] == "released"
    assert "terminateCall" in [r.method for r in simulator.simulator.requests]
    assert hass.states.get("sensor.resepshn_call_state").state == "ringing"


async def test_release_turned_off_waits_for_the_pbx(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "custom_components.mtt_business.routing")
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "", release=False)
    await _park(hass)
    await _call(hass, simulator, "79990000000")
    assert events[0].data["routing"] == "none"
    assert events[0].data["routed_to"] is None
    assert "No route for the call from +79990000000: left to the PBX" in caplog.text
    methods = [r.method for r in simulator.simulator.requests]
    assert "terminateCall" not in methods
    assert "transferCall" not in methods
    assert hass.states.get("sensor.resepshn_call_state").state == "idle"
    await asyncio.sleep(0.6)
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.resepshn_call_state").state == "ringing"


async def test_refused_transfer_follows_the_pbx_route(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7916 = Менеджер Иван")
    await _park(hass)
    simulator.simulator.faults.set_api_fault(methods=["transferCall"], status=400)
    await _call(hass, simulator, "79161234567")
    failed = [e.data for e in events if e.data["state"] == "routing_failed"]
    assert len(failed) == 1
    assert "Injected fault" in failed[0]["routing_error"]
    assert "refused routing" in caplog.text
    await asyncio.sleep(0.6)
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.resepshn_call_state").state == "ringing"


async def test_outgoing_calls_are_not_routed(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A rule that would route an incoming call from a number leaves a call to it."""
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7921 = Менеджер Иван")
    await _park(hass)
    await config_entry.runtime_data.client.make_call(RECEPTION, "89219462761")
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    assert [e.data["direction"] for e in events] == ["outgoing", "outgoing"]
    assert not any("routing" in e.data for e in events)
    methods = [r.method for r in simulator.simulator.requests]
    assert "transferCall" not in methods
    assert "terminateCall" not in methods
    # the same number calling in is routed: the rule and the parking are in force
    await _call(hass, simulator, "89219462761")
    assert [e.data.get("routing") for e in events][2] == "transfer"
    assert "transferCall" in [r.method for r in simulator.simulator.requests]


@pytest.mark.parametrize("parked_before", [False, True])
async def test_numbers_without_parking_are_not_routed(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    parked_before: bool,
) -> None:
    """Parking off (never on, or turned off again): the call rings as the PBX routes it."""
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7916 = Менеджер Иван")
    if parked_before:
        await _park(hass)
        await hass.services.async_call(
            DOMAIN, "set_parking", {"is_parking": False}, blocking=True
        )
    await _call(hass, simulator, "79161234567")
    assert events[0].data["state"] == "trying"
    assert not any("routing" in e.data for e in events)
    methods = [r.method for r in simulator.simulator.requests]
    assert "transferCall" not in methods
    assert "terminateCall" not in methods
    assert hass.states.get("sensor.resepshn_call_state").state == "ringing"
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "idle"


async def test_the_parking_switch_routes_also_after_a_reload(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Parking turned on with its switch routes too, also once the entry is reloaded.

    (The switch's restored state is what routing knows of parking then: nothing is
    sent to the provider for it.)
    """
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "+7 916 123-45-67 = Менеджер Иван")
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": PARKING_SWITCH}, blocking=True
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(PARKING_SWITCH).state == "on"
    methods = [r.method for r in simulator.simulator.requests]
    assert methods.count("setParkingNumbers") == 1
    await _call(hass, simulator, "79161234567")
    assert events[0].data["routing"] == "transfer"
    assert events[0].data["routed_to"] == IVAN
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"


async def test_a_push_delivered_twice_routes_once(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider may push twice: the call is still transferred once, and logged."""
    caplog.set_level(logging.INFO, "custom_components.mtt_business.routing")
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "8916 = Менеджер Иван")
    await _park(hass)
    simulator.simulator.faults.push.duplicate = True
    await _call(hass, simulator, "89161234567")
    methods = [r.method for r in simulator.simulator.requests]
    assert methods.count("transferCall") == 1
    assert [e.data["routing"] for e in events if "routing" in e.data] == ["transfer"]
    assert (
        f"Routing the call from +79161234567 to workplace Менеджер Иван ({IVAN})"
        in caplog.text
    )


async def test_a_refused_release_is_reported(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ending the parking leg refused: logged, in an event, and the PBX routes later."""
    events = collect_call_events(hass)
    await _set_table(hass, config_entry, "")
    await _park(hass)
    simulator.simulator.faults.set_api_fault(methods=["terminateCall"], status=503)
    await _call(hass, simulator, "79990000000")
    failed = [e.data for e in events if e.data["state"] == "routing_failed"]
    assert len(failed) == 1
    assert failed[0]["routing"] == "released"
    assert failed[0]["routed_to"] is None
    assert "503" in failed[0]["routing_error"]
    assert "refused routing" in caplog.text


async def _use_blueprint(
    hass: HomeAssistant, tmp_path: Path, inputs: dict[str, Any]
) -> None:
    """Install the project's blueprint in a fresh config dir and use it."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / "mtt_business"
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True, exist_ok=True))
    await hass.async_add_executor_job(shutil.copy, BLUEPRINT, target)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "personal_manager",
                "use_blueprint": {
                    "path": "mtt_business/personal_manager.yaml",
                    "input": inputs,
                },
            }
        },
    )
    await hass.async_block_till_done()
    automations = hass.states.async_all("automation")
    assert [a.state for a in automations] == ["on"], automations


@pytest.mark.parametrize(
    ("phone", "caller", "transferred"),
    [
        ("8 (916) 123-45-67", "79161234567", True),
        ("+79161234567", "89161234567", True),
        ("79161234567", "+79161234567", True),
        ("8 (916) 123-45-67", "79161234568", False),
    ],
)
async def test_blueprint_routes_a_persons_calls(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
    tmp_path: Path,
    phone: str,
    caller: str,
    transferred: bool,
) -> None:
    """The blueprint transfers a person's parked call to the manager's workplace."""
    ivan = device_by_identifier(
        device_registry,
        (DOMAIN, f"{config_entry.unique_id}_{IVAN}"),
        config_entry.entry_id,
    )
    assert ivan is not None
    hass.states.async_set("person.anna", "not_home", {"phone": phone})
    hass.states.async_set("person.boris", "home", {"phone": "+7 495 000-00-00"})
    await _use_blueprint(
        hass,
        tmp_path,
        {"customers": ["person.boris", "person.anna"], "manager": ivan.id},
    )
    await _set_table(hass, config_entry, "", release=False)
    await _park(hass)
    await _call(hass, simulator, caller)
    await hass.async_block_till_done()
    transfers = [
        r.params["params"]
        for r in simulator.simulator.requests
        if r.method == "transferCall"
    ]
    if transferred:
        assert [t["calleeId"] for t in transfers] == [IVAN]
        assert transfers[0]["call"]["id"].endswith("~1o")
        await simulator.simulator.wait_pushed()
        await hass.async_block_till_done()
        assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"
    else:
        assert transfers == []
