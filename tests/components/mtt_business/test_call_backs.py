"""The Call back lists: missed numbers to call back, done by a later connected call."""

from __future__ import annotations

from typing import Any

from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.mtt_business import call_backs as call_backs_module
from custom_components.mtt_business.const import DOMAIN
from mtt_simulator.scenario import Scenario

from .conftest import SimulatorServer, async_settle, entity_id_of

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
CALLER = "79161234567"
SHOWN = "+7 916 123-45-67"


@pytest.fixture
def scenario() -> Scenario:
    """The demo scenario, no recordings (nothing to download)."""
    scenario = Scenario.demo()
    scenario.parking_window = 0.3
    scenario.record_calls = False
    return scenario


def _pbx_list(hass: HomeAssistant, entry: ConfigEntry) -> str:
    return entity_id_of(hass, entry, "todo", "call_backs")


def _workplace_list(hass: HomeAssistant, entry: ConfigEntry, sip_id: str) -> str:
    return entity_id_of(hass, entry, "todo", f"{sip_id}_call_backs")


async def _items(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    result = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {ATTR_ENTITY_ID: entity_id},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    items: list[dict[str, Any]] = result[entity_id]["items"]  # type: ignore[index]
    return items


async def _missed_call(
    hass: HomeAssistant, simulator: SimulatorServer, caller: str = CALLER
) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(caller, EXTERNAL)
    await async_settle(hass, simulator, wait=0.4)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


async def _answered_incoming(
    hass: HomeAssistant, simulator: SimulatorServer, caller: str
) -> None:
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(caller, EXTERNAL)
    await async_settle(hass, simulator, wait=0.4)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


async def _call_back(
    hass: HomeAssistant,
    simulator: SimulatorServer,
    callee: str,
    *,
    answered: bool = True,
    workplace: str = IVAN,
) -> None:
    """`make_call` from `workplace` to `callee`; the callee answers (or does not)."""
    result = await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": workplace, "callee_id": callee},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    call_id = str(result["call_id"])
    sim = simulator.simulator
    await async_settle(hass, simulator)
    if answered:
        await sim.answer(call_id)
        await async_settle(hass, simulator)
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)


async def test_a_missed_call_is_to_be_called_back(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """One item per number, in the PBX's list and the list of the workplace it rang
    at; calling again counts it (never a second item), whatever the number's form."""
    pbx = _pbx_list(hass, config_entry)
    assert hass.states.get(pbx).state == "0"  # type: ignore[union-attr]
    await _missed_call(hass, simulator)

    (item,) = await _items(hass, pbx)
    assert item["summary"] == SHOWN
    assert item["status"] == "needs_action"
    assert item["description"].startswith(f"{SHOWN} · called once, last on ")
    assert "due" in item
    assert hass.states.get(pbx).state == "1"  # type: ignore[union-attr]
    (at_reception,) = await _items(hass, _workplace_list(hass, config_entry, RECEPTION))
    assert at_reception["summary"] == SHOWN
    assert await _items(hass, _workplace_list(hass, config_entry, IVAN)) == []

    await _missed_call(hass, simulator, caller="89161234567")
    (again,) = await _items(hass, pbx)
    assert again["uid"] == item["uid"]
    assert again["description"].startswith(f"{SHOWN} · called 2 times, last on ")
    assert hass.states.get(pbx).state == "1"  # type: ignore[union-attr]

    await _missed_call(hass, simulator, caller="79031112233")
    newest, older = await _items(hass, pbx)
    assert (newest["summary"], older["summary"]) == ("+7 903 111-22-33", SHOWN)
    assert hass.states.get(pbx).state == "2"  # type: ignore[union-attr]


async def test_an_answered_call_back_completes_the_item(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Called back from Ivan's workplace and answered: done in every list, saying by
    whom; a call back nobody answers leaves it open."""
    pbx = _pbx_list(hass, config_entry)
    reception = _workplace_list(hass, config_entry, RECEPTION)
    await _missed_call(hass, simulator)

    await _call_back(hass, simulator, "89161234567", answered=False)
    (item,) = await _items(hass, pbx)
    assert item["status"] == "needs_action"

    await _call_back(hass, simulator, "+7 916 123-45-67")
    for entity_id in (pbx, reception):
        (item,) = await _items(hass, entity_id)
        assert item["status"] == "completed", entity_id
        assert "completed" in item
        assert "\nCalled back: Менеджер Иван, " in item["description"]
        assert hass.states.get(entity_id).state == "0"  # type: ignore[union-attr]

    # Missed again later: a new item (the done one stays, ticked).
    await _missed_call(hass, simulator)
    new, done = await _items(hass, pbx)
    assert (new["status"], done["status"]) == ("needs_action", "completed")
    assert new["uid"] != done["uid"]


async def test_an_answered_incoming_call_completes_the_item(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """The number calls again and the reception answers: done, "Answered"."""
    pbx = _pbx_list(hass, config_entry)
    await _missed_call(hass, simulator)
    await _missed_call(hass, simulator, caller="79031112233")
    await _answered_incoming(hass, simulator, "8 (916) 123-45-67")

    item, other = await _items(hass, pbx)  # newest change first
    assert item["summary"] == SHOWN
    assert item["status"] == "completed"
    assert "\nAnswered: Ресепшн, " in item["description"]
    assert other["status"] == "needs_action"
    assert hass.states.get(pbx).state == "1"  # type: ignore[union-attr]


async def test_ticked_off_opened_again_and_deleted(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A person ticks an item off, opens it again and deletes it; the lists of
    others are left as they are."""
    pbx = _pbx_list(hass, config_entry)
    reception = _workplace_list(hass, config_entry, RECEPTION)
    await _missed_call(hass, simulator)
    (item,) = await _items(hass, pbx)

    await hass.services.async_call(
        TODO_DOMAIN,
        "update_item",
        {ATTR_ENTITY_ID: pbx, "item": item["uid"], "status": "completed"},
        blocking=True,
    )
    (ticked,) = await _items(hass, pbx)
    assert ticked["status"] == "completed"
    assert "\nDone: " in ticked["description"]
    assert hass.states.get(pbx).state == "0"  # type: ignore[union-attr]
    (theirs,) = await _items(hass, reception)
    assert theirs["status"] == "needs_action"

    await hass.services.async_call(
        TODO_DOMAIN,
        "update_item",
        {ATTR_ENTITY_ID: pbx, "item": SHOWN, "status": "needs_action"},
        blocking=True,
    )
    (opened,) = await _items(hass, pbx)
    assert opened["status"] == "needs_action"

    await hass.services.async_call(
        TODO_DOMAIN,
        "remove_item",
        {ATTR_ENTITY_ID: pbx, "item": [item["uid"]]},
        blocking=True,
    )
    assert await _items(hass, pbx) == []
    assert hass.states.get(pbx).state == "0"  # type: ignore[union-attr]
    # A deleted number that is missed again starts afresh.
    await _missed_call(hass, simulator)
    (fresh,) = await _items(hass, pbx)
    assert fresh["description"].startswith(f"{SHOWN} · called once")


async def test_bad_changes_are_refused(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """An unknown item, a renamed one and adding one by hand: translated errors."""
    pbx = _pbx_list(hass, config_entry)
    await _missed_call(hass, simulator)
    (item,) = await _items(hass, pbx)

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            TODO_DOMAIN,
            "update_item",
            {ATTR_ENTITY_ID: pbx, "item": "no-such-uid", "status": "completed"},
            blocking=True,
        )
    assert raised.value.translation_key == "item_not_found"

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            TODO_DOMAIN,
            "update_item",
            {ATTR_ENTITY_ID: pbx, "item": item["uid"], "rename": "Иван"},
            blocking=True,
        )
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "call_back_read_only"
    assert raised.value.translation_placeholders == {"item": SHOWN}

    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            TODO_DOMAIN,
            "add_item",
            {ATTR_ENTITY_ID: pbx, "item": "Позвонить маме"},
            blocking=True,
        )
    # The entity itself refuses an item it does not have (one deleted meanwhile).
    entity = hass.data["todo"].get_entity(pbx)
    stale = (entity.todo_items or [])[0]
    await hass.services.async_call(
        TODO_DOMAIN,
        "remove_item",
        {ATTR_ENTITY_ID: pbx, "item": [item["uid"]]},
        blocking=True,
    )
    with pytest.raises(ServiceValidationError) as raised:
        await entity.async_update_todo_item(stale)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "call_back_not_found"
    with pytest.raises(ServiceValidationError) as raised:
        await entity.async_delete_todo_items([item["uid"]])
    assert raised.value.translation_key == "call_back_not_found"
    assert (await _items(hass, pbx)) == []


