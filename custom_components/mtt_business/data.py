"""What a loaded config entry keeps at run time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import MttBusinessClient

if TYPE_CHECKING:
    from .call_journal import CallJournal
    from .call_monitor import CallMonitor
    from .coordinator import DirectoryCoordinator


@dataclass(slots=True)
class MttBusinessData:
    """Runtime data of an entry: the client, the directory, the calls."""

    client: MttBusinessClient
    directory: DirectoryCoordinator
    call_monitor: CallMonitor
    journal: CallJournal
    """The ended calls, kept across restarts."""
    parked_numbers: set[str] = field(default_factory=set)
    """External numbers (normalized) whose parking Home Assistant last turned on."""


type MttBusinessConfigEntry = ConfigEntry[MttBusinessData]
