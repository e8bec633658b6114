"""The Mark missed calls seen buttons of the demo PBX: the PBX's and each workplace's."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant
import pytest

from .conftest import SnapshotEntities

PLATFORM = Platform.BUTTON
RECEPTION_SEEN = "button.resepshn_mark_missed_calls_seen"


@pytest.mark.usefixtures("entry")
async def test_pressing_shows_when(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A press is shown as the time it was pressed; the other buttons stay unpressed."""
    freezer.tick(timedelta(minutes=3))

    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: RECEPTION_SEEN}, blocking=True
    )

    assert hass.states.get(RECEPTION_SEEN).state == "2026-03-02T09:03:00+00:00"
    assert hass.states.get("button.menedzher_ivan_mark_missed_calls_seen").state == (
        "unknown"
    )


async def test_buttons(snapshot_entities: SnapshotEntities) -> None:
    """Every button: its registry entry, and never pressed at rest."""
    await snapshot_entities()
