"""Workplaces of people: the options step, make_call from one's own workplace, the
person in call events, the journal and the card's picture, against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from homeassistant.auth.models import User
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.journal_record import JournalRecord

from .conftest import SimulatorServer, async_settle, collect_call_events, journal_call

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
ANNA = "person.anna"
BORIS = "person.boris"


@pytest.fixture(autouse=True)
async def people(hass: HomeAssistant, hass_admin_user: User) -> dict[str, User]:
    """Анна (the admin user, who the websocket client signs in as) and Борис.

    Виктор is a user with no person. Set up first: `person` serves HTTP views, so
    it comes before Home Assistant's HTTP server starts (`ha_server`).
    """
    boris = await hass.auth.async_create_user("Борис")
    viktor = await hass.auth.async_create_user("Виктор")
    assert await async_setup_component(
        hass,
        "person",
        {
            "person": [
                {"id": "anna", "name": "Анна", "user_id": hass_admin_user.id},
                {"id": "boris", "name": "Борис", "user_id": boris.id},
            ]
        },
    )
    await hass.async_block_till_done()
    assert hass.states.get(ANNA) is not None
    return {"anna": hass_admin_user, "boris": boris, "viktor": viktor}


async def _open(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    assert menu["type"] is FlowResultType.MENU
    assert "people" in menu["menu_options"]
    form = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "people"}
    )
    assert form["type"] is FlowResultType.FORM
    assert form["step_id"] == "people"
    return form


async def _give(
    hass: HomeAssistant, entry: ConfigEntry, person: str, workplace: str
) -> ConfigFlowResult:
    form = await _open(hass, entry)
    return await hass.config_entries.options.async_configure(
        form["flow_id"], {"person": person, "workplace": workplace}
    )


def _labels(form: ConfigFlowResult, key: str) -> list[tuple[str, str]]:
    schema = form["data_schema"]
    assert schema is not None
    marker = next(k for k in schema.schema if k == key)
    options = schema.schema[marker].config["options"]
    return [(o["value"], o["label"]) for o in options]


@pytest.mark.parametrize(
    ("language", "none", "nobody"),
    [
        ("en", "No workplace", "Nobody has a workplace yet."),
        ("ru", "Без рабочего места", "Рабочие места пока ни за кем не закреплены."),
    ],
)
async def test_step_names_people_and_workplaces(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    people: dict[str, User],
    language: str,
    none: str,
    nobody: str,
) -> None:
    """People and workplaces are chosen by name; the step says who works where."""
    hass.config.language = language
    form = await _open(hass, config_entry)
    assert _labels(form, "person") == [(ANNA, "Анна"), (BORIS, "Борис")]
    assert _labels(form, "workplace")[:3] == [
        ("none", none),
        (RECEPTION, "Ресепшн"),
        (IVAN, "Менеджер Иван"),
    ]
    assert form["description_placeholders"] == {"people": nobody}
    menu = await hass.config_entries.options.async_configure(
        form["flow_id"], {"person": ANNA, "workplace": RECEPTION}
    )
    assert menu["type"] is FlowResultType.MENU
    assert config_entry.options["people"] == {RECEPTION: ANNA}
    form = await _open(hass, config_entry)
    assert form["description_placeholders"] == {"people": "- Анна → Ресепшн"}


async def test_a_workplace_has_one_person(
    hass: HomeAssistant, config_entry: ConfigEntry, people: dict[str, User]
) -> None:
    """A taken workplace is refused naming its person; a person moves; none frees."""
    await _give(hass, config_entry, ANNA, RECEPTION)
    form = await _give(hass, config_entry, BORIS, RECEPTION)
    assert form["type"] is FlowResultType.FORM
    assert form["errors"] == {"workplace": "workplace_taken"}
    assert form["description_placeholders"]["person"] == "Анна"
    assert config_entry.options["people"] == {RECEPTION: ANNA}
    await _give(hass, config_entry, BORIS, IVAN)
    await _give(hass, config_entry, ANNA, IVAN)
    assert config_entry.options["people"] == {RECEPTION: ANNA, IVAN: BORIS}
    await _give(hass, config_entry, ANNA, "none")
    assert config_entry.options["people"] == {IVAN: BORIS}
    await _give(hass, config_entry, BORIS, RECEPTION)  # Борис moves
    assert config_entry.options["people"] == {RECEPTION: BORIS}


async def test_unknown_person_or_workplace_refused(
    hass: HomeAssistant, config_entry: ConfigEntry, people: dict[str, User]
) -> None:
    """Only the people and workplaces listed; a person gone meanwhile is refused."""
    for data in (
        {"person": "person.nobody", "workplace": RECEPTION},
        {"person": ANNA, "workplace": "123"},
    ):
        form = await _open(hass, config_entry)
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(form["flow_id"], data)
    form = await _open(hass, config_entry)
    hass.states.async_remove(ANNA)
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"person": ANNA, "workplace": RECEPTION}
    )
    assert result["errors"] == {"person": "unknown_person"}
    assert "people" not in config_entry.options


async def _make_call(
    hass: HomeAssistant, user: User | None, **data: Any
) -> dict[str, Any]:
    result = await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"callee_id": "+7 921 946-27-61", **data},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id if user else None),
    )
    assert result is not None
    return dict(result)


async def test_make_call_from_the_users_workplace(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    people: dict[str, User],
) -> None:
    """Without caller_id the user's person's workplace rings; caller_id still wins."""
    await _give(hass, config_entry, BORIS, IVAN)
    result = await _make_call(hass, people["boris"])
    request = simulator.simulator.requests[-1]
    assert request.method == "makeCall"
    assert request.params == {"params": {"callerId": IVAN, "calleeId": "89219462761"}}
    assert simulator.simulator.engine.calls[result["call_id"]].leg.workplace == IVAN
    await _make_call(hass, people["boris"], caller_id=RECEPTION)
    assert simulator.simulator.requests[-1].params["params"]["callerId"] == RECEPTION


@pytest.mark.parametrize(
    ("user", "key", "english"),
    [
        (None, "caller_required", "was not called by a user"),
        ("viktor", "no_workplace_of_user", "your person has no workplace"),
        ("anna", "no_workplace_of_user", "your person has no workplace"),
    ],
)
async def test_make_call_without_a_workplace_of_ones_own(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    people: dict[str, User],
    user: str | None,
    key: str,
    english: str,
) -> None:
    """No user (an automation), no person, a person without a workplace: refused."""
    await _give(hass, config_entry, BORIS, IVAN)
    before = len(simulator.simulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _make_call(hass, people[user] if user else None)
    assert err.value.translation_key == key
    assert english in str(err.value)
    assert len(simulator.simulator.requests) == before


async def test_events_and_journal_name_the_person(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    people: dict[str, User],
) -> None:
    """A call at Анна's workplace names her; another workplace's names no one.

    Incoming events count the caller's calls today, this one included.
    """
    await _give(hass, config_entry, ANNA, RECEPTION)
    events: list[Event] = collect_call_events(hass)
    sim = simulator.simulator
    for _ in range(2):
        call_id = await sim.start_incoming_call("89161234567", EXTERNAL)
        await async_settle(hass, simulator, rounds=1)
        await sim.hang_up(call_id)
        await async_settle(hass, simulator, rounds=1)
    first, second = dict.fromkeys(e.data["call_id"] for e in events)
    for call, count in ((first, 1), (second, 2)):
        data = [e.data for e in events if e.data["call_id"] == call]
        showing = next(d for d in data if d["state"] == "showing")
        assert showing["person"] == ANNA
        assert {d["calls_today_from_caller"] for d in data} == {count}
    # Kept across a restart: the journal, and so today's count.
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    record = config_entry.runtime_data.journal.get(second)
    assert record is not None
    assert record.person == ANNA
    assert JournalRecord.from_dict(record.as_dict()) == record
    events.clear()
    await sim.start_incoming_call("+7 916 123-45-67", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    assert {e.data["calls_today_from_caller"] for e in events} == {3}
    # Outgoing calls count nothing; a workplace without a person names no one.
    await async_settle(hass, simulator, rounds=1)
    events.clear()
    await config_entry.runtime_data.client.make_call(IVAN, "89219462761")
    await async_settle(hass, simulator, rounds=1)
    assert events
    assert {(e.data["person"], e.data["calls_today_from_caller"]) for e in events} == {
        (None, None)
    }


async def test_records_stored_before_people_read() -> None:
    """A record stored without `person` reads back with none."""
    stored = journal_call(1, datetime(2026, 11, 22, 8, 0, tzinfo=UTC)).as_dict()
    del stored["person"]
    assert JournalRecord.from_dict(stored).person is None


async def test_the_card_knows_the_users_workplace(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    people: dict[str, User],
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The picture names the signed-in user's workplace, and again when it changes."""
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "mtt_business/calls/subscribe"})
    assert (await ws.receive_json())["success"]
    first = await ws.receive_json()
    assert first["event"]["entries"][0]["my_workplace"] is None
    await _give(hass, config_entry, ANNA, IVAN)
    changed = await ws.receive_json()
    assert changed["event"]["entries"][0]["my_workplace"] == IVAN
