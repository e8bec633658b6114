"""Counters: missed calls not yet seen, and the day's calls, missed calls and talk time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from freezegun import freeze_time
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.mtt_business.call_counters import COUNTERS_WRITE_COOLDOWN
from custom_components.mtt_business.const import DOMAIN
from mtt_simulator.scenario import Scenario
from mtt_simulator.variants import VARIANTS, Variant

from .conftest import SimulatorServer, async_settle, entity_id_of

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
VARIANT_SETS = [
    frozenset[Variant](),
    *(frozenset({variant}) for variant in VARIANTS),
    frozenset(VARIANTS),
]
SECONDS = {"s": 1, "min": 60, "h": 3600}


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The demo scenario (under the variants a test is parametrized with)."""
    scenario = Scenario.demo()
    scenario.variants = getattr(request, "param", frozenset())
    scenario.parking_window = 0.3
    scenario.record_calls = False
    return scenario


def _state(hass: HomeAssistant, entry: ConfigEntry, key: str, sip_id: str = "") -> str:
    platform = "button" if key == "mark_missed_seen" else "sensor"
    entity_id = entity_id_of(
        hass, entry, platform, f"{sip_id}_{key}" if sip_id else key
    )
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _counts(
    hass: HomeAssistant, entry: ConfigEntry, sip_id: str = ""
) -> tuple[str, ...]:
    return tuple(
        _state(hass, entry, key, sip_id)
        for key in ("missed_calls", "calls_today", "missed_today", "talk_time_today")
    )


async def _answered_call(
    hass: HomeAssistant, simulator: SimulatorServer, talk: float
) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    sim.engine.calls[call_id].answered_at -= talk  # the conversation lasted `talk` s
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


async def _missed_call(hass: HomeAssistant, simulator: SimulatorServer) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


