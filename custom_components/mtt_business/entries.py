"""Finding the integration's entry a request names, or the only one loaded.

One lookup for the actions, the media browser and the websocket commands; each says
a failed lookup (`EntryLookupError.key`) in its own words.
"""

from __future__ import annotations

from typing import Literal

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback

from .const import DOMAIN
from .data import MttBusinessConfigEntry

type LookupFailure = Literal["unknown_entry", "entry_not_loaded", "entry_required"]


class EntryLookupError(Exception):
    """No entry to act on: why (`key`), and the entry when there is one."""

    def __init__(
        self, key: LookupFailure, entry: MttBusinessConfigEntry | None = None
    ) -> None:
        """`key`: unknown id, entry not loaded, or no id with not one entry loaded."""
        super().__init__(key)
        self.key: LookupFailure = key
        self.entry = entry


@callback
def async_known_entry(hass: HomeAssistant, entry_id: str) -> MttBusinessConfigEntry:
    """The integration's entry `entry_id`, loaded or not."""
    entry: MttBusinessConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise EntryLookupError("unknown_entry")
    return entry


@callback
def async_loaded_entry(hass: HomeAssistant, entry_id: str) -> MttBusinessConfigEntry:
    """The integration's entry `entry_id`, loaded."""
    entry = async_known_entry(hass, entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise EntryLookupError("entry_not_loaded", entry)
    return entry


@callback
def async_only_loaded_entry(hass: HomeAssistant) -> MttBusinessConfigEntry:
    """The integration's loaded entry when exactly one is."""
    loaded: list[MttBusinessConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if len(loaded) != 1:
        raise EntryLookupError("entry_required")
    return loaded[0]
