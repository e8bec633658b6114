"""Names for numbers: the phone book and the provider's own names, wherever a number is."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
import pytest

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.logbook import describe_call
from custom_components.mtt_business.logbook_texts import logbook_template
from mtt_simulator.scenario import Scenario

from .conftest import SimulatorServer, async_settle, collect_call_events

IVAN = "883140777828305"
EXTERNAL = "74996497803"
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
RECEPTION_EVENT = "event.resepshn_call"


@pytest.fixture
def scenario() -> Scenario:
    """A short parking window, so the PBX's own route comes quickly."""
    scenario = Scenario.demo()
    scenario.parking_window = 0.4
    return scenario


async def _contacts(hass: HomeAssistant, contacts: dict[str, str]) -> None:
    await hass.services.async_call(
        DOMAIN, "set_contacts", {"contacts": contacts}, blocking=True
    )


async def test_a_known_caller_is_named_everywhere(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Event, Active calls, the event entity, Last call and the logbook name him."""
    await _contacts(hass, {"8 916 123-45-67": "Иван Петров, ООО Ромашка"})
    events = collect_call_events(hass)
    sim = simulator.simulator
    sim.scenario.ring_timeout = 10**6
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    name = "Иван Петров, ООО Ромашка"
    assert events[0].data["caller_name"] == name
    assert events[0].data["callee_name"] is None
    (listed,) = hass.states.get(ACTIVE).attributes["calls"]
    assert listed["caller_name"] == name
    assert hass.states.get(RECEPTION_EVENT).attributes["caller_name"] == name

    await sim.answer(call_id)
    await async_settle(hass, simulator)
    answered = next(e.data for e in events if e.data["state"] == "connected")
    line = describe_call(logbook_template("en"), answered)
    assert line == f"incoming call: {name} (+7 916 123-45-67), answered at Ресепшн"
    assert describe_call(logbook_template("ru"), answered) == (
        f"входящий вызов: {name} (+7 916 123-45-67), принят на рабочем месте «Ресепшн»"
    )
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)
    assert hass.states.get(LAST).attributes["caller_name"] == name


async def test_an_unknown_caller_has_no_name(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Not in the phone book, and MTT sends only numbers: no name, the number shows."""
    await _contacts(hass, {"+7 916": "Мобильные Москвы"})
    events = collect_call_events(hass)
    await simulator.simulator.start_incoming_call("79261234567", EXTERNAL)
    await async_settle(hass, simulator)
    assert events[0].data["caller_name"] is None
    line = describe_call(logbook_template("en"), events[0].data)
    assert "+7 926 123-45-67" in line
    assert "(" not in line


async def test_the_longest_prefix_names_the_caller(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A company's prefix names its switchboard; a person's number wins over it."""
    await _contacts(
        hass, {"+7 916 123": "ООО Ромашка", "+7 916 123-45-67": "Иван Петров"}
    )
    events = collect_call_events(hass)
    await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    await simulator.simulator.start_incoming_call("79161230000", EXTERNAL)
    await async_settle(hass, simulator)
    names = {e.data["caller"]: e.data["caller_name"] for e in events}
    assert names == {"+79161234567": "Иван Петров", "+79161230000": "ООО Ромашка"}


async def test_a_routing_rule_may_name_a_contact(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """`Иван Петров = Менеджер Иван`: his call goes to his manager, in any format."""
    await _contacts(hass, {"8 916 123-45-67": "Иван Петров"})
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "table"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"table": "иван петров = Менеджер Иван"}
    )
    await hass.services.async_call(
        DOMAIN,
        "set_parking",
        {"numbers": [EXTERNAL], "is_parking": True},
        blocking=True,
    )
    events = collect_call_events(hass)
    await simulator.simulator.start_incoming_call("+7 916 123 45 67", EXTERNAL)
    await async_settle(hass, simulator)
    assert events[0].data["routing"] == "transfer"
    assert events[0].data["routed_to"] == IVAN
