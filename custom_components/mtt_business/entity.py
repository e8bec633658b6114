"""Base entities: on the PBX device or on a workplace's device.

`MttBusinessEntity` reads the PBX's directory: it is available while the last read
succeeded (and, on a workplace, while the PBX has the workplace). `CallEntity` is fed
by the PBX's pushes: it follows the entry's calls and stays available while a read
fails, because the PBX keeps pushing its calls while its API is down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import override

from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.models import PbxDirectory, Workplace
from .call_counters import PBX, CallCounters
from .call_monitor import CallMonitor
from .calls.view import CallView
from .coordinator import DirectoryCoordinator
from .devices import entity_unique_id, pbx_device_info, workplace_device_info
from .push_health import PushHealth
from .signals import (
    SIGNAL_CALL_CHANGED,
    SIGNAL_COUNTERS_CHANGED,
    SIGNAL_PUSH_HEALTH_CHANGED,
)


class MttBusinessEntity(CoordinatorEntity[DirectoryCoordinator]):
    """An entity of the entry's PBX, or of one of its workplaces (`workplace`)."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        description: EntityDescription,
        workplace: Workplace | None = None,
    ) -> None:
        """Attach the entity to the PBX's device, or to the workplace's."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        language = coordinator.hass.config.language
        self.entity_description = description
        self.sip_id = workplace.sip_id if workplace is not None else None
        self._listed_in: tuple[PbxDirectory | None, bool] = (None, False)
        self._attr_unique_id = entity_unique_id(entry, description.key, self.sip_id)
        self._attr_device_info = (
            pbx_device_info(entry, language)
            if workplace is None
            else workplace_device_info(entry, workplace, language)
        )

    @property
    def _listed(self) -> bool:
        """A directory is known and lists the entity's workplace (if it has one)."""
        directory = self.coordinator.data
        if directory is None or self.sip_id is None:
            return directory is not None
        # Asked at every write: looked up once per directory read.
        if self._listed_in[0] is not directory:
            self._listed_in = (directory, directory.workplace(self.sip_id) is not None)
        return self._listed_in[1]

    @property
    @override
    def available(self) -> bool:
        """The last read of the directory succeeded and lists the workplace."""
        return super().available and self._listed


class PushFedEntity(MttBusinessEntity):
    """An entity fed by the PBX's pushes, not by reads of its directory."""

    @property
    @override
    def available(self) -> bool:
        """Some directory is known (maybe not the latest) and lists the workplace."""
        return self._listed


class CallEntity(PushFedEntity):
    """An entity that follows the entry's calls, pushed by the PBX."""

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        monitor: CallMonitor,
        description: EntityDescription,
        workplace: Workplace | None = None,
    ) -> None:
        """Follow the calls of `monitor`."""
        super().__init__(coordinator, description, workplace)
        self._monitor = monitor

    @override
    async def async_added_to_hass(self) -> None:
        """Follow the calls while added."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_CALL_CHANGED.format(self.coordinator.config_entry.entry_id),
                self._async_call_changed,
            )
        )

    @callback
    def _async_call_changed(self, view: CallView | None) -> None:
        """A call changed (None: calls were dropped): write the state."""
        self.async_write_ha_state()


class PushHealthEntity(PushFedEntity):
    """A diagnostic entity of the PBX's pushes (`push_health.py`)."""

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        push_health: PushHealth,
        description: EntityDescription,
    ) -> None:
        """Show `push_health` on the PBX's device."""
        super().__init__(coordinator, description)
        self._push_health = push_health

    @override
    async def async_added_to_hass(self) -> None:
        """Write the state when the pushes' figures or problems change."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_PUSH_HEALTH_CHANGED.format(
                    self.coordinator.config_entry.entry_id
                ),
                self._async_push_health_changed,
            )
        )

    @callback
    def _async_push_health_changed(self) -> None:
        """The pushes' figures or problems changed: write the state."""
        self.async_write_ha_state()


class CallCounterEntity(PushFedEntity):
    """An entity of the call counters of the PBX or of a workplace."""

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        counters: CallCounters,
        description: EntityDescription,
        workplace: Workplace | None = None,
        *,
        scope: str | None = None,
    ) -> None:
        """Show or act on the counters of the PBX, or of `workplace`.

        `scope`: another scope of the counters (an external number's) on the PBX.
        """
        super().__init__(coordinator, description, workplace)
        self._counters = counters
        self._scope = scope or self.sip_id or PBX

    @callback
    def async_follow_counters(self) -> None:
        """Write the state when the counters of the entity's scope change."""
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_COUNTERS_CHANGED.format(self.coordinator.config_entry.entry_id),
                self._async_counters_changed,
            )
        )

    @callback
    def _async_counters_changed(self, scopes: set[str]) -> None:
        if self._scope in scopes:
            self.async_write_ha_state()


@callback
def async_add_entities_as_they_appear[T](
    coordinator: DirectoryCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    items: Callable[[PbxDirectory], Iterable[T]],
    key: Callable[[T], str],
    create: Callable[[T], Iterable[Entity]],
) -> None:
    """Add the entities of each item of the directory, now and as items appear.

    `items` picks the items (workplaces, external numbers) from a directory, `key`
    tells them apart, `create` makes an item's entities.
    """
    known: set[str] = set()

    @callback
    def _async_add_new() -> None:
        new = [item for item in items(coordinator.data) if key(item) not in known]
        if not new:
            return
        known.update(key(item) for item in new)
        async_add_entities(entity for item in new for entity in create(item))

    _async_add_new()
    coordinator.config_entry.async_on_unload(
        coordinator.async_add_listener(_async_add_new)
    )


@callback
def async_add_workplace_entities(
    coordinator: DirectoryCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[Workplace], Iterable[Entity]],
) -> None:
    """Add each workplace's entities, now and for every workplace that appears."""
    async_add_entities_as_they_appear(
        coordinator,
        async_add_entities,
        lambda directory: directory.workplaces,
        lambda workplace: workplace.sip_id,
        create,
    )
