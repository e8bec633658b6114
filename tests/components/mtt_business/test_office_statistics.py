"""Office statistics: the external number a call dialled, the day's answer rate and
times to answer, calls per external number, and ghost calls (issue 22).

Calls go through the simulator over real HTTP; how long a call rings is set by
sleeping between its pushes (the simulator shows an unparked call at once).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
import re
from typing import Any

from freezegun import freeze_time
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_service,
)
import yaml

from custom_components.mtt_business.journal_record import JournalRecord
from custom_components.mtt_business.logbook import call_icon, describe_call
from custom_components.mtt_business.logbook_texts import logbook_template
from mtt_simulator.scenario import Scenario
from mtt_simulator.variants import Variant

from .conftest import SimulatorServer, async_settle, collect_call_events, entity_id_of

RECEPTION = "883140777716581"
IVAN = "883140777828305"
MAIN = "74996497803"
FREEPHONE = "78005560251"
CALLER = "79161234567"
README = Path(__file__).resolve().parents[3] / "README.md"
VARIANT_SETS = [frozenset[Variant](), frozenset({Variant.NO_PARKING_LEG})]


@pytest.fixture
def scenario(request: pytest.FixtureRequest) -> Scenario:
    """The demo scenario (under the variants a test is parametrized with)."""
    scenario = Scenario.demo()
    scenario.variants = getattr(request, "param", frozenset())
    scenario.parking_window = 0.3
    scenario.record_calls = False
    return scenario


def _value(hass: HomeAssistant, entry: ConfigEntry, key: str) -> str:
    state = hass.states.get(entity_id_of(hass, entry, "sensor", key))
    assert state is not None, key
    return state.state


def _float(hass: HomeAssistant, entry: ConfigEntry, key: str) -> float:
    return float(_value(hass, entry, key))


async def _call(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    external: str = MAIN,
    *,
    ring: float = 0.0,
    answer: bool = True,
) -> None:
    """A call to `external` that rings `ring` s, then is answered (or given up)."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(CALLER, external)
    await async_settle(hass, simulator)
    if ring:
        await asyncio.sleep(ring)
    if answer:
        await sim.answer(call_id)
        await async_settle(hass, simulator)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


def _ended(events: list[Event]) -> list[dict[str, Any]]:
    return [event.data for event in events if event.data["state"] == "finished"]


