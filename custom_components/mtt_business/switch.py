"""Parking switches: one per external number, through setParkingNumbers.

The provider never reports parking back, so each switch is an assumed state that is
restored after a restart. The `set_parking` action tells the switches what it set
(dispatcher signal `parking_signal(entry_id)`), so they show what was last sent.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .api import MttBusinessError
from .api.phone_number import format_number, normalize_number
from .const import DOMAIN
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import MttBusinessEntity, async_add_entities_as_they_appear
from .errors import translated_error

PARALLEL_UPDATES = 1


def parking_signal(entry_id: str) -> str:
    """Dispatcher signal: parking was set, with (normalized numbers, is_parking)."""
    return f"{DOMAIN}_parking_{entry_id}"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a parking switch per external number, now and as numbers appear."""
    coordinator = entry.runtime_data.directory
    async_add_entities_as_they_appear(
        coordinator,
        async_add_entities,
        lambda directory: directory.external_numbers,
        lambda external: external.number,
        lambda external: (ParkingSwitch(coordinator, external.number),),
    )


class ParkingSwitch(MttBusinessEntity, SwitchEntity, RestoreEntity):
    """Parking of one external number: incoming calls wait 5 s for a command."""

    _attr_assumed_state = True

    def __init__(self, coordinator: DirectoryCoordinator, number: str) -> None:
        """Park calls to `number`.

        On the device page the PBX's name stands before the switch's: the switch of
        the number the PBX is named after is just "Parking", any other one
        "Parking +7 800 …".
        """
        normalized = normalize_number(number)
        self._shown = format_number(normalized) if normalized else number
        named_after = self._shown in coordinator.config_entry.title
        super().__init__(
            coordinator,
            SwitchEntityDescription(
                key=f"parking_{number}",
                translation_key="parking_main" if named_after else "parking",
            ),
        )
        self.number = number
        if not named_after:
            self._attr_translation_placeholders = {"number": self._shown}
        self._attr_is_on = False

    @property
    @override
    def suggested_object_id(self) -> str:
        """`Parking <number>` whatever the name: entity ids stay what they were."""
        return f"Parking {self._shown}"

    @override
    async def async_added_to_hass(self) -> None:
        """Restore the assumed state."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_state()) is not None:
            self._attr_is_on = last.state == STATE_ON
        self._note_parking()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                parking_signal(self.coordinator.config_entry.entry_id),
                self._async_parking_set,
            )
        )

    @callback
    def _async_parking_set(self, numbers: set[str | None], is_parking: bool) -> None:
        """The `set_parking` action set parking for some numbers."""
        if normalize_number(self.number) in numbers:
            # (the action has told routing already)
            self._attr_is_on = is_parking
            self.async_write_ha_state()

    def _note_parking(self) -> None:
        """Tell routing whether calls to this number wait on a parking leg."""
        parked = self.coordinator.config_entry.runtime_data.parked_numbers
        if (number := normalize_number(self.number)) is None:
            return
        if self._attr_is_on:
            parked.add(number)
        else:
            parked.discard(number)

    @property
    @override
    def available(self) -> bool:
        """Available while the PBX still has the number."""
        return super().available and any(
            n.number == self.number for n in self.coordinator.data.external_numbers
        )

    async def _async_set(self, is_parking: bool) -> None:
        try:
            await self.coordinator.client.set_parking_numbers(
                [self.number], is_parking=is_parking
            )
        except MttBusinessError as err:
            raise translated_error(
                self.hass, self.coordinator.config_entry, err
            ) from err
        self._attr_is_on = is_parking
        self._note_parking()
        self.async_write_ha_state()

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Park incoming calls to this number."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Route incoming calls to this number at once again."""
        await self._async_set(False)
