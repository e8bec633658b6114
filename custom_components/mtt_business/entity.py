"""Base entities: on the PBX device, or on a workplace device."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import logging

from homeassistant.core import callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.models import Workplace
from .call_monitor import CallMonitor
from .call_tracker import CallUpdate
from .coordinator import DirectoryCoordinator
from .devices import pbx_device_info, workplace_device_info

_LOGGER = logging.getLogger(__name__)

SUMMARY_WRITE_COOLDOWN = 0.25
"""Seconds between two writes of a summary of the calls during a burst of pushes."""


class CallListenerEntity(Entity):
    """An entity that follows the entry's calls (put it first among the bases).

    Fed by pushes, it stays available while the directory cannot be read: see
    `PbxEntity.available` and `WorkplaceEntity.available`.
    """

    _follows_pushes = True

    def __init__(self, monitor: CallMonitor, *args: object) -> None:
        """Follow the calls of `monitor`; the other arguments go to the next base."""
        super().__init__(*args)
        self._monitor = monitor

    async def async_added_to_hass(self) -> None:
        """Listen to call changes while added."""
        await super().async_added_to_hass()
        self.async_on_remove(self._monitor.async_add_listener(self._async_call_changed))

    @callback
    def _async_call_changed(self, update: CallUpdate | None) -> None:
        """A call changed (None: calls were dropped; re-read the tracker)."""
        raise NotImplementedError


class CallSummaryEntity(CallListenerEntity):
    """An entity whose state sums up the current calls (how many, a workplace's).

    A change is written at once when the entity has been quiet; during a burst of
    pushes it is written at most every `SUMMARY_WRITE_COOLDOWN` seconds, showing the
    latest summary. Home Assistant's recorder keeps every state an entity takes, and
    its cost grows with how often one entity changes between two commits, so a flood
    of pushes must not become a flood of summaries. Every single change of every call
    is still announced by the `mtt_business_call` event and the event entities.
    """

    async def async_added_to_hass(self) -> None:
        """Write summaries through a debouncer while added."""
        self._summary_writer = Debouncer(
            self.hass,
            _LOGGER,
            cooldown=SUMMARY_WRITE_COOLDOWN,
            immediate=True,
            function=self._async_write_summary,
        )
        self.async_on_remove(self._summary_writer.async_shutdown)
        await super().async_added_to_hass()

    def _read_tracker(self) -> None:
        """Take the current summary from the call tracker."""
        raise NotImplementedError

    @callback
    def _async_write_summary(self) -> None:
        self._read_tracker()
        self.async_write_ha_state()

    @callback
    def _async_summary_changed(self) -> None:
        """The summary may have changed: write it now or at the end of the burst."""
        self._summary_writer.async_schedule_call()


class PbxEntity(CoordinatorEntity[DirectoryCoordinator]):
    """An entity of the PBX device, available while the directory can be read.

    An entity fed by pushes (a `CallListenerEntity`) stays available when a read
    fails: the PBX keeps pushing its calls while its API is down.
    """

    _attr_has_entity_name = True
    _follows_pushes = False

    def __init__(
        self, coordinator: DirectoryCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the entry's PBX device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = pbx_device_info(
            entry, coordinator.hass.config.language
        )

    @property
    def available(self) -> bool:
        """Read: the last read succeeded; fed by pushes: some directory is known."""
        if self._follows_pushes:
            return self.coordinator.data is not None
        return super().available


class WorkplaceEntity(CoordinatorEntity[DirectoryCoordinator]):
    """An entity of a workplace device, available while the PBX has the workplace.

    An entity fed by pushes (a `CallListenerEntity`) stays available when a read
    fails, as long as the last directory read lists the workplace.
    """

    _attr_has_entity_name = True
    _follows_pushes = False

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        description: EntityDescription,
        workplace: Workplace,
    ) -> None:
        """Attach the entity to the workplace's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self.sip_id = workplace.sip_id
        self._attr_unique_id = f"{entry.unique_id}_{workplace.sip_id}_{description.key}"
        self._attr_device_info = workplace_device_info(
            entry, workplace, coordinator.hass.config.language
        )

    @property
    def available(self) -> bool:
        """Listed in the last directory read (and it is the latest, unless pushed)."""
        return (
            (self._follows_pushes or super().available)
            and self.coordinator.data is not None
            and self.coordinator.data.workplace(self.sip_id) is not None
        )


def async_add_workplace_entities(
    coordinator: DirectoryCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[Workplace], Iterable[Entity]],
) -> None:
    """Add a workplace's entities now and for every workplace that appears later."""
    known: set[str] = set()

    @callback
    def _async_add_new() -> None:
        new = [w for w in coordinator.data.workplaces if w.sip_id not in known]
        if not new:
            return
        known.update(w.sip_id for w in new)
        async_add_entities(entity for workplace in new for entity in create(workplace))

    _async_add_new()
    coordinator.config_entry.async_on_unload(
        coordinator.async_add_listener(_async_add_new)
    )