async def test_calls_are_counted_at_the_pbx_and_the_workplace(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """An answered call adds a call and its talk time; a missed one a missed call."""
    assert _counts(hass, config_entry)[:3] == ("0", "0", "0")
    assert float(_counts(hass, config_entry)[3]) == 0
    await _answered_call(hass, simulator, 150)
    await _missed_call(hass, simulator)
    await _missed_call(hass, simulator)
    missed, calls, missed_today, talk = _counts(hass, config_entry)
    assert (missed, calls, missed_today) == ("2", "3", "2")
    assert 149 <= float(talk) <= 151  # seconds
    assert _counts(hass, config_entry, RECEPTION)[:3] == ("2", "3", "2")
    assert _counts(hass, config_entry, IVAN)[:3] == ("0", "0", "0")


async def test_short_talks_show_in_seconds(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Talks of 15 s and 8 s: "23 s", not "0m" (minutes rounded to 0 places).

    An install from before keeps its display in minutes, and so the unit of its
    long-term statistics (the native unit stays seconds).
    """
    talk = entity_id_of(hass, config_entry, "sensor", "talk_time_today")
    await _answered_call(hass, simulator, 15)
    await _answered_call(hass, simulator, 8)
    state = hass.states.get(talk)
    assert state is not None
    assert (state.state, state.attributes["unit_of_measurement"]) == ("23", "s")
    assert state.attributes["state_class"] == "total_increasing"
    registry = er.async_get(hass)
    registered = registry.async_get(talk)
    assert registered is not None
    # The frontend writes the state with this many decimals: "23 s".
    assert registered.options["sensor"]["suggested_display_precision"] == 0

    # As an install from before this change registered it: minutes.
    registry.async_update_entity_options(
        talk, "sensor.private", {"suggested_unit_of_measurement": "min"}
    )
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(talk)
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "min"
    assert float(state.state) * 60 == pytest.approx(23)


async def test_missed_calls_are_marked_seen(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """The workplace's button clears its count (and the PBX's share); the action all."""
    await _missed_call(hass, simulator)
    await _missed_call(hass, simulator)
    assert _state(hass, config_entry, "missed_calls") == "2"
    button = entity_id_of(hass, config_entry, "button", f"{RECEPTION}_mark_missed_seen")
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    assert _state(hass, config_entry, "missed_calls", RECEPTION) == "0"
    assert _state(hass, config_entry, "missed_calls") == "0"
    assert _state(hass, config_entry, "missed_today") == "2"  # still missed today

    await _missed_call(hass, simulator)
    assert _state(hass, config_entry, "missed_calls") == "1"
    await hass.services.async_call(DOMAIN, "mark_missed_seen", {}, blocking=True)
    assert _state(hass, config_entry, "missed_calls") == "0"
    assert _state(hass, config_entry, "missed_calls", RECEPTION) == "0"

    await _missed_call(hass, simulator)
    await hass.services.async_call(
        DOMAIN, "mark_missed_seen", {"workplace": RECEPTION}, blocking=True
    )
    assert _state(hass, config_entry, "missed_calls") == "0"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "mark_missed_seen", {"workplace": "000"}, blocking=True
        )
    assert err.value.translation_key == "unknown_workplace"


async def test_counters_survive_a_restart_and_reset_at_midnight(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """Reloaded, the entry keeps its counts; at local midnight the day's start at 0."""
    await _missed_call(hass, simulator)
    await _answered_call(hass, simulator, 60)
    before = _counts(hass, config_entry)
    assert before[:3] == ("1", "2", "1")
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert _counts(hass, config_entry) == before

    now = dt_util.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    with freeze_time(midnight + timedelta(seconds=1)):
        async_fire_time_changed(hass, midnight + timedelta(seconds=1))
        await hass.async_block_till_done()
    # Unseen missed calls stay until seen; the day's counters start again.
    assert _counts(hass, config_entry)[:3] == ("1", "0", "0")
    assert float(_counts(hass, config_entry)[3]) == 0


@pytest.mark.production_cooldown
async def test_a_burst_of_ended_calls_is_written_in_steps(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Calls ending in a burst: one write at once, the rest after the cool-down."""
    entity_id = entity_id_of(hass, config_entry, "sensor", "calls_today")
    writes: list[str] = []

    @callback
    def _written(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            writes.append(state.state)

    async_track_state_change_event(hass, entity_id, _written)
    for _ in range(5):
        await _missed_call(hass, simulator)
    assert writes == ["1"]  # the first at once, the others wait for the cool-down
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=COUNTERS_WRITE_COOLDOWN + 1)
    )
    await hass.async_block_till_done()
    assert writes == ["1", "5"]
    # Other workplaces' counters were not written at all.
    ivan = entity_id_of(hass, config_entry, "sensor", f"{IVAN}_calls_today")
    assert hass.states.get(ivan).last_changed < hass.states.get(entity_id).last_changed


def _talk_seconds(hass: HomeAssistant, entry: ConfigEntry, sip_id: str = "") -> float:
    """Talk time today as its sensor shows it, in seconds (whatever its unit)."""
    key = f"{sip_id}_talk_time_today" if sip_id else "talk_time_today"
    state = hass.states.get(entity_id_of(hass, entry, "sensor", key))
    assert state is not None
    return float(state.state) * SECONDS[state.attributes["unit_of_measurement"]]


@pytest.mark.parametrize(
    "scenario",
    VARIANT_SETS,
    ids=lambda variants: "+".join(sorted(variants)) or "documented",
    indirect=True,
)
async def test_a_transferred_call_counts_each_workplaces_talk(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Answered at the reception, transferred to Ivan, talked: each its own share.

    The simulator gives the target a new leg `~3o`; the reception's talk ends with
    its `hiding` (timed by Home Assistant), Ivan's with `finished` (the PBX's count).
    """
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await async_settle(hass, simulator)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    await asyncio.sleep(1.5)  # the reception talks
    await hass.services.async_call(
        DOMAIN,
        "transfer_call",
        {"call_id": call_id, "callee_id": IVAN},
        blocking=True,
    )
    await async_settle(hass, simulator)
    await sim.answer(call_id, IVAN)
    await async_settle(hass, simulator)
    sim.engine.calls[call_id].answered_at -= 30  # Ivan talks 30 s
    await sim.hang_up(call_id, "workplace")
    await async_settle(hass, simulator)

    reception = _talk_seconds(hass, config_entry, RECEPTION)
    ivan = _talk_seconds(hass, config_entry, IVAN)
    assert 1 <= reception <= 4
    assert ivan == pytest.approx(30, abs=0.5)
    assert _talk_seconds(hass, config_entry) == pytest.approx(reception + ivan)
    # the call was at both workplaces: counted once at each, and once at the PBX
    assert _counts(hass, config_entry)[:3] == ("0", "1", "0")
    assert _counts(hass, config_entry, RECEPTION)[:3] == ("0", "1", "0")
    assert _counts(hass, config_entry, IVAN)[:3] == ("0", "1", "0")

    (record,) = config_entry.runtime_data.journal.page()[0]
    assert [(t.workplace, t.workplace_name) for t in record.talks] == [
        (RECEPTION, "Ресепшн"),
        (IVAN, "Менеджер Иван"),
    ]
    assert [t.seconds for t in record.talks] == [round(reception), round(ivan)]
    assert record.duration == round(reception) + round(ivan)
    assert record.workplace == IVAN
    assert record.answered == record.talks[0].answered
    assert not record.missed
