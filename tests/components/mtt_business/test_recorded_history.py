"""What the recorder keeps of a call: its details once, in the `mtt_business_call` event."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.components.recorder import Recorder, get_instance, history
from homeassistant.components.recorder.db_schema import EventData, Events, EventTypes
from homeassistant.components.recorder.util import session_scope
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from .conftest import HomeAssistantServer

PBX_EVENT = "event.mtt_business_7_499_649_78_03_call"
RECEPTION_EVENT = "event.resepshn_call"
RECEPTION = "883140777716581"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """The recorder first (it must exist before Home Assistant), then our integration."""


def _push(state: str) -> dict[str, Any]:
    info: dict[str, Any] = {
        "call": {"id": "0a1b_00015ED635780FC7~2o", "tag": "t"},
        "caller": {"accountId": "79161234567@pstn", "id": "79161234567"},
        "callee": {"accountId": RECEPTION, "id": RECEPTION},
        "state": state,
        "type": "incoming",
    }
    if state == "finished":
        info |= {"duration": 12, "reason": "Answer leg disconnected"}
    return {"event": "callNotifications", "result": {"callInfo": info}}


def _recorded_call_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    with session_scope(hass=hass, read_only=True) as session:
        rows = (
            session.query(EventData.shared_data)
            .join(Events, Events.data_id == EventData.data_id)
            .join(EventTypes, Events.event_type_id == EventTypes.event_type_id)
            .filter(EventTypes.event_type == "mtt_business_call")
            .all()
        )
    return [json.loads(row.shared_data) for row in rows]


async def test_call_details_are_recorded_once(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
) -> None:
    """The event entities' history keeps the event types; the event keeps the call."""
    start = dt_util.utcnow()
    events_path = ha_server.events_path
    for state in ("showing", "connected", "finished"):
        response = await ha_server.client.post(events_path, json=_push(state))
        assert response.status == 200
    await async_wait_recording_done(hass)

    # Automations still read the details from the entity's state.
    assert hass.states.get(PBX_EVENT).attributes["caller"] == "+79161234567"

    states = await get_instance(hass).async_add_executor_job(
        lambda: history.get_significant_states(
            hass,
            start,
            entity_ids=[PBX_EVENT, RECEPTION_EVENT],
            significant_changes_only=False,
        )
    )
    for entity_id in (PBX_EVENT, RECEPTION_EVENT):
        recorded = [s.attributes.get("event_type") for s in states[entity_id]]
        assert recorded[-4:] == ["trying", "showing", "connected", "finished"]
        assert all("caller" not in s.attributes for s in states[entity_id])

    recorded_events = await get_instance(hass).async_add_executor_job(
        _recorded_call_events, hass
    )
    assert [e["state"] for e in recorded_events] == ["showing", "connected", "finished"]
    finished = recorded_events[-1]
    assert finished["caller"] == "+79161234567"
    assert finished["workplace"] == RECEPTION
    assert finished["duration"] == 12
