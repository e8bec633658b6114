"""The PBX's Push delivery problem sensor: on when pushes seem not to arrive."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .compat import BinarySensorDeviceClass
from .data import MttBusinessConfigEntry
from .entity import PushHealthEntity

PARALLEL_UPDATES = 0

PUSH_PROBLEM = BinarySensorEntityDescription(
    key="push_problem",
    translation_key="push_problem",
    device_class=BinarySensorDeviceClass.PROBLEM,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's push problem sensor."""
    data = entry.runtime_data
    async_add_entities(
        [PushProblemSensor(data.directory, data.push_health, PUSH_PROBLEM)]
    )


class PushProblemSensor(PushHealthEntity, BinarySensorEntity):
    """On when a placed call got no push, or the Redirect URI changed."""

    @property
    @override
    def is_on(self) -> bool:
        """Pushes seem not to arrive."""
        return bool(self._push_health.problems)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Why (`no_push_after_call`, `redirect_uri_changed`)."""
        return {"reasons": [problem.value for problem in self._push_health.problems]}
