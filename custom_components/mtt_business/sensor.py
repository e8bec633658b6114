"""Sensors: active calls and the last call of the PBX; each workplace's call state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, override

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api.models import ExternalNumber, PbxDirectory, Workplace
from .api.phone_number import format_number, normalize_number
from .call_counters import CallCounters, DayCounts
from .call_monitor import CallMonitor
from .calls.tracker import CallEvent, WorkplaceCallState
from .calls.view import LISTED_CALLS_LIMIT, SUMMARY_ATTRIBUTES, CallView
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import (
    CallCounterEntity,
    CallEntity,
    MttBusinessEntity,
    PushHealthEntity,
    async_add_entities_as_they_appear,
    async_add_workplace_entities,
)
from .push_health import PushHealth
from .throttle import Throttle

PARALLEL_UPDATES = 0

SUMMARY_WRITE_COOLDOWN = 0.25
"""Seconds between two writes of a summary of the calls during a burst of pushes."""


@dataclass(frozen=True, kw_only=True)
class CallSummaryDescription(SensorEntityDescription):
    """A sensor summing up the current calls: of the PBX, or of one workplace."""

    value_fn: Callable[[CallMonitor, str | None], StateType]
    attrs_fn: Callable[[CallMonitor, str | None], dict[str, Any]]
    concerns_fn: Callable[[CallView, str | None], bool] = lambda view, sip_id: True
    """Whether a change of a call may change the summary (of workplace `sip_id`)."""


@dataclass(frozen=True, kw_only=True)
class DirectorySensorDescription(SensorEntityDescription):
    """A sensor of a workplace read from the PBX's directory."""

    value_fn: Callable[[PbxDirectory, str], StateType]
    attrs_fn: Callable[[PbxDirectory, str], dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class PushHealthDescription(SensorEntityDescription):
    """A figure of the PBX's pushes."""

    value_fn: Callable[[PushHealth], StateType | datetime]


@dataclass(frozen=True, kw_only=True)
class CallCounterDescription(SensorEntityDescription):
    """A counter of the day's calls."""

    value_fn: Callable[[DayCounts], int | float | None]


COUNTERS = (
    CallCounterDescription(
        key="missed_calls",
        translation_key="missed_calls",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda counts: counts.unseen_missed,
    ),
    CallCounterDescription(
        key="calls_today",
        translation_key="calls_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda counts: counts.calls_today,
    ),
    CallCounterDescription(
        key="missed_today",
        translation_key="missed_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda counts: counts.missed_today,
    ),
    CallCounterDescription(
        key="talk_time_today",
        translation_key="talk_time_today",
        device_class=SensorDeviceClass.DURATION,
        # Shown in whole seconds ("23 s"): Home Assistant's frontend writes a
        # duration in minutes as minutes and seconds rounded down from the converted
        # value (31 s: "0m 30s"; with a display precision of 0: "0m"). An install
        # that shows minutes keeps them, and its statistics their unit (a unit Home
        # Assistant converts: no repair); its entity settings switch it to seconds.
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda counts: counts.talk_time_today,
    ),
)
"""Per PBX and per workplace: unseen missed calls, and the day's calls and talk."""
STATISTICS = (
    CallCounterDescription(
        key="answer_rate_today",
        translation_key="answer_rate_today",
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda counts: counts.answer_rate,
    ),
    CallCounterDescription(
        key="average_answer_time_today",
        translation_key="average_answer_time_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda counts: counts.average_wait,
    ),
    CallCounterDescription(
        key="longest_answer_time_today",
        translation_key="longest_answer_time_today",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda counts: counts.longest_wait,
    ),
)
"""Per PBX and per workplace: the day's answer rate and times to answer (unknown
before the day's first incoming call, or its first answer)."""
NUMBER_COUNTERS = (
    CallCounterDescription(
        key="calls_today",
        translation_key="number_calls_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda counts: counts.calls_today,
    ),
    CallCounterDescription(
        key="missed_today",
        translation_key="number_missed_today",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda counts: counts.missed_today,
    ),
)
"""Per external number, on the PBX's device (as its Parking switch): the day's calls
to it and missed calls."""


def _listed_calls(monitor: CallMonitor, sip_id: str | None) -> dict[str, Any]:
    """The active calls (oldest first, at most `LISTED_CALLS_LIMIT`)."""
    calls = monitor.tracker.active_calls()[:LISTED_CALLS_LIMIT]
    return {"calls": [view.listing() for view in monitor.views(calls)]}


def _workplace_status(monitor: CallMonitor, sip_id: str | None) -> dict[str, Any]:
    """The peer's number, the direction, the call id and since when."""
    assert sip_id is not None
    status = monitor.tracker.workplace_status(sip_id)
    return {
        "peer": status.peer,
        "direction": status.direction.value if status.direction else None,
        "call_id": status.call_id,
        "since": status.since.isoformat() if status.since else None,
    }


def _terminals(directory: PbxDirectory, sip_id: str) -> list[str]:
    return [terminal.sip_id for terminal in directory.terminals_of(sip_id)]


ACTIVE_CALLS = CallSummaryDescription(
    key="active_calls",
    translation_key="active_calls",
    state_class=SensorStateClass.MEASUREMENT,
    value_fn=lambda monitor, _: len(monitor.tracker.active_calls()),
    attrs_fn=_listed_calls,
)
CALL_STATE = CallSummaryDescription(
    key="call_state",
    translation_key="call_state",
    entity_registry_enabled_default=False,
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in WorkplaceCallState],
    value_fn=lambda monitor, sip_id: (
        monitor.tracker.workplace_status(str(sip_id)).state.value
    ),
    attrs_fn=_workplace_status,
    concerns_fn=lambda view, sip_id: sip_id in view.workplaces,
)
LAST_CALL = SensorEntityDescription(
    key="last_call",
    translation_key="last_call",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_registry_enabled_default=False,
)
"""Call state and Last call change with call steps, and Home Assistant's logbook
writes a line for each change ("Call state changed to Ringing") between the
`mtt_business_call` lines that tell the same step with names: disabled by default,
so that a default install's logbook has one line per call step."""
TERMINALS = DirectorySensorDescription(
    key="terminals",
    translation_key="terminals",
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda directory, sip_id: len(_terminals(directory, sip_id)),
    attrs_fn=lambda directory, sip_id: {"terminals": _terminals(directory, sip_id)},
)


