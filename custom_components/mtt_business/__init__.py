"""MTT Business: the office's cloud PBX (МТТ Бизнес ВАТС) in Home Assistant."""

from __future__ import annotations

from datetime import datetime
import logging

from homeassistant.const import Platform
from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.config_entry_oauth2_flow import (
    ImplementationUnavailableError,
    OAuth2Session,
    async_get_config_entry_implementation,
)
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import ConfigType

from . import const
from .api import MttBusinessClient
from .auth import OAuth2SessionAuth
from .call_journal import CallJournal
from .call_monitor import CallMonitor
from .const import DOMAIN
from .coordinator import RETRY_DELAYS, DirectoryCoordinator
from .data import MttBusinessConfigEntry, MttBusinessData
from .devices import async_sync_devices
from .directory_store import DirectoryStore
from .recording_archive import RecordingView
from .redirect_uri import async_get_redirect_endpoint
from .routing import async_start_routing
from .services import async_setup_services
from .settings import CONFIG_SCHEMA, async_store_settings, get_settings

__all__ = ["CONFIG_SCHEMA"]

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [Platform.EVENT, Platform.SENSOR, Platform.SWITCH]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Keep the endpoints, serve the Redirect URI and recordings, register actions."""
    async_store_settings(hass, config)
    await async_get_redirect_endpoint(hass)
    async_setup_services(hass)
    hass.http.register_view(RecordingView())
    return True


# Home Assistant 2026.10 types these two as returning None, but at run time it still
# insists on a bool (a None from setup is logged as an error and counted as failure).
async def async_setup_entry(hass: HomeAssistant, entry: MttBusinessConfigEntry) -> bool:
    """Connect to the entry's PBX."""
    try:
        implementation = await async_get_config_entry_implementation(hass, entry)
    except ImplementationUnavailableError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="credentials_unavailable"
        ) from err
    client = MttBusinessClient(
        async_get_clientsession(hass),
        OAuth2SessionAuth(OAuth2Session(hass, entry, implementation)),
        base_url=get_settings(hass).api_url,
        request_timeout=const.API_REQUEST_TIMEOUT,
    )
    store = DirectoryStore(hass, entry.entry_id)
    directory = DirectoryCoordinator(hass, entry, client, store)
    try:
        await directory.async_config_entry_first_refresh()
    except ConfigEntryNotReady as err:
        # MTT cannot be read now: start with the directory read last time, so that
        # the calls it pushes are followed; read again soon (then backing off).
        if (known := await store.async_load()) is None:
            raise
        _LOGGER.warning(
            "MTT Business cannot be read now (%s); starting with its directory as "
            "last read, and reading it again in %s s",
            err,
            RETRY_DELAYS[0],
        )
        directory.data = known

        async def _async_read_again(_now: datetime) -> None:
            await directory.async_refresh()

        entry.async_on_unload(
            async_call_later(
                hass,
                RETRY_DELAYS[0],
                HassJob(_async_read_again, cancel_on_shutdown=True),
            )
        )
    call_monitor = CallMonitor(hass, entry, directory)
    journal = CallJournal(hass, entry.entry_id)
    await journal.async_load()
    entry.runtime_data = MttBusinessData(client, directory, call_monitor, journal)

    @callback
    def _async_directory_changed() -> None:
        if directory.data is not None:
            async_sync_devices(hass, entry, directory.data)
            call_monitor.async_set_directory(directory.data)

    _async_directory_changed()
    entry.async_on_unload(directory.async_add_listener(_async_directory_changed))
    entry.async_on_unload(call_monitor.async_start())
    entry.async_on_unload(async_start_routing(hass, entry))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> bool:
    """Disconnect from the entry's PBX."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.journal.async_flush()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """Forget what the entry kept of its PBX and its calls."""
    await DirectoryStore(hass, entry.entry_id).async_remove()
    await CallJournal(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove a workplace device the PBX no longer has."""
    directory = entry.runtime_data.directory.data
    return not any(
        identifier[0] == DOMAIN
        and identifier[1]
        in {str(entry.unique_id)}
        | {f"{entry.unique_id}_{w.sip_id}" for w in directory.workplaces}
        for identifier in device.identifiers
    )
