"""The Call event entities of the demo PBX, at rest and through an answered call."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .conftest import (
    RECORD_URL,
    SnapshotEntities,
    async_answered_incoming_call,
    entry_states,
)

PLATFORM = Platform.EVENT
RECEPTION_CALL = "event.resepshn_call"
PBX_CALL = "event.mtt_business_7_499_649_78_03_call"


async def test_call_events(snapshot_entities: SnapshotEntities) -> None:
    """Every Call event entity (the PBX's and each workplace's): none fired yet."""
    await snapshot_entities()


async def test_call_events_of_an_answered_call(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """What an automation sees fire: each step once, the recording last, with its link."""
    fired: dict[str, list[str]] = {RECEPTION_CALL: [], PBX_CALL: []}

    @callback
    def _fired(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            fired[state.entity_id].append(state.attributes["event_type"])

    stop = async_track_state_change_event(hass, list(fired), _fired)
    await async_answered_incoming_call(hass, freezer)
    stop()

    assert fired == {
        PBX_CALL: ["trying", "showing", "connected", "finished", "recorded"],
        RECEPTION_CALL: ["showing", "connected", "finished", "recorded"],
    }
    assert hass.states.get(RECEPTION_CALL).attributes["record_url"] == RECORD_URL
    assert entry_states(hass, entry) == snapshot