LAST_PUSH = PushHealthDescription(
    key="last_push",
    translation_key="last_push",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
    # It changes with every push: one logbook line and one recorded state each.
    entity_registry_enabled_default=False,
    value_fn=lambda health: health.last_push,
)
LAST_PUSH_WRITE_COOLDOWN = 60.0
"""Seconds between two writes of Last push (at once after a quiet minute)."""
PUSHES_RECEIVED = PushHealthDescription(
    key="pushes_received",
    translation_key="pushes_received",
    state_class=SensorStateClass.TOTAL_INCREASING,
    entity_category=EntityCategory.DIAGNOSTIC,
    value_fn=lambda health: health.pushes,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's sensors and each workplace's."""
    data = entry.runtime_data
    directory, monitor = data.directory, data.call_monitor
    async_add_entities(
        [
            CallSummarySensor(directory, monitor, ACTIVE_CALLS),
            LastCallSensor(directory, monitor, LAST_CALL),
            LastPushSensor(directory, data.push_health, LAST_PUSH),
            PushHealthSensor(directory, data.push_health, PUSHES_RECEIVED),
            *(
                CallCounterSensor(directory, data.call_counters, description)
                for description in (*COUNTERS, *STATISTICS)
            ),
        ]
    )
    async_add_entities_as_they_appear(
        directory,
        async_add_entities,
        lambda pbx: pbx.external_numbers,
        lambda external: external.number,
        lambda external: (
            NumberCounterSensor(directory, data.call_counters, description, external)
            for description in NUMBER_COUNTERS
        ),
    )
    async_add_workplace_entities(
        directory,
        async_add_entities,
        lambda workplace: (
            CallSummarySensor(directory, monitor, CALL_STATE, workplace),
            DirectorySensor(directory, TERMINALS, workplace),
            *(
                CallCounterSensor(directory, data.call_counters, description, workplace)
                for description in (*COUNTERS, *STATISTICS)
            ),
        ),
    )


class CallSummaryEntity(CallEntity):
    """An entity summing up calls, written through a `Throttle` while added.

    A change is written at once when the entity has been quiet; during a burst of
    pushes it is written at most every `SUMMARY_WRITE_COOLDOWN` seconds, showing the
    latest summary. Home Assistant's recorder keeps every state an entity takes, and
    its cost grows with how often one entity changes between two commits, so a flood
    of pushes must not become a flood of summaries. Every single change of every call
    is still announced by the `mtt_business_call` event and the event entities.
    """

    @override
    async def async_added_to_hass(self) -> None:
        """Write summaries through a throttle while added."""
        self._summary_writer = Throttle(
            self.hass, SUMMARY_WRITE_COOLDOWN, self._async_write_summary
        )
        self.async_on_remove(self._summary_writer.async_stop)
        await super().async_added_to_hass()

    @callback
    def _async_write_summary(self) -> None:
        """Write the state (the throttle's function)."""
        self.async_write_ha_state()


class CallSummarySensor(CallSummaryEntity, SensorEntity):
    """A summary of the current calls: how many, or what a workplace is doing."""

    entity_description: CallSummaryDescription
    # Nobody reads a summary's details back from the recorder: the calls are in
    # the recorded `mtt_business_call` events and in the journal.
    _unrecorded_attributes = frozenset(
        {"calls", "peer", "direction", "call_id", "since"}
    )

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        monitor: CallMonitor,
        description: CallSummaryDescription,
        workplace: Workplace | None = None,
    ) -> None:
        """Sum up the calls of the PBX, or of `workplace`."""
        super().__init__(coordinator, monitor, description, workplace)
        self._read_calls()

    def _read_calls(self) -> None:
        description = self.entity_description
        self._attr_native_value = description.value_fn(self._monitor, self.sip_id)
        self._attr_extra_state_attributes = description.attrs_fn(
            self._monitor, self.sip_id
        )

    @callback
    @override
    def _async_write_summary(self) -> None:
        """Read the calls, then write them."""
        self._read_calls()
        self.async_write_ha_state()

    @callback
    @override
    def _async_call_changed(self, view: CallView | None) -> None:
        """Write the summary now, or at the end of the burst."""
        if view is None or self.entity_description.concerns_fn(view, self.sip_id):
            self._summary_writer.async_call()


class LastCallSensor(CallSummaryEntity, RestoreSensor):
    """When the last call ended, and who called whom (in a burst: the newest).

    Kept across restarts: the last call stays the last call until the next one ends
    (restored from Home Assistant's restore state, not from the recorder, which
    keeps only its time: the call's details are in the `mtt_business_call` events).
    """

    _unrecorded_attributes = frozenset(SUMMARY_ATTRIBUTES)

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        monitor: CallMonitor,
        description: SensorEntityDescription,
    ) -> None:
        """Follow the entry's calls."""
        super().__init__(coordinator, monitor, description)
        self._attr_native_value: datetime | None = None
        self._attr_extra_state_attributes = {}
        self._ended: tuple[datetime, CallView] | None = None
        """When the newest call that ended did, until it is written."""

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last call from before a restart."""
        await super().async_added_to_hass()
        data = await self.async_get_last_sensor_data()
        state = await self.async_get_last_state()
        if data is None or state is None or not isinstance(data.native_value, datetime):
            return
        self._attr_native_value = data.native_value
        self._attr_extra_state_attributes = {
            key: state.attributes.get(key) for key in SUMMARY_ATTRIBUTES
        }

    @callback
    @override
    def _async_call_changed(self, view: CallView | None) -> None:
        """A call ended: it is the last call now."""
        if view is None or CallEvent.FINISHED not in view.events:
            return
        # The summary is built when it is written (in a burst: the newest only).
        self._ended = (dt_util.utcnow(), view)
        self._summary_writer.async_call()

    @callback
    @override
    def _async_write_summary(self) -> None:
        """Write the last call that ended."""
        if self._ended is not None:
            ended, view = self._ended
            self._ended = None
            self._attr_native_value = ended
            self._attr_extra_state_attributes = view.summary()
        self.async_write_ha_state()


class DirectorySensor(MttBusinessEntity, SensorEntity):
    """A workplace's figure from the PBX's directory (its terminals)."""

    entity_description: DirectorySensorDescription

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        description: DirectorySensorDescription,
        workplace: Workplace,
    ) -> None:
        """Read `description`'s figure of `workplace`."""
        super().__init__(coordinator, description, workplace)
        self._sip_id = workplace.sip_id

    @property
    @override
    def native_value(self) -> StateType:
        """The figure."""
        return self.entity_description.value_fn(self.coordinator.data, self._sip_id)

    @property
    @override
    def extra_state_attributes(self) -> dict[str, Any]:
        """Its details."""
        return self.entity_description.attrs_fn(self.coordinator.data, self._sip_id)


