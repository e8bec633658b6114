"""What a loaded config entry keeps at run time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import MttBusinessClient
from .calls.phone_book import PhoneBookCache
from .parking import Parking

if TYPE_CHECKING:
    from .call_backs import CallBacks
    from .call_counters import CallCounters
    from .call_journal import CallJournal
    from .call_monitor import CallMonitor
    from .coordinator import DirectoryCoordinator
    from .push_health import PushHealth


@dataclass(slots=True)
class MttBusinessData:
    """Runtime data of an entry: the client, the directory, the calls."""

    client: MttBusinessClient
    directory: DirectoryCoordinator
    call_monitor: CallMonitor
    push_health: PushHealth
    call_counters: CallCounters
    journal: CallJournal
    """The ended calls, kept across restarts."""
    parking: Parking
    """The external numbers whose parking Home Assistant last turned on."""
    phone_book: PhoneBookCache = field(default_factory=PhoneBookCache)
    """Names for numbers, from the entry's options."""
    call_backs: CallBacks | None = None
    """The numbers to call back (the todo lists), kept across restarts."""


type MttBusinessConfigEntry = ConfigEntry[MttBusinessData]
