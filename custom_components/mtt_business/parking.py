"""Parking of the PBX's external numbers: one owner for what Home Assistant set.

MTT never reports parking back, so what Home Assistant last set through
`setParkingNumbers` is all there is: the switches restore it after a restart (each
notes its restored state here), the `set_parking` action and the switches set it
here, routing asks here whether a call's number is parked, and each change is sent
on the entry's `SIGNAL_PARKING_CHANGED` (`signals.py`), which the switches follow to
show what was last sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api import MttBusinessClient
from .api.phone_number import normalize_number
from .signals import SIGNAL_PARKING_CHANGED


class Parking:
    """The parked external numbers of one entry, and the command that sets them."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, client: MttBusinessClient
    ) -> None:
        """Set parking of entry `entry_id`'s PBX through `client`."""
        self._hass = hass
        self._client = client
        self._signal = SIGNAL_PARKING_CHANGED.format(entry_id)
        self._parked: set[str] = set()

    def __contains__(self, number: object) -> bool:
        """Whether calls to `number` (normalized) wait on a parking leg."""
        return number in self._parked

    @callback
    def async_note(self, number: str, is_parking: bool) -> None:
        """Note parking as last set (a switch's restored state), telling no one."""
        if (normalized := normalize_number(number)) is None:
            return
        if is_parking:
            self._parked.add(normalized)
        else:
            self._parked.discard(normalized)

    async def async_set(self, numbers: Iterable[str], is_parking: bool) -> None:
        """Park the calls to `numbers`, or route them at once again; say so.

        `numbers` as the PBX lists them (its directory's external numbers). Raises
        the client's `MttBusinessError` when MTT Business refused it (nothing is
        noted or sent then).
        """
        numbers = list(numbers)
        await self._client.set_parking_numbers(numbers, is_parking=is_parking)
        changed = {number for n in numbers if (number := normalize_number(n))}
        if is_parking:
            self._parked |= changed
        else:
            self._parked -= changed
        async_dispatcher_send(self._hass, self._signal, set(numbers), is_parking)