class PushHealthSensor(PushHealthEntity, SensorEntity):
    """A figure of the PBX's pushes since Home Assistant started."""

    entity_description: PushHealthDescription

    @property
    @override
    def native_value(self) -> StateType | datetime:
        """The figure."""
        return self.entity_description.value_fn(self._push_health)


class LastPushSensor(PushHealthSensor, RestoreSensor):
    """When the last push came: written at most once a minute, kept across restarts.

    A write comes at once after a quiet minute; during a busy minute the newest
    time is written at its end. After a restart the time from before it stays until
    the next push: pushes did not break because Home Assistant restarted.
    """

    _restored: datetime | None = None

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the last push; write through a one-minute throttle."""
        self._writer = Throttle(
            self.hass, LAST_PUSH_WRITE_COOLDOWN, self._async_write_push
        )
        self.async_on_remove(self._writer.async_stop)
        data = await self.async_get_last_sensor_data()
        if data is not None and isinstance(data.native_value, datetime):
            self._restored = data.native_value
        await super().async_added_to_hass()

    @callback
    @override
    def _async_push_health_changed(self) -> None:
        """A push came: write now, or at the end of the minute."""
        self._writer.async_call()

    @callback
    def _async_write_push(self) -> None:
        self.async_write_ha_state()

    @property
    @override
    def native_value(self) -> datetime | None:
        """The last push since the start, else the one from before the restart."""
        return self._push_health.last_push or self._restored


class CallCounterSensor(CallCounterEntity, SensorEntity):
    """A counter of the calls of the PBX or of a workplace."""

    entity_description: CallCounterDescription

    @override
    async def async_added_to_hass(self) -> None:
        """Write the state when the counters of the entity's scope change."""
        await super().async_added_to_hass()
        self.async_follow_counters()

    @property
    @override
    def native_value(self) -> int | float | None:
        """The count (talk time: seconds; answer rate: %; times to answer: s)."""
        return self.entity_description.value_fn(self._counters.get(self._scope))


class NumberCounterSensor(CallCounterSensor):
    """A counter of the calls to one external number, on the PBX's device.

    Named after its number ("Calls to +7 800 556-02-51 today"), as the Parking
    switches are; available while the PBX has the number.
    """

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        counters: CallCounters,
        description: CallCounterDescription,
        external: ExternalNumber,
    ) -> None:
        """Count the calls to `external` (its scope: the number, `+7…`)."""
        number = normalize_number(external.number) or external.number
        super().__init__(
            coordinator,
            counters,
            replace(description, key=f"{description.key}_{external.number}"),
            scope=number,
        )
        self.number = external.number
        self._attr_translation_placeholders = {"number": format_number(number)}

    @property
    @override
    def available(self) -> bool:
        """Available while the PBX has the number."""
        return super().available and any(
            n.number == self.number for n in self.coordinator.data.external_numbers
        )
