"""The PBX's Push delivery problem sensor: off at rest, on when pushes seem lost."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
from unittest.mock import AsyncMock

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.mtt_business.const import DOMAIN

from .conftest import SnapshotEntities, async_push

PLATFORM = Platform.BINARY_SENSOR
PUSH_PROBLEM = "binary_sensor.mtt_business_7_499_649_78_03_push_delivery"
OUTGOING_TRYING = json.loads(
    (Path(__file__).parents[3] / "api/fixtures/push_outgoing_trying.json").read_text(
        encoding="utf-8"
    )
)
"""The documented `trying` of a call placed from the demo's unnamed workplace."""


async def test_push_delivery(snapshot_entities: SnapshotEntities) -> None:
    """The sensor's registry entry, and off at rest (no reasons)."""
    await snapshot_entities()


@pytest.mark.usefixtures("entry")
async def test_a_placed_call_without_push_turns_it_on_until_one_comes(
    hass: HomeAssistant, client: AsyncMock, freezer: FrozenDateTimeFactory
) -> None:
    """No push within a minute of `make_call`: on, with the reason; a push: off."""
    await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": "883140582526566", "callee_id": "+7 921 946-27-61"},
        blocking=True,
        return_response=True,
    )
    client.make_call.assert_awaited_once_with("883140582526566", "89219462761")
    freezer.tick(timedelta(seconds=59))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert hass.states.get(PUSH_PROBLEM).state == "off"
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    problem = hass.states.get(PUSH_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["reasons"] == ["no_push_after_call"]

    await async_push(hass, OUTGOING_TRYING)

    problem = hass.states.get(PUSH_PROBLEM)
    assert problem.state == "off"
    assert problem.attributes["reasons"] == []
