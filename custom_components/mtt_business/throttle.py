"""The one throttle for "summaries changed": at once after a quiet spell, then in steps.

Every consumer of a change that is cheap to announce but costly to write (the summary
sensors, Last push, the counters, push health's figures, the calls card's pictures)
throttles the same way, each with its own interval: the first change after a quiet
spell is acted on at once; during a burst at most once every `interval` seconds, and
the newest change once more when the interval ends. Home Assistant's `Debouncer`
(`immediate=True`) does exactly this; this class names the behaviour once.
"""

from __future__ import annotations

from collections.abc import Callable
import logging

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer

_LOGGER = logging.getLogger(__name__)


class Throttle:
    """Calls `function` at once after a quiet spell, else at most every `interval` s."""

    __slots__ = ("_debouncer",)

    def __init__(
        self, hass: HomeAssistant, interval: float, function: Callable[[], None]
    ) -> None:
        """Throttle calls of `function` (a callback) to one every `interval` seconds."""
        self._debouncer = Debouncer(
            hass, _LOGGER, cooldown=interval, immediate=True, function=function
        )

    @callback
    def async_call(self) -> None:
        """Something changed: call the function now, or when the interval ends."""
        self._debouncer.async_schedule_call()

    @callback
    def async_stop(self) -> None:
        """Nothing more is called (the owner unloads); a pending call is dropped."""
        self._debouncer.async_shutdown()
