"""The call journal over the WebSocket API, and the journal through the entry's life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.mtt_business.call_journal import JournalRecord

from .conftest import journal_call

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


def call(n: int) -> JournalRecord:
    """Call number `n`, `n` minutes after `T0`, without a recording."""
    return journal_call(n, T0 + timedelta(minutes=n), record_url=None)


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
    assert first["calls"] == [r.as_dict() for r in calls[:3:-1]]
    assert first["calls"][0]["started"] == calls[6].started.isoformat()

    response = await _list(
        ws, entry_id=config_entry.entry_id, before=first["next"], limit=3
    )
    second = response["result"]
    assert [c["call_id"] for c in second["calls"]] == [r.call_id for r in calls[3:0:-1]]
    response = await _list(ws, entry_id=config_entry.entry_id, before=second["next"])
    assert response["result"] == {"calls": [calls[0].as_dict()], "next": None}

    response = await _list(ws, entry_id=config_entry.entry_id)  # default limit 50
    assert len(response["result"]["calls"]) == 7
    for limit in (0, 201, "ten"):
        response = await _list(ws, entry_id=config_entry.entry_id, limit=limit)
        assert not response["success"]
        assert response["error"]["code"] == "invalid_format"


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