@pytest.mark.parametrize(
    "scenario",
    VARIANT_SETS,
    ids=lambda variants: "+".join(sorted(variants)) or "documented",
    indirect=True,
)
async def test_calls_on_two_external_numbers_are_counted_apart(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Each external number counts the calls dialled to it; the event, the journal
    and the logbook (English and Russian) name the number."""
    events = collect_call_events(hass)
    assert _value(hass, config_entry, f"calls_today_{MAIN}") == "0"
    await _call(hass, simulator, MAIN, answer=False)
    await _call(hass, simulator, FREEPHONE)
    await _call(hass, simulator, FREEPHONE)

    assert _value(hass, config_entry, f"calls_today_{MAIN}") == "1"
    assert _value(hass, config_entry, f"missed_today_{MAIN}") == "1"
    assert _value(hass, config_entry, f"calls_today_{FREEPHONE}") == "2"
    assert _value(hass, config_entry, f"missed_today_{FREEPHONE}") == "0"
    assert _value(hass, config_entry, "calls_today") == "3"  # the PBX: all of them
    # Every step of a call names the number it dialled.
    assert {e.data["external_number"] for e in events} == {
        f"+{MAIN}",
        f"+{FREEPHONE}",
    }
    assert [e["external_number"] for e in _ended(events)] == [
        f"+{MAIN}",
        f"+{FREEPHONE}",
        f"+{FREEPHONE}",
    ]
    records = config_entry.runtime_data.journal.page()[0]
    assert [r.external_number for r in records] == [
        f"+{FREEPHONE}",
        f"+{FREEPHONE}",
        f"+{MAIN}",
    ]

    (first, *_) = (e.data for e in events if e.data["state"] == "trying")
    missed = _ended(events)[0]
    assert describe_call(logbook_template("en"), first) == (
        "incoming call: +7 916 123-45-67 → +7 499 649-78-03"
    )
    assert describe_call(logbook_template("ru"), missed) == (
        "пропущенный вызов: +7 916 123-45-67 → +7 499 649-78-03"
    )
    freephone = next(
        e.data
        for e in events
        if e.data["state"] == "trying" and e.data["external_number"] == f"+{FREEPHONE}"
    )
    assert describe_call(logbook_template("en"), freephone) == (
        "incoming call: +7 916 123-45-67 → +7 800 556-02-51"
    )
    assert describe_call(logbook_template("ru"), freephone) == (
        "входящий вызов: +7 916 123-45-67 → +7 800 556-02-51"
    )


async def test_sensors_of_each_external_number_are_named_after_it(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """On the PBX's device, as its Parking switches: the number, formatted."""
    state = hass.states.get(
        entity_id_of(hass, config_entry, "sensor", f"missed_today_{FREEPHONE}")
    )
    assert state is not None
    assert state.attributes["friendly_name"] == (
        "MTT Business +7 499 649-78-03 Missed calls to +7 800 556-02-51 today"
    )
    assert state.attributes["state_class"] == "total_increasing"


async def test_answer_rate_and_times_to_answer(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Answered after 1.2 s and 0.4 s of ringing, and one missed: 67 %, 0.8 s, 1.2 s.

    Unknown before the day's first incoming call (no rate) and first answer.
    """
    for key in (
        "answer_rate_today",
        "average_answer_time_today",
        "longest_answer_time_today",
        f"{RECEPTION}_answer_rate_today",
    ):
        assert _value(hass, config_entry, key) == "unknown", key
    await _call(hass, simulator, ring=1.2)
    await _call(hass, simulator, ring=0.4)
    await _call(hass, simulator, ring=0.2, answer=False)

    for prefix in ("", f"{RECEPTION}_"):
        assert _float(hass, config_entry, f"{prefix}answer_rate_today") == 66.7
        assert _float(
            hass, config_entry, f"{prefix}average_answer_time_today"
        ) == pytest.approx(0.8, abs=0.25)
        assert _float(
            hass, config_entry, f"{prefix}longest_answer_time_today"
        ) == pytest.approx(1.2, abs=0.25)
    # Nothing rang at Ivan's.
    assert _value(hass, config_entry, f"{IVAN}_answer_rate_today") == "unknown"
    state = hass.states.get(
        entity_id_of(hass, config_entry, "sensor", "longest_answer_time_today")
    )
    assert state is not None
    assert state.attributes["state_class"] == "measurement"
    assert state.attributes["device_class"] == "duration"
    assert state.attributes["unit_of_measurement"] == "s"
    rate = hass.states.get(
        entity_id_of(hass, config_entry, "sensor", "answer_rate_today")
    )
    assert rate is not None
    assert rate.attributes["unit_of_measurement"] == "%"
    assert rate.attributes["state_class"] == "measurement"


async def test_an_outgoing_call_is_no_incoming_call(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A call from a workplace does not change the answer rate, nor any number's."""
    sim = simulator.simulator
    await _call(hass, simulator, ring=0.2)
    call_id = await config_entry.runtime_data.client.make_call(IVAN, "89219462761")
    await async_settle(hass, simulator)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    await sim.hang_up(call_id, "callee")
    await async_settle(hass, simulator)
    assert _value(hass, config_entry, "calls_today") == "2"
    assert _float(hass, config_entry, "answer_rate_today") == 100
    assert _value(hass, config_entry, f"calls_today_{MAIN}") == "1"
    assert _value(hass, config_entry, f"{IVAN}_calls_today") == "1"
    assert _value(hass, config_entry, f"{IVAN}_answer_rate_today") == "unknown"


async def test_statistics_survive_a_restart_and_reset_at_midnight(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Reloaded, the entry keeps its figures; at local midnight the day starts over."""
    await _call(hass, simulator, FREEPHONE, ring=0.5)
    await _call(hass, simulator, FREEPHONE, answer=False)
    keys = (
        "answer_rate_today",
        "average_answer_time_today",
        "longest_answer_time_today",
        f"{RECEPTION}_answer_rate_today",
        f"calls_today_{FREEPHONE}",
        f"missed_today_{FREEPHONE}",
    )
    before = [_value(hass, config_entry, key) for key in keys]
    assert before[0] == "50.0"
    assert before[-2:] == ["2", "1"]
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert [_value(hass, config_entry, key) for key in keys] == before

    now = dt_util.now()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    with freeze_time(midnight + timedelta(seconds=1)):
        async_fire_time_changed(hass, midnight + timedelta(seconds=1))
        await hass.async_block_till_done()
    assert [_value(hass, config_entry, key) for key in keys] == [
        "unknown",
        "unknown",
        "unknown",
        "unknown",
        "0",
        "0",
    ]


async def _set_ghost_seconds(
    hass: HomeAssistant, entry: ConfigEntry, seconds: float
) -> None:
    """Configure → Missed calls → N seconds."""
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    assert "missed_calls" in menu["menu_options"]
    form = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "missed_calls"}
    )
    assert form["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"ghost_seconds": seconds}
    )
    assert result["type"] is FlowResultType.MENU
    await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "done"}
    )


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "an unanswered call that rang less than 3 s is not missed"),
        ("ru", "непринятый вызов, звонивший меньше 3 с, не считается пропущенным"),
    ],
)
async def test_the_missed_calls_option(
    hass: HomeAssistant, config_entry: ConfigEntry, language: str, shown: str
) -> None:
    """The menu says what is set; N is 0 to 60 whole seconds, else refused."""
    hass.config.language = language
    menu = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert menu["description_placeholders"]["missed_calls"] != shown
    await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "done"}
    )
    await _set_ghost_seconds(hass, config_entry, 3)
    assert config_entry.options["ghost_seconds"] == 3
    menu = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert menu["description_placeholders"]["missed_calls"] == shown
    form = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "missed_calls"}
    )
    for bad in (-1, 61, "soon"):
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(
                form["flow_id"], {"ghost_seconds": bad}
            )
    assert config_entry.options["ghost_seconds"] == 3


async def test_a_ghost_call_is_not_missed_but_journaled_marked(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Under "less than 3 s": a call given up at once is a ghost; one that rang
    longer is missed. The ghost is journaled, marked, and its logbook line says so."""
    await _set_ghost_seconds(hass, config_entry, 3)
    events = collect_call_events(hass)
    await _call(hass, simulator, answer=False)

    (ended,) = _ended(events)
    assert ended["missed"] is False
    assert ended["ghost"] is True
    assert _value(hass, config_entry, "missed_today") == "0"
    assert _value(hass, config_entry, "missed_calls") == "0"
    assert _value(hass, config_entry, f"missed_today_{MAIN}") == "0"
    assert _value(hass, config_entry, "calls_today") == "1"
    assert _value(hass, config_entry, "answer_rate_today") == "unknown"
    pbx_call = hass.states.get(entity_id_of(hass, config_entry, "event", "call"))
    assert pbx_call is not None
    assert pbx_call.attributes["event_type"] == "finished"  # no `missed` event
    (record,) = config_entry.runtime_data.journal.page()[0]
    assert (record.missed, record.ghost) == (False, True)
    assert describe_call(logbook_template("en"), ended) == (
        "short call, not counted as missed: +7 916 123-45-67 → +7 499 649-78-03"
    )
    assert describe_call(logbook_template("ru"), ended) == (
        "короткий вызов, не считается пропущенным: +7 916 123-45-67 → +7 499 649-78-03"
    )
    assert call_icon(ended) == "mdi:phone-cancel"

    await _call(hass, simulator, ring=3.2, answer=False)
    assert _ended(events)[1]["missed"] is True
    assert "ghost" not in _ended(events)[1]
    assert _value(hass, config_entry, "missed_today") == "1"
    assert _float(hass, config_entry, "answer_rate_today") == 0


async def test_with_the_option_at_0_every_unanswered_call_is_missed(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """0 (the default, and set explicitly): a call given up at once is missed."""
    events = collect_call_events(hass)
    await _call(hass, simulator, answer=False)
    await _set_ghost_seconds(hass, config_entry, 0)
    await _call(hass, simulator, answer=False)
    for ended in _ended(events):
        assert ended["missed"] is True
        assert "ghost" not in ended
    assert _value(hass, config_entry, "missed_today") == "2"
    records = config_entry.runtime_data.journal.page()[0]
    assert [(r.missed, r.ghost) for r in records] == [(True, False), (True, False)]


def test_a_call_stored_before_reads_without_number_or_ghost(
    hass: HomeAssistant,
) -> None:
    """A record stored before these fields existed reads with none; a bad one fails."""
    record = JournalRecord(
        call_id="c1~2o",
        direction="incoming",
        caller="+79161234567",
        callee="+74996497803",
        started=dt_util.utcnow(),
        ended=dt_util.utcnow(),
        external_number="+74996497803",
        ghost=True,
    )
    stored = record.as_dict()
    assert JournalRecord.from_dict(stored) == record
    old = {k: v for k, v in stored.items() if k not in ("external_number", "ghost")}
    read = JournalRecord.from_dict(old)
    assert (read.external_number, read.ghost) == (None, False)
    with pytest.raises(TypeError):
        JournalRecord.from_dict(stored | {"ghost": "yes"})
    with pytest.raises(TypeError):
        JournalRecord.from_dict(stored | {"external_number": 74996497803})


def _readme_statistics_automations() -> list[dict[str, Any]]:
    """The automations of the README's office statistics and ghost calls."""
    text = README.read_text(encoding="utf-8")
    part = text.split("- **Office statistics**", 1)[1].split("- **Call history**", 1)[0]
    automations: list[dict[str, Any]] = []
    for block in re.findall(r"```yaml\n(.*?)```", part, re.DOTALL):
        automations += yaml.safe_load(block)["automation"]
    return automations


async def test_the_readme_statistics_automations_work(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """At 18:00 a day answered at 50 % is told; each ghost call is counted."""
    # A time zone where 18:00 is still to come today (no midnight in between).
    for zone in ("Pacific/Kiritimati", "Europe/Moscow", "UTC", "Pacific/Pago_Pago"):
        await hass.config.async_set_time_zone(zone)
        if dt_util.now().hour < 17:
            break
    automations = _readme_statistics_automations()
    assert [a["alias"] for a in automations] == [
        "Answer rate of the day",
        "Short calls",
    ]
    notified = async_mock_service(hass, "notify", "notify")
    counted = async_mock_service(hass, "counter", "increment")
    assert await async_setup_component(hass, "automation", {"automation": automations})
    await _set_ghost_seconds(hass, config_entry, 3)
    await _call(hass, simulator, ring=0.5)
    await _call(hass, simulator, answer=False)  # a ghost: not counted as incoming
    await _call(hass, simulator, ring=3.2, answer=False)  # missed
    assert len(counted) == 1
    assert counted[0].data["entity_id"] == ["counter.short_calls"]

    evening = dt_util.now().replace(hour=18, minute=0, second=0, microsecond=0)
    with freeze_time(evening):
        async_fire_time_changed(hass, evening)
        await hass.async_block_till_done()
    (told,) = notified
    assert told.data["title"] == "Answer rate"
    assert told.data["message"].startswith(
        "50.0 % of today's calls answered, on average after 0."
    )
