"""The call journal over the WebSocket API, and the journal through the entry's life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.mtt_business.journal_record import JournalRecord

from .conftest import journal_call

RECEPTION = "883140777716581"
IVAN = "883140777828305"
UNNAMED = "883140582526566"
"""A workplace the portal has no name for."""
DISPLAY_KEYS = {
    "caller_display",
    "caller_number",
    "callee_display",
    "callee_number",
    "workplace_display",
    "routed_to_display",
    "external_number_display",
}
"""What the list adds to each record: its parties as people read them."""
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def call(n: int) -> JournalRecord:
    """Call number `n`, `n` minutes after `T0`, without a recording."""
    return journal_call(n, T0 + timedelta(minutes=n), record_url=None)


def _stored(listed: dict[str, Any]) -> dict[str, Any]:
    """A listed call without its display keys: the record as stored."""
    assert listed.keys() >= DISPLAY_KEYS
    return {key: value for key, value in listed.items() if key not in DISPLAY_KEYS}


async def _list(ws: Any, **message: Any) -> dict[str, Any]:
    await ws.send_json_auto_id({"type": "mtt_business/journal/list", **message})
    response: dict[str, Any] = await ws.receive_json()
    return response


async def test_journal_pages(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A dashboard card reads the calls page by page, newest first."""
    calls = [call(n) for n in range(7)]
    for record in calls:
        config_entry.runtime_data.journal.add(record)
    ws = await hass_ws_client(hass)

    response = await _list(ws, entry_id=config_entry.entry_id, limit=3)
    assert response["success"], response
    first = response["result"]
    assert [_stored(c) for c in first["calls"]] == [r.as_dict() for r in calls[:3:-1]]
    assert first["calls"][0]["started"] == calls[6].started.isoformat()

    response = await _list(
        ws, entry_id=config_entry.entry_id, before=first["next"], limit=3
    )
    second = response["result"]
    assert [c["call_id"] for c in second["calls"]] == [r.call_id for r in calls[3:0:-1]]
    response = await _list(ws, entry_id=config_entry.entry_id, before=second["next"])
    assert [_stored(c) for c in response["result"]["calls"]] == [calls[0].as_dict()]
    assert response["result"]["next"] is None

    response = await _list(ws, entry_id=config_entry.entry_id)  # default limit 50
    assert len(response["result"]["calls"]) == 7
    for limit in (0, 201, "ten"):
        response = await _list(ws, entry_id=config_entry.entry_id, limit=limit)
        assert not response["success"]
        assert response["error"]["code"] == "invalid_format"


async def test_names_not_sip_ids_and_formatted_numbers(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Each party as people read it: a workplace by its name (never its SIP ID),
    a contact by the phone book's name, any other number formatted."""
    outgoing = journal_call(
        0,
        T0,
        direction="outgoing",
        caller=RECEPTION,
        callee="+79161234567",
        routing=None,
    )
    named = journal_call(
        1,
        T0 + timedelta(minutes=1),
        caller_name="Иван Петров",
        external_number="+78005560251",
    )
    routed = journal_call(
        2,
        T0 + timedelta(minutes=2),
        workplace=IVAN,
        workplace_name="Менеджер Иван",
        routing="transfer",
        routed_to=IVAN,
    )
    # A workplace the PBX no longer has keeps the name the call was journaled with.
    gone = journal_call(
        3,
        T0 + timedelta(minutes=3),
        workplace="883140000000001",
        workplace_name="Склад",
    )
    # A workplace the portal no longer names (the name is gone, not the workplace).
    unnamed = journal_call(
        4,
        T0 + timedelta(minutes=4),
        direction="outgoing",
        caller=UNNAMED,
        callee="+79161234567",
        workplace=UNNAMED,
        workplace_name="Отдел продаж",
    )
    for record in (outgoing, named, routed, gone, unnamed):
        config_entry.runtime_data.journal.add(record)
    ws = await hass_ws_client(hass)
    response = await _list(ws, entry_id=config_entry.entry_id)
    assert response["success"], response
    shown = {
        c["call_id"]: {key: c[key] for key in DISPLAY_KEYS}
        for c in response["result"]["calls"]
    }
    assert shown[outgoing.call_id] == {
        "caller_display": "Ресепшн",
        "caller_number": None,
        "callee_display": "+7 916 123-45-67",
        "callee_number": "+7 916 123-45-67",
        "workplace_display": "Ресепшн",
        "routed_to_display": None,
        "external_number_display": None,
    }
    assert shown[named.call_id]["caller_display"] == "Иван Петров"
    assert shown[named.call_id]["caller_number"] == "+7 916 123-45-67"
    assert shown[named.call_id]["callee_display"] == "+7 499 649-78-03"
    # the external number the caller dialled, formatted for the card's line
    assert shown[named.call_id]["external_number_display"] == "+7 800 556-02-51"
    assert shown[routed.call_id]["workplace_display"] == "Менеджер Иван"
    assert shown[routed.call_id]["routed_to_display"] == "Менеджер Иван"
    assert shown[gone.call_id]["workplace_display"] == "Склад"
    assert shown[unnamed.call_id]["caller_display"] == "Отдел продаж"
    assert shown[unnamed.call_id]["caller_number"] is None  # a workplace, no number
    assert shown[unnamed.call_id]["workplace_display"] == "Отдел продаж"
    texts = [str(v) for display in shown.values() for v in display.values()]
    sip_ids = (RECEPTION, IVAN, UNNAMED)
    assert not [t for t in texts if "+7916" in t or any(i in t for i in sip_ids)]


async def test_unknown_and_unloaded_entries(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The error says which entry, in words (and how the frontend translates it)."""
    ws = await hass_ws_client(hass)
    response = await _list(ws, entry_id="nope")
    assert not response["success"]
    assert response["error"] == {
        "code": "not_found",
        "message": "No MTT Business entry nope.",
        "translation_key": "unknown_entry",
        "translation_domain": "mtt_business",
        "translation_placeholders": {"entry_id": "nope"},
    }

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    response = await _list(ws, entry_id=config_entry.entry_id)
    assert not response["success"]
    assert response["error"]["code"] == "home_assistant_error"
    assert response["error"]["translation_key"] == "entry_not_loaded"
    assert response["error"]["message"] == (
        f"The MTT Business entry {config_entry.entry_id} is not loaded."
    )


async def test_journal_follows_the_entry(
    hass: HomeAssistant, config_entry: ConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Kept across a reload (written when the entry unloads); removed with it."""
    key = f"mtt_business.journal.{config_entry.entry_id}"
    calls = [call(n) for n in range(3)]
    for record in calls:
        config_entry.runtime_data.journal.add(record)
    assert await hass.config_entries.async_reload(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.runtime_data.journal.page() == (calls[::-1], None)

    assert await hass.config_entries.async_remove(config_entry.entry_id)
    await hass.async_block_till_done()
    assert not [k for k in hass_storage if k.startswith(key)]
