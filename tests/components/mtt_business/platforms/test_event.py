"""The Call event entities of the demo PBX, at rest and after an answered call."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from syrupy.assertion import SnapshotAssertion

from .conftest import RECORD_URL, SnapshotEntities

PLATFORM = Platform.EVENT


async def test_call_events(snapshot_entities: SnapshotEntities) -> None:
    """Every Call event entity (the PBX's and each workplace's): none fired yet."""
    await snapshot_entities()


async def test_call_events_after_an_answered_call(
    hass: HomeAssistant,
    states_after_answered_call: dict[str, State | None],
    snapshot: SnapshotAssertion,
) -> None:
    """Reception's and the PBX's last event is the recording, with its link."""
    reception = hass.states.get("event.resepshn_call")
    assert reception.attributes["event_type"] == "recorded"
    assert reception.attributes["record_url"] == RECORD_URL
    assert states_after_answered_call == snapshot
