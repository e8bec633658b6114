"""Parking switches: one per external number, through setParkingNumbers.

The provider never reports parking back, so each switch is an assumed state that is
restored after a restart (and noted in the entry's `Parking`). The switches and the
`set_parking` action set parking through `Parking`, and the switches follow the
entry's `SIGNAL_PARKING_CHANGED`, so they show what was last sent.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.restore_state import RestoreEntity

from .api.phone_number import format_number, normalize_number
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import MttBusinessEntity, async_add_entities_as_they_appear
from .errors import raise_translated_error
from .parking import Parking
from .signals import SIGNAL_PARKING_CHANGED

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a parking switch per external number, now and as numbers appear."""
    coordinator, parking = entry.runtime_data.directory, entry.runtime_data.parking
    async_add_entities_as_they_appear(
        coordinator,
        async_add_entities,
        lambda directory: directory.external_numbers,
        lambda external: external.number,
        lambda external: (ParkingSwitch(coordinator, parking, external.number),),
    )


class ParkingSwitch(MttBusinessEntity, SwitchEntity, RestoreEntity):
    """Parking of one external number: incoming calls wait 5 s for a command."""

    _attr_assumed_state = True

    def __init__(
        self, coordinator: DirectoryCoordinator, parking: Parking, number: str
    ) -> None:
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
        self._parking = parking
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
        self._parking.async_note(self.number, bool(self._attr_is_on))
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_PARKING_CHANGED.format(self.coordinator.config_entry.entry_id),
                self._async_parking_set,
            )
        )

    @callback
    def _async_parking_set(self, numbers: set[str], is_parking: bool) -> None:
        """This switch or the `set_parking` action set parking for some numbers."""
        if self.number in numbers:
            self._attr_is_on = is_parking
            self.async_write_ha_state()

    @property
    @override
    def available(self) -> bool:
        """Available while the PBX still has the number."""
        return super().available and any(
            n.number == self.number for n in self.coordinator.data.external_numbers
        )

    async def _async_set(self, is_parking: bool) -> None:
        await _async_set_parking(
            self.hass,
            self.coordinator.config_entry,
            self._parking,
            self.number,
            is_parking,
        )

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Park incoming calls to this number."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Route incoming calls to this number at once again."""
        await self._async_set(False)


@raise_translated_error
async def _async_set_parking(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    parking: Parking,
    number: str,
    is_parking: bool,
) -> None:
    """Set one number's parking (the switch shows it as `Parking` tells it)."""
    await parking.async_set([number], is_parking)
