"""How a change is announced: one dispatcher signal per entry and kind of change.

Home Assistant's dispatcher, with the entry id in the signal's name, as core's push
integrations do: whoever follows a change connects to its signal (and is removed
with the entity, the subscription or the entry); whoever makes the change sends it,
knowing nobody. Each signal is sent synchronously, in the event loop, while the push
that caused it is handled.
"""

from __future__ import annotations

from homeassistant.util.signal_type import SignalTypeFormat

from .calls.view import CallView
from .const import DOMAIN

SIGNAL_CALL_CHANGED: SignalTypeFormat[CallView | None] = SignalTypeFormat(
    f"{DOMAIN}_call_changed_{{}}"
)
"""A call of the entry changed (its view); None: calls were dropped, re-read them."""
SIGNAL_PUSH_HEALTH_CHANGED: SignalTypeFormat[()] = SignalTypeFormat(
    f"{DOMAIN}_push_health_changed_{{}}"
)
"""The entry's push problems changed (at once) or its figures (throttled)."""
SIGNAL_COUNTERS_CHANGED: SignalTypeFormat[set[str]] = SignalTypeFormat(
    f"{DOMAIN}_counters_changed_{{}}"
)
"""The entry's call counters changed: of these scopes (throttled)."""
SIGNAL_CALL_BACKS_CHANGED: SignalTypeFormat[set[str]] = SignalTypeFormat(
    f"{DOMAIN}_call_backs_changed_{{}}"
)
"""The entry's call-back lists changed: of these scopes ("" the PBX's, else SIP IDs)."""
SIGNAL_PARKING_CHANGED: SignalTypeFormat[set[str], bool] = SignalTypeFormat(
    f"{DOMAIN}_parking_changed_{{}}"
)
"""Parking was set for these numbers (as the PBX lists them): on (True) or off."""
