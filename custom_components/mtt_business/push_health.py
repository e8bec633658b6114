"""Whether the PBX's pushes reach this Home Assistant, per entry.

Webhook integrations most often fail silently: a proxy, a changed address or a
certificate stops the pushes, and nothing says so. So each entry counts the pushes
that concern it and keeps when the last one came; and it knows two signs that pushes
do not arrive:

- a call placed through `make_call` got no push within `PUSH_EXPECTED_WITHIN`
  (the PBX pushes `trying` for it at once);
- Home Assistant's external URL no longer gives the Redirect URI the user registered
  in the MTT portal (the host changed since sign-in).

Either one turns the entry's Push delivery problem sensor on and raises a repair
issue (`issues.py`); a push that arrives clears the first, a Redirect URI that
matches again (or a confirmed new one) the second. Counting a push costs an integer
increment and a clock read: the entities that show it are told at most every
`PUSH_HEALTH_WRITE_COOLDOWN` seconds (and Last push, disabled by default, writes at
most once a minute: `sensor.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .data import MttBusinessConfigEntry
from .issues import (
    async_clear_pushes_not_arriving,
    async_raise_pushes_not_arriving,
)
from .signals import SIGNAL_PUSH_HEALTH_CHANGED
from .throttle import Throttle

PUSH_EXPECTED_WITHIN = timedelta(seconds=60)
"""How soon the first push of a call placed through `make_call` must come."""
PUSH_HEALTH_WRITE_COOLDOWN = 10.0
"""Seconds between two announcements of new figures (pushes, last push)."""


class PushProblem(StrEnum):
    """Why pushes seem not to arrive (the problem sensor's `reason`)."""

    NO_PUSH_AFTER_CALL = "no_push_after_call"
    REDIRECT_URI_CHANGED = "redirect_uri_changed"


class PushHealth:
    """The pushes of one entry: how many, the last one, and whether they arrive."""

    def __init__(self, hass: HomeAssistant, entry: MttBusinessConfigEntry) -> None:
        """Nothing received yet."""
        self._hass = hass
        self._entry = entry
        self.pushes = 0
        """Pushes concerning the entry since it was set up."""
        self.last_push: datetime | None = None
        self.redirect_uri_changed = False
        self.no_push_after_call = False
        self._cancel_check: CALLBACK_TYPE | None = None
        """Cancels the check that a placed call's first push came (None: none is due)."""
        self._signal = SIGNAL_PUSH_HEALTH_CHANGED.format(entry.entry_id)
        self._figures_changed = Throttle(
            hass, PUSH_HEALTH_WRITE_COOLDOWN, self._async_changed
        )

    @property
    def problems(self) -> list[PushProblem]:
        """The signs that pushes do not arrive, if any."""
        problems = []
        if self.no_push_after_call:
            problems.append(PushProblem.NO_PUSH_AFTER_CALL)
        if self.redirect_uri_changed:
            problems.append(PushProblem.REDIRECT_URI_CHANGED)
        return problems

    @callback
    def async_note_push(self) -> None:
        """A push concerning the entry arrived (this runs for every push)."""
        self.pushes += 1
        self.last_push = dt_util.utcnow()
        if self._cancel_check is not None:
            self._cancel_check()
            self._cancel_check = None
        if self.no_push_after_call:
            self.no_push_after_call = False
            async_clear_pushes_not_arriving(self._hass, self._entry)
            self._async_changed()
            return
        self._figures_changed.async_call()

    @callback
    def async_expect_push(self) -> None:
        """A call was placed: its first push should come within a minute."""
        if self._cancel_check is not None:
            return
        self._cancel_check = async_call_later(
            self._hass,
            PUSH_EXPECTED_WITHIN,
            HassJob(
                partial(self._async_check, dt_util.utcnow()), cancel_on_shutdown=True
            ),
        )

    @callback
    def async_set_redirect_uri_changed(self, changed: bool) -> None:
        """Whether the Redirect URI differs from the one registered at sign-in."""
        if changed != self.redirect_uri_changed:
            self.redirect_uri_changed = changed
            self._async_changed()

    @callback
    def async_stop(self) -> None:
        """The entry unloads: no check or announcement is left behind."""
        self._figures_changed.async_stop()
        if self._cancel_check is not None:
            self._cancel_check()
            self._cancel_check = None

    @callback
    def _async_check(self, since: datetime, _now: datetime) -> None:
        """No push came within a minute of the call placed at `since`."""
        self._cancel_check = None
        self.no_push_after_call = True
        async_raise_pushes_not_arriving(self._hass, self._entry, since)
        self._async_changed()

    @callback
    def _async_changed(self) -> None:
        """Problems changed (at once) or figures (throttled): send the signal."""
        async_dispatcher_send(self._hass, self._signal)
