"""The entry's life: failures, reauth, unload, devices, diagnostics, logbook."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.mtt_business import async_remove_config_entry_device
from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.mtt_business.logbook import async_describe_events, describe_call

from .conftest import HomeAssistantServer, SimulatorServer

ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
RECEPTION_STATE = "sensor.resepshn_call_state"
RECEPTION_TERMINALS = "sensor.resepshn_terminals"


async def _refresh(hass: HomeAssistant, entry: ConfigEntry) -> None:
    await entry.runtime_data.directory.async_refresh()
    await hass.async_block_till_done()


async def test_service_unavailable_and_back(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """5xx: the directory's entities unavailable, logged once; back: both undone.

    The entities fed by pushes (Call state here) stay available: see test_recovery.py.
    """
    assert hass.states.get(RECEPTION_TERMINALS).state == "1"
    simulator.simulator.faults.set_api_fault(status=500)
    await _refresh(hass, config_entry)
    await _refresh(hass, config_entry)
    assert hass.states.get(RECEPTION_TERMINALS).state == "unavailable"
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    errors = [
        r
        for r in caplog.records
        if r.levelname == "ERROR" and "directory" in r.getMessage()
    ]
    assert len(errors) == 1
    assert "HTTP 500" in errors[0].getMessage()
    assert "recovered" not in caplog.text
    simulator.simulator.faults.clear()
    await _refresh(hass, config_entry)
    assert hass.states.get(RECEPTION_TERMINALS).state == "1"
    recovered = [r for r in caplog.records if "recovered" in r.getMessage()]
    assert len(recovered) == 1


async def test_refresh_token_expired_asks_to_sign_in_again(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """3 days off: the refresh fails for good, reauth appears.

    The directory's entities go unavailable; Call state, fed by pushes that need no
    token, stays available.
    """
    simulator.simulator.expire_access_tokens()
    simulator.simulator.expire_refresh_tokens()
    token = dict(config_entry.data["token"], expires_at=0)
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "token": token}
    )
    await _refresh(hass, config_entry)
    assert hass.states.get(RECEPTION_TERMINALS).state == "unavailable"
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert config_entry.state is ConfigEntryState.LOADED


async def test_access_token_refused_for_good(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A token refused even after a refresh: reauth."""
    simulator.simulator.faults.set_api_fault(
        status=401, methods=["externalNumbersInfo"]
    )
    await _refresh(hass, config_entry)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert hass.states.get(RECEPTION_TERMINALS).state == "unavailable"


