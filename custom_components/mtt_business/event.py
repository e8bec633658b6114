"""Event entities: every call of the PBX, and each workplace's calls."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .call_targets import CALL_KEY
from .calls.tracker import CallEvent
from .calls.view import EVENT_ATTRIBUTES, CallView
from .data import MttBusinessConfigEntry
from .entity import CallEntity, async_add_workplace_entities

PARALLEL_UPDATES = 0

CALL = EventEntityDescription(
    key=CALL_KEY,
    translation_key="call",
    event_types=[event.value for event in CallEvent],
    # Home Assistant's logbook writes a bare line for every change of an event
    # entity, and the `mtt_business_call` line (with the names) already tells each
    # call step, on this entity: enabled, it would double the logbook.
    entity_registry_enabled_default=False,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the PBX's call events and each workplace's."""
    data = entry.runtime_data
    directory, monitor = data.directory, data.call_monitor
    async_add_entities([CallEventEntity(directory, monitor, CALL)])
    async_add_workplace_entities(
        directory,
        async_add_entities,
        lambda workplace: (CallEventEntity(directory, monitor, CALL, workplace),),
    )


_last_attributes: tuple[CallView | None, dict[str, Any]] = (None, {})
"""The attributes of the latest view: the PBX's and the workplace's entity share them."""


def _event_attributes(view: CallView) -> dict[str, Any]:
    """`view.event_attributes()`, built once for every entity the view triggers."""
    global _last_attributes  # noqa: PLW0603
    known, attributes = _last_attributes
    if known is not view:
        attributes = view.event_attributes()
        _last_attributes = (view, attributes)
    return attributes


class CallEventEntity(CallEntity, EventEntity):
    """The calls of the PBX, or of one workplace: one event per call event.

    A change with several events (`finished`, then `missed`) triggers each in turn.
    The call's details are recorded once, with the `mtt_business_call` event that
    the logbook reads; the entities' copies of them are not stored again.
    """

    _unrecorded_attributes = frozenset(EVENT_ATTRIBUTES)

    def _concerns(self, view: CallView) -> bool:
        """Every call concerns the PBX; a workplace, the calls at or naming it."""
        return (
            self.sip_id is None
            or self.sip_id in view.workplaces
            or view.call.workplace == self.sip_id
        )

    @callback
    @override
    def _async_call_changed(self, view: CallView | None) -> None:
        """Trigger the change's events."""
        if view is None or not view.events or not self._concerns(view):
            return
        attributes = _event_attributes(view)
        for event in view.events:
            self._trigger_event(event.value, attributes)
            self.async_write_ha_state()
