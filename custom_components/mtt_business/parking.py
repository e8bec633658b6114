"""Parking of the PBX's external numbers: one owner for what Home Assistant set.

MTT never reports parking back, so what Home Assistant last set through
`setParkingNumbers` is all there is: the switches restore it after a restart (each
notes its restored state here), the `set_parking` action and the switches set it
here, routing asks here whether a call's number is parked, and the switches listen
here to show what was last sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import CALLBACK_TYPE, callback

from .api import MttBusinessClient
from .api.phone_number import normalize_number

type ParkingListener = Callable[[set[str], bool], None]
"""Told (numbers as the PBX lists them, is_parking) when parking was set."""


class Parking:
    """The parked external numbers of one entry, and the command that sets them."""

    def __init__(self, client: MttBusinessClient) -> None:
        """Set parking through `client`."""
        self._client = client
        self._parked: set[str] = set()
        self._listeners: list[ParkingListener] = []

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
        """Park the calls to `numbers`, or route them at once again; tell listeners.

        `numbers` as the PBX lists them (its directory's external numbers). Raises the client's `MttBusinessError` when MTT Business refused it (nothing
        is noted then).
        """
        numbers = list(numbers)
        await self._client.set_parking_numbers(numbers, is_parking=is_parking)
        changed = {number for n in numbers if (number := normalize_number(n))}
        if is_parking:
            self._parked |= changed
        else:
            self._parked -= changed
        for listener in list(self._listeners):
            listener(set(numbers), is_parking)

    @callback
    def async_add_listener(self, listener: ParkingListener) -> CALLBACK_TYPE:
        """Call `listener` after each change; returns the callback that stops it."""
        self._listeners.append(listener)

        @callback
        def _async_remove() -> None:
            self._listeners.remove(listener)

        return _async_remove