async def test_unload_and_removed_workplace(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A workplace removed in the portal loses its device; unload works."""
    sim = simulator.simulator
    devices = dr.async_entries_for_config_entry(device_registry, config_entry.entry_id)
    assert "Ресепшн" in {d.name for d in devices}
    sim.workplaces = sim.workplaces[1:]
    await _refresh(hass, config_entry)
    devices = dr.async_entries_for_config_entry(device_registry, config_entry.entry_id)
    assert "Ресепшн" not in {d.name for d in devices}
    assert len(devices) == 3
    pbx = next(d for d in devices if d.name == config_entry.title)
    listed = next(d for d in devices if d.name == "Менеджер Иван")
    stale = device_registry.async_get_or_create(
        config_entry_id=config_entry.entry_id,
        identifiers={(DOMAIN, f"{config_entry.unique_id}_883140000000001")},
    )

    async def remove(device: dr.DeviceEntry) -> bool:
        return await async_remove_config_entry_device(hass, config_entry, device)

    # The PBX and a workplace the PBX still has stay; a workplace it lost goes.
    assert not await remove(pbx)
    assert not await remove(listed)
    assert await remove(stale)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert config_entry.state is ConfigEntryState.NOT_LOADED


async def test_stale_calls_are_dropped(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A call with no news for an hour is no longer believed active."""
    simulator.simulator.scenario.ring_timeout = 10**6
    await simulator.simulator.start_incoming_call("79161234567", "74996497803")
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"
    freezer.tick(timedelta(minutes=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"  # news 59 minutes ago: still on
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get(RECEPTION_STATE).state == "idle"


async def test_diagnostics_hide_secrets(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
) -> None:
    await hass.services.async_call(
        DOMAIN,
        "set_contacts",
        {"contacts": {"+7 916 555-44-33": "Иван Петров", "8495": "Москва"}},
        blocking=True,
    )
    await simulator.simulator.start_incoming_call("79161234567", "74996497803")
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)
    text = repr(diagnostics)
    # The phone book is the customers' names: only its size is shown.
    assert diagnostics["entry"]["options"]["contacts"] == 2
    assert "Иван Петров" not in text
    assert "79165554433" not in text
    secret = ha_server.redirect_uri.rsplit("/", 1)[1]
    assert secret not in text
    assert config_entry.data["token"]["access_token"] not in text
    assert diagnostics["entry"]["data"]["token"] == "**REDACTED**"
    assert len(diagnostics["active_calls"]) == 1
    # SIP IDs are number-shaped: the directory names workplaces by stand-ins.
    assert diagnostics["directory"]["workplaces"][0]["sip_id"] == "workplace_1"
    assert "883140777716581" not in text


@pytest.mark.parametrize(
    ("language", "data", "line"),
    [
        (
            "en",
            {
                "state": "finished",
                "direction": "incoming",
                "caller": "+79121234567",
                "workplace_name": "Reception",
                "duration": 180,
            },
            "incoming call ended: +7 912 123-45-67, answered at Reception, 3 min",
        ),
        (
            "ru",
            {
                "state": "finished",
                "direction": "incoming",
                "caller": "+79121234567",
                "workplace_name": "Ресепшн",
                "duration": 42,
            },
            "входящий вызов завершён: +7 912 123-45-67, принят на рабочем месте «Ресепшн», 42 с",
        ),
        (
            "en",
            {
                "state": "finished",
                "missed": True,
                "caller": "+79121234567",
                "callee": "+74996497803",
            },
            "missed call: +7 912 123-45-67 → +7 499 649-78-03",
        ),
        (
            "en",
            {
                "state": "trying",
                "direction": "outgoing",
                "workplace": "883140582526566",
                "callee": "+79219462761",
            },
            "outgoing call: 883140582526566 → +7 921 946-27-61",
        ),
        (
            "en",
            {"state": "recorded", "caller": None},
            "the recording is ready: ? → ?",
        ),
        ("en", {"state": "weird"}, "call event"),
        (
            "ru",
            {
                "state": "trying",
                "direction": "incoming",
                "caller": "+79161234567",
                "callee": "883140777716581",
                "workplace": "883140777716581",
                "workplace_name": "Ресепшн",
            },
            "входящий вызов: +7 916 123-45-67 → Ресепшн",
        ),
        (
            "ru",
            {
                "state": "routing_failed",
                "caller": "+79121234567",
                "routing_error": "400: Call leg not found",
            },
            "не удалось направить вызов: +7 912 123-45-67 (400: Call leg not found); его распределяет ВАТС",
        ),
    ],
)
async def test_logbook_lines(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    language: str,
    data: dict[str, Any],
    line: str,
) -> None:
    """Readable lines in English and Russian."""
    hass.config.language = language
    described: dict[str, Any] = {}

    def register(domain: str, event: str, describe: Any) -> None:
        described["describe"] = describe

    async_describe_events(hass, register)
    entry = described["describe"](SimpleNamespace(data=data))
    assert entry["message"] == line
    assert (
        describe_call(lambda key: key, {"state": "connected"}) == "incoming_connected"
    )


@pytest.mark.parametrize(
    ("data", "icon", "entity_id"),
    [
        (
            {
                "state": "trying",
                "direction": "incoming",
                "workplace": "883140777716581",
            },
            "mdi:phone-incoming",
            "event.resepshn_call",
        ),
        (
            {"state": "trying", "direction": "outgoing"},
            "mdi:phone-outgoing",
            "event.mtt_business_7_499_649_78_03_call",
        ),
        (
            {"state": "finished", "missed": True, "workplace": "000"},
            "mdi:phone-missed",
            "event.mtt_business_7_499_649_78_03_call",
        ),
        ({"state": "connected"}, "mdi:phone-in-talk", None),
        ({"state": "weird"}, "mdi:phone", None),
    ],
)
async def test_logbook_lines_have_an_icon_and_their_entity(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    data: dict[str, Any],
    icon: str,
    entity_id: str | None,
) -> None:
    """Each call step is one line, with its icon, on the workplace's Call entity."""
    described: dict[str, Any] = {}

    def register(domain: str, event: str, describe: Any) -> None:
        described["describe"] = describe

    async_describe_events(hass, register)
    if entity_id is not None:
        data = {**data, "entry_id": config_entry.entry_id}
    line = described["describe"](SimpleNamespace(data=data))
    assert line["icon"] == icon
    assert line.get("entity_id") == entity_id


async def test_logbook_line_without_its_entity(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """A Call entity removed from the registry: the line stands on its own."""
    registry = er.async_get(hass)
    registry.async_remove("event.mtt_business_7_499_649_78_03_call")
    described: dict[str, Any] = {}

    def register(domain: str, event: str, describe: Any) -> None:
        described["describe"] = describe

    async_describe_events(hass, register)
    data = {"state": "connected", "entry_id": config_entry.entry_id}
    line = described["describe"](SimpleNamespace(data=data))
    assert "entity_id" not in line
    assert line["icon"] == "mdi:phone-in-talk"