async def test_the_lists_are_kept_across_restarts(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """After a reload the items (open and done) come back as they were."""
    pbx = _pbx_list(hass, config_entry)
    await _missed_call(hass, simulator)
    await _missed_call(hass, simulator)
    await _missed_call(hass, simulator, caller="79031112233")
    await _call_back(hass, simulator, "89031112233")
    before = await _items(hass, pbx)

    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()

    assert await _items(hass, pbx) == before
    assert [i["status"] for i in before] == ["completed", "needs_action"]
    assert hass.states.get(pbx).state == "1"  # type: ignore[union-attr]
    # Still one item per number: the kept open item counts the next call.
    await _missed_call(hass, simulator)
    assert (await _items(hass, pbx))[0]["description"].startswith(
        f"{SHOWN} · called 3 times"
    )


@pytest.fixture
def two_items_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists of at most 2 items (500 in production)."""
    monkeypatch.setattr(call_backs_module, "MAX_ITEMS", 2)


async def test_a_list_is_bounded(
    hass: HomeAssistant,
    two_items_a_list: None,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """Past the bound the oldest done item goes first, then the oldest open one."""
    entry = config_entry
    pbx = _pbx_list(hass, entry)
    await _missed_call(hass, simulator, caller="79031110001")
    await _missed_call(hass, simulator, caller="79031110002")
    await _call_back(hass, simulator, "89031110001")
    await _missed_call(hass, simulator, caller="79031110003")
    assert [i["summary"] for i in await _items(hass, pbx)] == [
        "+7 903 111-00-03",
        "+7 903 111-00-02",
    ]
    await _missed_call(hass, simulator, caller="79031110004")
    assert [i["summary"] for i in await _items(hass, pbx)] == [
        "+7 903 111-00-04",
        "+7 903 111-00-03",
    ]


async def test_names_and_russian(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A number the phone book names is shown by its name; in Russian the
    description is Russian."""
    hass.config.language = "ru"
    await hass.services.async_call(
        DOMAIN,
        "set_contacts",
        {"contacts": {"8 916 123-45-67": "Иван Петров"}},
        blocking=True,
    )
    await hass.async_block_till_done()
    pbx = _pbx_list(hass, config_entry)
    for _ in range(3):
        await _missed_call(hass, simulator)
    await _call_back(hass, simulator, CALLER)
    (item,) = await _items(hass, pbx)
    assert item["summary"] == "Иван Петров"
    first, done = item["description"].split("\n")
    assert first.startswith(f"{SHOWN} · звонили 3 раза, последний раз ")
    assert done.startswith("Перезвонил: Менеджер Иван, ")
    assert not any(c.isascii() and c.isalpha() for c in item["description"])
