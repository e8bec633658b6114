"""Personal-manager routing (placeholder until the call-control work lands)."""

from __future__ import annotations

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .data import MttBusinessConfigEntry


@callback
def async_start_routing(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> CALLBACK_TYPE:
    """Route parked incoming calls; returns the stop callback."""
    return lambda: None
