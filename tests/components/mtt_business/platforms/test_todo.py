"""The Call back lists of the demo PBX: empty at rest, an item after a missed call."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from .conftest import SnapshotEntities, _leg, _reception, async_push, entry_states

PLATFORM = Platform.TODO
PBX_LIST = "todo.mtt_business_7_499_649_78_03_call_back"


async def test_call_back_lists(snapshot_entities: SnapshotEntities) -> None:
    """Every Call back list (the PBX's and each workplace's): nothing to call back."""
    await snapshot_entities()


async def test_call_back_lists_after_a_missed_call(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """Reception rang, nobody answered: one item in the PBX's and Reception's lists."""
    await async_push(hass, _leg(2, "showing", _reception()))
    freezer.tick(20)
    await async_push(
        hass,
        _leg(
            2,
            "finished",
            _reception("display_name"),
            duration=0,
            reason="Caller cancelled",
        ),
    )
    result = await hass.services.async_call(
        "todo",
        "get_items",
        {"entity_id": PBX_LIST},
        blocking=True,
        return_response=True,
    )
    (item,) = result[PBX_LIST]["items"]  # type: ignore[index]
    assert len(item.pop("uid")) == 32  # random: a new item's uuid
    assert result == snapshot(name="items")
    assert entry_states(hass, entry) == snapshot(name="states")
