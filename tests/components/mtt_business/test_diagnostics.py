"""Diagnostics leave out every number and every name: the entry's and each device's.

The downloads are fetched as the frontend fetches them, through Home Assistant's
diagnostics HTTP endpoints, from an entry with routing rules, a phone book, an
ended and recorded call, older calls in the history and a call still ringing.
"""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
import json
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import SimulatorServer, async_settle, journal_call

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
CUSTOMER = "79161234567"
MOSCOW_CALLER = "74957654321"
CONTACTS = [
    {"number": "+79161234567", "name": "Иван Петров, ООО Ромашка"},
    {"number": "+7495", "name": "Москва"},
    {"number": "+442071234567", "name": "Acme Ltd"},
]
NAMES = [
    "Иван Петров",
    "Ромашка",
    "Москва",
    "Acme",
    "Анна Смирнова",
    # The workplaces' names: the office's, but often people's; left out too.
    "Ресепшн",
    "Менеджер Иван",
]
PHONE_NUMBER = re.compile(r"\+?\d(?:[\s\-()]*\d){6,}")
"""Seven digits or more, with an optional `+`, spaces, dashes and parentheses."""
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2})?")
"""An ISO 8601 moment: dates and times are not numbers of people."""


@pytest.fixture
async def diagnostics_component(hass: HomeAssistant) -> None:
    """Diagnostics' HTTP views, registered before Home Assistant's server starts."""
    assert await async_setup_component(hass, "diagnostics", {})


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    diagnostics_component: None,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> ConfigEntry:
    """Rules, contacts, an ended call, older calls and a call that still rings."""
    hass.config_entries.async_update_entry(
        config_entry,
        options={
            "routes": [
                {"caller": "+79161234567", "workplace": IVAN},
                {"caller": "+7495", "workplace": RECEPTION},
                {"caller": "Иван Петров, ООО Ромашка", "workplace": IVAN},
                {"caller": "+7812", "workplace": "883140999999999"},
            ],
            "contacts": CONTACTS,
            "release_unmatched": False,
            "archive_recordings": False,
            "note": "Анна Смирнова: +7 (921) 946-27-61",
        },
    )
    journal = config_entry.runtime_data.journal
    start = dt_util.utcnow() - timedelta(days=1)
    older = [
        journal_call(
            n,
            start + timedelta(minutes=n),
            caller_name="Анна Смирнова",
            recording=f"mtt_business/2026-03-01/10-0{n}_+79161234567_{n}.mp3",
        )
        for n in range(3)
    ]
    for record in older:
        journal.add(record)
    sim = simulator.simulator
    ended = await sim.start_incoming_call(CUSTOMER, EXTERNAL)
    await async_settle(hass, simulator)
    await sim.answer(ended)
    await async_settle(hass, simulator)
    await sim.hang_up(ended, "caller")
    await async_settle(hass, simulator)
    ringing = await sim.start_incoming_call(MOSCOW_CALLER, EXTERNAL)
    await async_settle(hass, simulator)
    hass.data["test_call_ids"] = [ended, ringing, *(r.call_id for r in older)]
    return config_entry


async def _download(hass_client: ClientSessionGenerator, path: str) -> dict[str, Any]:
    """A whole download, as the frontend gets it."""
    client = await hass_client()
    response = await client.get(f"/api/diagnostics/config_entry/{path}")
    assert response.status == HTTPStatus.OK
    download: dict[str, Any] = await response.json()
    return download


def _assert_nobody_in(hass: HomeAssistant, download: dict[str, Any]) -> None:
    """No phone number and no name anywhere in the download.

    The run's random ids (the calls' ids and their legs' tags) are taken out first:
    a run of digits inside them is no number; so are dates and times.
    """
    text = json.dumps(download, ensure_ascii=False)
    data = download["data"]
    ids = [*hass.data["test_call_ids"]]
    ids += [call["leg"]["tag"] for call in data["active_calls"] if call["leg"]["tag"]]
    for value in sorted(ids, key=len, reverse=True):
        text = text.replace(value, "<id>")
    text = MOMENT.sub("<moment>", text)
    assert PHONE_NUMBER.findall(text) == [], text
    for name in NAMES:
        assert name not in text


async def test_the_entry_download_holds_shapes_only(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: ConfigEntry
) -> None:
    """Rules as kinds and stand-ins, contacts as a count, calls without parties."""
    download = await _download(hass_client, entry.entry_id)
    _assert_nobody_in(hass, download)
    data = download["data"]
    assert data["entry"]["title"] == "MTT Business **REDACTED**"
    assert data["entry"]["options"] == {
        "routes": [
            {"caller": "number", "digits": 11, "workplace": "workplace_2"},
            {"caller": "number", "digits": 4, "workplace": "workplace_1"},
            {"caller": "contact", "workplace": "workplace_2"},
            # A workplace the PBX no longer has: its SIP ID is not shown either.
            {"caller": "number", "digits": 4, "workplace": "**REDACTED**"},
        ],
        "contacts": 3,
        "release_unmatched": False,
        "archive_recordings": False,
        "note": "**REDACTED**",
    }
    directory = data["directory"]
    assert directory["external_numbers"][0] == {
        "number": "external_number_1",
        "type": None,
    }
    assert directory["workplaces"] == [
        {"sip_id": "workplace_1", "name": "**REDACTED**"},
        {"sip_id": "workplace_2", "name": "**REDACTED**"},
        {"sip_id": "workplace_3", "name": ""},
    ]
    assert directory["terminals"][0] == {
        "sip_id": "terminal_1",
        "workplace": "workplace_1",
    }
    journal = data["journal"]
    assert journal["calls"] == 4
    newest = journal["newest"][0]
    assert newest["call_id"] == hass.data["test_call_ids"][0]
    assert newest["caller"] == "**REDACTED**"
    assert newest["callee"] == "external_number_1"
    assert newest["caller_name"] == "**REDACTED**"
    assert newest["workplace"] == "workplace_1"
    assert newest["duration"] is not None
    assert journal["newest"][-1]["recording"] == "**REDACTED**"
    (ringing,) = data["active_calls"]
    assert ringing["call_id"] == hass.data["test_call_ids"][1]
    assert ringing["caller"] == "**REDACTED**"
    assert ringing["callee"] == "external_number_1"
    assert ringing["state"] in ("trying", "showing")


async def test_every_device_download_holds_shapes_only(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: ConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The PBX's and each workplace's download: the entry's, and the device's entities."""
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert len(devices) == 4
    seen: dict[str | None, list[str]] = {}
    for device in devices:
        download = await _download(hass_client, f"{entry.entry_id}/device/{device.id}")
        _assert_nobody_in(hass, download)
        data = download["data"]
        assert data["entry"]["options"]["contacts"] == 3
        shown = data["device"]
        seen[shown["workplace"]] = sorted(
            entity["translation_key"] for entity in shown["entities"]
        )
    assert set(seen) == {None, "workplace_1", "workplace_2", "workplace_3"}
    assert {"parking", "parking_main", "push_problem"} <= set(seen[None])
    assert "call_state" in seen["workplace_1"]
