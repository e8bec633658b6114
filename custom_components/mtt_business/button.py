"""Buttons: mark the missed calls of the PBX, or of a workplace, as seen."""

from __future__ import annotations

from typing import override

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import MttBusinessConfigEntry
from .entity import CallCounterEntity, async_add_workplace_entities

PARALLEL_UPDATES = 0

MARK_MISSED_SEEN = ButtonEntityDescription(
    key="mark_missed_seen", translation_key="mark_missed_seen"
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's button and each workplace's."""
    data = entry.runtime_data
    directory, counters = data.directory, data.call_counters
    async_add_entities([MarkMissedSeenButton(directory, counters, MARK_MISSED_SEEN)])
    async_add_workplace_entities(
        directory,
        async_add_entities,
        lambda workplace: (
            MarkMissedSeenButton(directory, counters, MARK_MISSED_SEEN, workplace),
        ),
    )


class MarkMissedSeenButton(CallCounterEntity, ButtonEntity):
    """Sets Missed calls back to 0 (the PBX's: every workplace's too)."""

    @override
    async def async_press(self) -> None:
        """The missed calls were seen."""
        self._counters.async_mark_seen(self._scope)
