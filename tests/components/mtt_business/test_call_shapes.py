"""Every call shape, played by the simulator under every variant, over real HTTP.

The simulator's default sequences are the documentation's minimal ones; each
variant adds one behaviour the documentation does not show (a `hiding` for the
parking leg, for the losing legs of a ring group, before a `finished`; no parking
leg at all). Whatever the variant, each call ends with nothing active, every
workplace idle, and `missed` exactly when nobody answered.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, HomeAssistant
import pytest

from custom_components.mtt_business.const import DOMAIN
from mtt_simulator.scenario import Scenario
from mtt_simulator.variants import VARIANTS, Variant

from .conftest import SimulatorServer, async_settle, collect_call_events

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
STATES = {
    RECEPTION: "sensor.resepshn_call_state",
    IVAN: "sensor.menedzher_ivan_call_state",
    "883140582526566": "sensor.883140582526566_call_state",
}
VARIANT_SETS = [
    frozenset[Variant](),
    *(frozenset({variant}) for variant in VARIANTS),
    frozenset(VARIANTS),
]


RING_TIMEOUT = 1.5
"""Seconds a workplace rings (and a callee of an outgoing call) before it stops."""


@pytest.fixture(
    params=VARIANT_SETS,
    ids=lambda variants: "+".join(sorted(variants)) or "documented",
)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The demo scenario under one set of variants, with short timers."""
    scenario = Scenario.demo()
    scenario.variants = request.param
    scenario.parking_window = 0.3
    # Long enough that a loaded machine answers before the ringing times out.
    scenario.ring_timeout = RING_TIMEOUT
    scenario.answer_timeout = RING_TIMEOUT
    scenario.record_calls = False
    return scenario


@pytest.fixture
def events(hass: HomeAssistant) -> list[Event]:
    """Every `mtt_business_call` event."""
    return collect_call_events(hass)


def _state(hass: HomeAssistant, sip: str) -> str:
    return hass.states.get(STATES[sip]).state


def _assert_over(hass: HomeAssistant, events: list[Event], *, missed: bool) -> None:
    assert hass.states.get(ACTIVE).state == "0"
    for entity_id in STATES.values():
        assert hass.states.get(entity_id).state == "idle", entity_id
    finished = [e.data for e in events if e.data["state"] == "finished"]
    assert len(finished) == 1, [e.data["state"] for e in events]
    assert finished[0]["missed"] is missed
    assert finished[0]["seen_start"] is True
    assert hass.states.get(LAST).attributes["missed"] is missed


async def test_answered_call(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    assert _state(hass, RECEPTION) == "ringing"
    assert hass.states.get(ACTIVE).state == "1"
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    assert _state(hass, RECEPTION) == "talking"
    await sim.hang_up(call_id, "workplace")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=False)


async def test_caller_hangs_up_while_ringing(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    assert _state(hass, RECEPTION) == "ringing"
    await sim.hang_up(call_id, "caller")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=True)


async def test_nobody_answers_within_the_ring_timeout(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
) -> None:
    await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    assert _state(hass, RECEPTION) == "ringing"
    await async_settle(hass, simulator, wait=RING_TIMEOUT + 0.3)
    _assert_over(hass, events, missed=True)


async def _park(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Parking on, and no routing: the call waits its whole window."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"release_unmatched": False}
    )
    await hass.services.async_call(
        DOMAIN, "set_parking", {"is_parking": True}, blocking=True
    )


async def test_caller_hangs_up_while_parked(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
) -> None:
    await _park(hass, config_entry)
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    assert hass.states.get(ACTIVE).state == "1"
    assert _state(hass, RECEPTION) == "idle"
    await sim.hang_up(call_id, "caller")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=True)


async def test_parked_call_rings_after_the_window(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
) -> None:
    await _park(hass, config_entry)
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator, wait=0.4)
    assert _state(hass, RECEPTION) == "ringing"
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    assert _state(hass, RECEPTION) == "talking"
    await sim.hang_up(call_id, "caller")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=False)


@pytest.mark.parametrize("answer", [True, False])
async def test_ring_group(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
    answer: bool,
) -> None:
    """Two workplaces ring; one answers and the other stops (or nobody answers)."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(
        "79161234567", EXTERNAL, workplace=[RECEPTION, IVAN]
    )
    await async_settle(hass, simulator)
    assert (_state(hass, RECEPTION), _state(hass, IVAN)) == ("ringing", "ringing")
    if answer:
        await sim.answer(call_id, IVAN)
        await async_settle(hass, simulator)
        assert (_state(hass, RECEPTION), _state(hass, IVAN)) == ("idle", "talking")
        assert hass.states.get(ACTIVE).attributes["calls"][0]["workplace"] == IVAN
    await sim.hang_up(call_id, "caller")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=not answer)


@pytest.mark.parametrize("answered_first", [True, False])
async def test_transferred_to_another_workplace(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
    answered_first: bool,
) -> None:
    """The transfer action moves the call to a new leg `~3o` at another workplace."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    if answered_first:
        await sim.answer(call_id)
        await async_settle(hass, simulator)
    await hass.services.async_call(
        DOMAIN,
        "transfer_call",
        {"call_id": call_id, "callee_id": IVAN},
        blocking=True,
    )
    await async_settle(hass, simulator)
    assert (_state(hass, RECEPTION), _state(hass, IVAN)) == ("idle", "ringing")
    assert any(e.data["leg_id"].endswith("~3o") for e in events)
    await sim.answer(call_id, IVAN)
    await async_settle(hass, simulator)
    assert _state(hass, IVAN) == "talking"
    await sim.hang_up(call_id, "workplace")
    await async_settle(hass, simulator)
    _assert_over(hass, events, missed=False)


@pytest.mark.parametrize("answer", [True, False])
async def test_outgoing_call(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    events: list[Event],
    answer: bool,
) -> None:
    response = await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": IVAN, "callee_id": "+7 921 946-27-61"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    call_id = str(response["call_id"])
    await async_settle(hass, simulator)
    assert _state(hass, IVAN) == "dialing"
    if answer:
        await simulator.simulator.answer(call_id)
        await async_settle(hass, simulator)
        assert _state(hass, IVAN) == "talking"
        await simulator.simulator.hang_up(call_id, "callee")
        await async_settle(hass, simulator)
    else:
        await async_settle(hass, simulator, wait=RING_TIMEOUT + 0.3)
    _assert_over(hass, events, missed=False)
