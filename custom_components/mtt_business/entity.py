"""Base entities: on the PBX device, or on a workplace device."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.models import Workplace
from .call_monitor import CallMonitor
from .call_tracker import CallUpdate
from .coordinator import DirectoryCoordinator
from .devices import pbx_device_info, workplace_device_info


class CallListenerEntity(Entity):
    """An entity that follows the entry's calls (put it first among the bases)."""

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


class PbxEntity(CoordinatorEntity[DirectoryCoordinator]):
    """An entity of the PBX device, available while the directory can be read."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: DirectoryCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the entry's PBX device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_device_info = pbx_device_info(entry)


class WorkplaceEntity(CoordinatorEntity[DirectoryCoordinator]):
    """An entity of a workplace device, available while the PBX has the workplace."""

    _attr_has_entity_name = True

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
        self._attr_device_info = workplace_device_info(entry, workplace)

    @property
    def available(self) -> bool:
        """Available while the directory is read and still lists the workplace."""
        return (
            super().available
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
