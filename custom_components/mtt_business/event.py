"""Event entities: every call of the PBX, and each workplace's calls."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.models import Workplace
from .call_monitor import CallMonitor
from .call_tracker import CallEvent, CallUpdate
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import (
    CallListenerEntity,
    PbxEntity,
    WorkplaceEntity,
    async_add_workplace_entities,
)

PARALLEL_UPDATES = 0

CALL = EventEntityDescription(
    key="call",
    translation_key="call",
    event_types=[event.value for event in CallEvent],
)


CALL_ATTRIBUTES = (
    "call_id",
    "direction",
    "caller",
    "callee",
    "workplace",
    "duration",
    "reason",
    "record_url",
)


def event_attributes(update: CallUpdate) -> dict[str, Any]:
    """Attributes of a call event."""
    call = update.call
    return {
        "call_id": call.call_id,
        "direction": call.direction.value if call.direction else None,
        "caller": call.caller,
        "callee": call.callee,
        "workplace": call.workplace,
        "duration": call.duration,
        "reason": call.reason,
        "record_url": call.record_url,
    }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's call events and each workplace's."""
    data = entry.runtime_data
    async_add_entities([PbxCallEvent(data.directory, data.call_monitor)])
    async_add_workplace_entities(
        data.directory,
        async_add_entities,
        lambda workplace: (
            WorkplaceCallEvent(data.directory, data.call_monitor, workplace),
        ),
    )


class _CallEvent(CallListenerEntity, EventEntity):
    """Triggers one event per call event of an update (`finished`, then `missed`).

    The call's details are recorded once, with the `mtt_business_call` event that
    the logbook reads; the entities' copies of them are not stored again.
    """

    _unrecorded_attributes = frozenset(CALL_ATTRIBUTES)

    def _concerns(self, update: CallUpdate) -> bool:
        raise NotImplementedError

    @callback
    def _async_call_changed(self, update: CallUpdate | None) -> None:
        if update is None or not update.events or not self._concerns(update):
            return
        attributes = event_attributes(update)
        for event in update.events:
            self._trigger_event(event.value, attributes)
            self.async_write_ha_state()


class PbxCallEvent(_CallEvent, PbxEntity):
    """Every call of the PBX."""

    def __init__(self, coordinator: DirectoryCoordinator, monitor: CallMonitor) -> None:
        """Follow the entry's calls."""
        super().__init__(monitor, coordinator, CALL)

    def _concerns(self, update: CallUpdate) -> bool:
        return True


class WorkplaceCallEvent(_CallEvent, WorkplaceEntity):
    """The calls of one workplace."""

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        monitor: CallMonitor,
        workplace: Workplace,
    ) -> None:
        """Follow the calls of one workplace."""
        super().__init__(monitor, coordinator, CALL, workplace)

    def _concerns(self, update: CallUpdate) -> bool:
        return self.sip_id in update.workplaces or update.call.workplace == self.sip_id
