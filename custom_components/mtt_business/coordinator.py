"""The PBX directory: external numbers, workplaces and terminals."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import AuthenticationError, MttBusinessClient, MttBusinessError
from .api.models import PbxDirectory
from .const import DIRECTORY_UPDATE_INTERVAL, DOMAIN
from .data import MttBusinessConfigEntry
from .directory_store import DirectoryStore

_LOGGER = logging.getLogger(__name__)


RETRY_DELAYS: tuple[float, ...] = (10, 30, 60, 120, 300)
"""Seconds to the next read after the 1st, 2nd, … failed read (the last one repeats)."""


class DirectoryCoordinator(DataUpdateCoordinator[PbxDirectory]):
    """Reads the directory every 30 minutes, on demand and on `vpbxNotifications`.

    After a failed read the next one comes soon, backing off: 10 s, 30 s, 1 min,
    2 min, then every 5 min until a read succeeds and the 30 minutes apply again
    (Home Assistant's `UpdateFailed(retry_after=…)`). The coordinator logs once when
    the service becomes unavailable and once when it is back; a refused token makes
    Home Assistant ask the user to sign in again (and reads stop until then).
    """

    config_entry: MttBusinessConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        client: MttBusinessClient,
        store: DirectoryStore,
    ) -> None:
        """Read the directory of the entry's PBX."""
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} directory",
            update_interval=DIRECTORY_UPDATE_INTERVAL,
        )
        self.client = client
        self._store = store
        self._failed_reads = 0

    async def _async_update_data(self) -> PbxDirectory:
        """Fetch numbers, workplaces and terminals."""
        try:
            directory = await self.client.directory()
        except AuthenticationError as err:
            # Also a refresh token refused for good: OAuth2SessionAuth turns
            # OAuth2TokenRequestReauthError into AuthenticationError. Raised as
            # ConfigEntryAuthFailed so that Home Assistant asks to sign in again.
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="authentication_failed"
            ) from err
        except MttBusinessError as err:
            delay = RETRY_DELAYS[min(self._failed_reads, len(RETRY_DELAYS) - 1)]
            self._failed_reads += 1
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="service_unavailable",
                translation_placeholders={"error": str(err) or type(err).__name__},
                retry_after=delay,
            ) from err
        self._failed_reads = 0
        if directory != self.data:
            self._store.async_save(directory)
        return directory
