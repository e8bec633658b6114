"""The last directory read, kept across restarts.

If MTT cannot be read when Home Assistant starts, an entry that was read before
starts with what it knew (its workplaces, external numbers and terminals), so that
the calls MTT keeps pushing are followed at once; the directory is read again soon,
backing off, and replaces what was kept. Stored per entry, removed with the entry.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .api.models import ExternalNumber, PbxDirectory, Terminal, Workplace
from .const import DOMAIN

STORAGE_VERSION = 1
SAVE_DELAY = 10
"""Seconds to gather changes before the file is written (never on the event path)."""


def _as_data(directory: PbxDirectory) -> dict[str, Any]:
    return {
        "external_numbers": [[n.number, n.type] for n in directory.external_numbers],
        "workplaces": [[w.sip_id, w.name] for w in directory.workplaces],
        "terminals": [[t.sip_id, t.workplace] for t in directory.terminals],
    }


def _from_data(data: Any) -> PbxDirectory | None:
    """The stored directory, or None for anything that is not what we wrote."""
    try:
        return PbxDirectory(
            tuple(ExternalNumber(str(n), t) for n, t in data["external_numbers"]),
            tuple(Workplace(str(s), str(name)) for s, name in data["workplaces"]),
            tuple(Terminal(str(s), str(w)) for s, w in data["terminals"]),
        )
    except KeyError, TypeError, ValueError:
        return None


class DirectoryStore:
    """The last directory read of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Keep the directory of entry `entry_id`."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.directory", private=True
        )

    async def async_load(self) -> PbxDirectory | None:
        """The directory last read, if any was kept."""
        return _from_data(await self._store.async_load())

    @callback
    def async_save(self, directory: PbxDirectory) -> None:
        """Keep this directory (written a little later, off the event path)."""
        self._store.async_delay_save(lambda: _as_data(directory), SAVE_DELAY)

    async def async_remove(self) -> None:
        """Forget the entry's directory."""
        await self._store.async_remove()
