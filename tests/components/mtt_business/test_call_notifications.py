"""The call notifications blueprint, run by Home Assistant's blueprint machinery.

Calls come from the simulator over real HTTP; the phones' notify actions are
recorded (the Companion app is outside); the notification's buttons come back as the
Companion app sends them, a `mobile_app_notification_action` event.
"""

from __future__ import annotations

from pathlib import Path
import shutil
from typing import Any

from homeassistant.auth.models import User
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import importer
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from .conftest import SimulatorServer, async_settle

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
ANNA = "person.anna"
BLUEPRINT = (
    Path(__file__).parents[3]
    / "blueprints/automation/mtt_business/call_notifications.yaml"
)
AUTOMATION = "automation.call_notifications"

TEXTS = {
    "en": {
        "incoming": "Incoming call at Ресепшн",
        "missed": "Missed call at Ресепшн",
        "message": "+7 916 123-45-67 · calls today: {}",
        "call_back": "Call back",
        "seen": "Seen",
    },
    "ru": {
        "incoming": "Входящий звонок: Ресепшн",
        "missed": "Пропущенный звонок: Ресепшн",
        "message": "+7 916 123-45-67 · звонков сегодня: {}",
        "call_back": "Перезвонить",
        "seen": "Просмотрено",
    },
}


@pytest.fixture(autouse=True)
async def anna(hass: HomeAssistant, hass_admin_user: User) -> None:
    """Анна, a person (set up before Home Assistant's HTTP server starts)."""
    assert await async_setup_component(
        hass,
        "person",
        {"person": [{"id": "anna", "name": "Анна", "user_id": hass_admin_user.id}]},
    )


async def _use_blueprint(
    hass: HomeAssistant, tmp_path: Path, inputs: dict[str, Any]
) -> None:
    """Install the blueprint in a fresh config dir and create an automation of it."""
    hass.config.config_dir = str(tmp_path)
    target = tmp_path / "blueprints" / "automation" / "mtt_business"
    await hass.async_add_executor_job(lambda: target.mkdir(parents=True, exist_ok=True))
    await hass.async_add_executor_job(shutil.copy, BLUEPRINT, target)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "call_notifications",
                "alias": "Call notifications",
                "use_blueprint": {
                    "path": "mtt_business/call_notifications.yaml",
                    "input": inputs,
                },
            }
        },
    )
    await hass.async_block_till_done()
    state = hass.states.get(AUTOMATION)
    assert state is not None
    assert state.state == "on"


def _notified(calls: list[ServiceCall]) -> list[tuple[str, str, str, list[str]]]:
    """Each notification: its phone, title, message and its buttons' titles."""
    return [
        (
            call.service,
            call.data["title"],
            call.data["message"],
            [a["title"] for a in call.data["data"]["actions"]],
        )
        for call in calls
    ]


async def _press(hass: HomeAssistant, call: ServiceCall, title: str) -> None:
    """The Companion app's event for a button of a notification."""
    action = next(a for a in call.data["data"]["actions"] if a["title"] == title)
    hass.bus.async_fire("mobile_app_notification_action", {"action": action["action"]})
    await hass.async_block_till_done()


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_the_person_and_the_owner_are_told_and_call_back(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    tmp_path: Path,
    language: str,
) -> None:
    """Анна's workplace rings: she and the owner are told; missed: Call back, Seen.

    Анна's Call back rings her workplace, the owner's the workplace given for
    that phone; Seen marks the reception's missed calls seen.
    """
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, "people": {RECEPTION: ANNA}}
    )
    phones = async_mock_service(hass, "notify", "mobile_app_anna")
    owner = async_mock_service(hass, "notify", "mobile_app_owner")
    await _use_blueprint(
        hass,
        tmp_path,
        {
            "language": language,
            "phones": {ANNA: "notify.mobile_app_anna"},
            "pbx_phones": {"mobile_app_owner": IVAN},
        },
    )
    text = TEXTS[language]
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("89161234567", EXTERNAL)
    await async_settle(hass, simulator, rounds=1)
    ringing = (text["incoming"], text["message"].format(1), [])
    assert _notified(phones) == [("mobile_app_anna", *ringing)]
    assert _notified(owner) == [("mobile_app_owner", *ringing)]
    assert phones[0].data["data"]["tag"] == f"mtt_business_{call_id}"

    await sim.hang_up(call_id)
    await async_settle(hass, simulator, rounds=1)
    missed = (text["missed"], text["message"].format(1))
    buttons = [text["call_back"], text["seen"]]
    assert _notified(phones)[1:] == [("mobile_app_anna", *missed, buttons)]
    assert _notified(owner)[1:] == [("mobile_app_owner", *missed, buttons)]
    assert phones[1].data["data"]["tag"] == f"mtt_business_{call_id}"
    assert hass.states.get("sensor.resepshn_missed_calls").state == "1"

    await _press(hass, phones[1], text["call_back"])
    request = sim.requests[-1]
    assert request.method == "makeCall"
    assert request.params == {
        "params": {"callerId": RECEPTION, "calleeId": "89161234567"}
    }
    await _press(hass, owner[1], text["call_back"])
    assert sim.requests[-1].method == "makeCall"
    assert sim.requests[-1].params["params"]["callerId"] == IVAN

    await _press(hass, phones[1], text["seen"])
    assert hass.states.get("sensor.resepshn_missed_calls").state == "0"


