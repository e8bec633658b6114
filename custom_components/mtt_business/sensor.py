"""Sensors: active calls and the last call of the PBX; each workplace's call state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api.models import PbxDirectory, Workplace
from .call_monitor import CallMonitor
from .call_tracker import CallEvent, CallUpdate, TrackedCall, WorkplaceCallState
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import (
    CallListenerEntity,
    CallSummaryEntity,
    PbxEntity,
    WorkplaceEntity,
    async_add_workplace_entities,
)

PARALLEL_UPDATES = 0
MAX_LISTED_CALLS = 50

ACTIVE_CALLS = SensorEntityDescription(
    key="active_calls",
    translation_key="active_calls",
    state_class=SensorStateClass.MEASUREMENT,
)
LAST_CALL = SensorEntityDescription(
    key="last_call",
    translation_key="last_call",
    device_class=SensorDeviceClass.TIMESTAMP,
)
CALL_STATE = SensorEntityDescription(
    key="call_state",
    translation_key="call_state",
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in WorkplaceCallState],
)
TERMINALS = SensorEntityDescription(
    key="terminals",
    translation_key="terminals",
    entity_category=EntityCategory.DIAGNOSTIC,
)


def call_summary(call: TrackedCall, directory: PbxDirectory | None) -> dict[str, Any]:
    """One call as listed in attributes: the same keys for every call.

    `workplace` is the workplace's SIP ID, `workplace_name` its name from the PBX's
    directory (the SIP ID where the portal gives it no name).
    """
    workplace = (
        directory.workplace(call.workplace)
        if directory is not None and call.workplace is not None
        else None
    )
    return {
        "direction": call.direction.value if call.direction else None,
        "caller": call.caller,
        "callee": call.callee,
        "state": call.state.value,
        "workplace": call.workplace,
        "workplace_name": workplace.display_name if workplace else call.workplace,
        "started": call.started.isoformat() if call.started else None,
    }


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's sensors and each workplace's."""
    data = entry.runtime_data
    async_add_entities(
        [
            ActiveCallsSensor(data.directory, data.call_monitor),
            LastCallSensor(data.directory, data.call_monitor),
        ]
    )
    async_add_workplace_entities(
        data.directory,
        async_add_entities,
        lambda workplace: (
            CallStateSensor(data.directory, data.call_monitor, workplace),
            TerminalsSensor(data.directory, workplace),
        ),
    )


class ActiveCallsSensor(CallSummaryEntity, PbxEntity, SensorEntity):
    """How many calls are active; the calls themselves as an attribute."""

    _unrecorded_attributes = frozenset({"calls"})

    def __init__(self, coordinator: DirectoryCoordinator, monitor: CallMonitor) -> None:
        """Follow the entry's calls."""
        super().__init__(monitor, coordinator, ACTIVE_CALLS)
        self._read_tracker()

    def _read_tracker(self) -> None:
        """The count and the list (oldest first, at most 50), from one query."""
        calls = self._monitor.tracker.active_calls()
        self._attr_native_value = len(calls)
        self._attr_extra_state_attributes = {
            "calls": [
                call_summary(call, self.coordinator.data)
                for call in calls[:MAX_LISTED_CALLS]
            ]
        }

    @callback
    def _async_call_changed(self, update: CallUpdate | None) -> None:
        self._async_summary_changed()


LAST_CALL_ATTRIBUTES = (
    "direction",
    "caller",
    "callee",
    "state",
    "workplace",
    "workplace_name",
    "started",
    "call_id",
    "missed",
    "duration",
    "reason",
)
"""The Last call sensor's attributes (`call_summary`'s keys and the call's end)."""


class LastCallSensor(CallListenerEntity, PbxEntity, RestoreSensor):
    """When the last call ended; changes exactly once per finished call.

    Kept across restarts: the last call stays the last call until the next one ends.
    """

    def __init__(self, coordinator: DirectoryCoordinator, monitor: CallMonitor) -> None:
        """Follow the entry's calls."""
        super().__init__(monitor, coordinator, LAST_CALL)
        self._attr_native_value: datetime | None = None
        self._attr_extra_state_attributes = {}

    async def async_added_to_hass(self) -> None:
        """Restore the last call from before a restart."""
        await super().async_added_to_hass()
        data = await self.async_get_last_sensor_data()
        state = await self.async_get_last_state()
        if data is None or state is None or not isinstance(data.native_value, datetime):
            return
        self._attr_native_value = data.native_value
        self._attr_extra_state_attributes = {
            key: state.attributes.get(key) for key in LAST_CALL_ATTRIBUTES
        }

    @callback
    def _async_call_changed(self, update: CallUpdate | None) -> None:
        if update is None or CallEvent.FINISHED not in update.events:
            return
        call = update.call
        self._attr_native_value = dt_util.utcnow()
        self._attr_extra_state_attributes = {
            **call_summary(call, self.coordinator.data),
            "call_id": call.call_id,
            "missed": CallEvent.MISSED in update.events,
            "duration": call.duration,
            "reason": call.reason,
        }
        self.async_write_ha_state()


class CallStateSensor(CallSummaryEntity, WorkplaceEntity, SensorEntity):
    """Whether a workplace is idle, dialing, ringing or talking."""

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        monitor: CallMonitor,
        workplace: Workplace,
    ) -> None:
        """Follow the calls of one workplace."""
        super().__init__(monitor, coordinator, CALL_STATE, workplace)
        self._read_tracker()

    def _read_tracker(self) -> None:
        """The state with the peer's number, the direction, the call id and since when."""
        status = self._monitor.tracker.workplace_status(self.sip_id)
        self._attr_native_value = status.state.value
        self._attr_extra_state_attributes = {
            "peer": status.peer,
            "direction": status.direction.value if status.direction else None,
            "call_id": status.call_id,
            "since": status.since.isoformat() if status.since else None,
        }

    @callback
    def _async_call_changed(self, update: CallUpdate | None) -> None:
        if update is None or self.sip_id in update.workplaces:
            self._async_summary_changed()


class TerminalsSensor(WorkplaceEntity, SensorEntity):
    """How many terminals the workplace has; their SIP IDs as an attribute."""

    def __init__(self, coordinator: DirectoryCoordinator, workplace: Workplace) -> None:
        """List the workplace's terminals."""
        super().__init__(coordinator, TERMINALS, workplace)

    def _terminals(self) -> list[str]:
        return [t.sip_id for t in self.coordinator.data.terminals_of(self.sip_id)]

    @property
    def native_value(self) -> int:
        """Number of terminals."""
        return len(self._terminals())

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The terminals' SIP IDs."""
        return {"terminals": self._terminals()}