async def test_calls_today_and_other_workplaces(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    tmp_path: Path,
) -> None:
    """The second call today says so; a workplace without a person tells no one.

    Incoming calls can be left out; a phone without a Call back workplace gets Seen
    only; a button of another automation is not this one's to act on.
    """
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, "people": {IVAN: ANNA}}
    )
    phones = async_mock_service(hass, "notify", "mobile_app_anna")
    owner = async_mock_service(hass, "notify", "mobile_app_owner")
    await _use_blueprint(
        hass,
        tmp_path,
        {
            "phones": {ANNA: "notify.mobile_app_anna"},
            "pbx_phones": {"notify.mobile_app_owner": None},
            "incoming": False,
        },
    )
    sim = simulator.simulator
    for _ in range(2):
        call_id = await sim.start_incoming_call("89161234567", EXTERNAL)
        await async_settle(hass, simulator, rounds=1)
        await sim.hang_up(call_id)
        await async_settle(hass, simulator, rounds=1)
    assert phones == []  # the reception rang, not Анна's workplace
    assert _notified(owner) == [
        (
            "mobile_app_owner",
            "Missed call at Ресепшн",
            f"{m} · calls today: {n}",
            ["Seen"],
        )
        for m, n in (("+7 916 123-45-67", 1), ("+7 916 123-45-67", 2))
    ]
    before = len(sim.requests)
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {
            "action": (
                "MTT_BUSINESS_CALL_BACK|automation.another"
                f"|{config_entry.entry_id}|{RECEPTION}|+79161234567"
            )
        },
    )
    hass.bus.async_fire("mobile_app_notification_action", {"action": "OTHER_APP"})
    await hass.async_block_till_done()
    assert len(sim.requests) == before


async def test_the_blueprint_is_valid_and_imports_from_github(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    """Valid as an automation blueprint; its GitHub address is what README gives.

    Home Assistant's importer reads a GitHub file's address from its raw copy and
    files it under the repository's owner.
    """
    text = await hass.async_add_executor_job(BLUEPRINT.read_text, "utf-8")
    data = yaml_util.parse_yaml(text)
    assert isinstance(data, dict)
    blueprint = Blueprint(
        data, expected_domain="automation", schema=AUTOMATION_BLUEPRINT_SCHEMA
    )
    url = blueprint.metadata["source_url"]
    readme = await hass.async_add_executor_job(
        (Path(__file__).parents[3] / "README.md").read_text, "utf-8"
    )
    assert url in readme
    aioclient_mock.get(
        "https://raw.githubusercontent.com/mtt-business-ha/mtt-business-home-assistant"
        "/main/blueprints/automation/mtt_business/call_notifications.yaml",
        text=text,
    )
    imported = await importer.fetch_blueprint_from_url(hass, url)
    assert imported.suggested_filename == "mtt-business-ha/call_notifications"
    assert imported.blueprint.inputs.keys() == {
        "language",
        "phones",
        "pbx_phones",
        "incoming",
        "missed",
    }
