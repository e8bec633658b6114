"""MTT Business: the office's cloud PBX (МТТ Бизнес ВАТС) in Home Assistant."""

from __future__ import annotations

from datetime import datetime
import logging
from typing import Any

from homeassistant.const import EVENT_CORE_CONFIG_UPDATE, Platform
from homeassistant.core import HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.config_entry_oauth2_flow import (
    ImplementationUnavailableError,
    OAuth2Session,
    async_get_config_entry_implementation,
)
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import ConfigType

from .auth import OAuth2SessionAuth, create_client
from .call_backs import CallBacks
from .call_counters import CallCounters
from .call_history import CallHistory
from .call_journal import CallJournal
from .call_monitor import CallMonitor
from .calls.phone_book import PhoneBookCache
from .card import async_register_card
from .const import CONF_REDIRECT_URI, DOMAIN
from .coordinator import RETRY_DELAYS, DirectoryCoordinator
from .data import MttBusinessConfigEntry, MttBusinessData
from .devices import async_sync_devices, identified_workplace, pbx_identifier
from .directory_store import DirectoryStore
from .issues import async_check_redirect_uri, async_delete_entry_issues
from .parking import Parking
from .push_health import PushHealth
from .recording_archive import RecordingArchive, RecordingView
from .redirect_uri import async_get_redirect_uri
from .services import async_setup_services
from .settings import CONFIG_SCHEMA, async_store_settings
from .websocket_api import async_setup_websocket_api

__all__ = ["CONFIG_SCHEMA"]

_LOGGER = logging.getLogger(__name__)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TODO,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what every entry shares.

    Keep the endpoints, serve the Redirect URI, recordings and the calls card,
    register the actions and the websocket commands.
    """
    async_store_settings(hass, config)
    await async_get_redirect_uri(hass)
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    hass.http.register_view(RecordingView())
    await async_register_card(hass)
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
    client = create_client(
        hass, OAuth2SessionAuth(OAuth2Session(hass, entry, implementation))
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
    push_health = PushHealth(hass, entry)
    entry.async_on_unload(push_health.async_stop)
    parking = Parking(hass, entry.entry_id, client)
    phone_book = PhoneBookCache()
    call_backs = CallBacks(hass, entry.entry_id)
    await call_backs.async_load()
    entry.async_on_unload(call_backs.async_flush)
    journal = CallJournal(hass, entry.entry_id)
    await journal.async_load()
    entry.async_on_unload(journal.async_flush)
    call_monitor = CallMonitor(
        hass,
        entry,
        client=client,
        directory=directory,
        push_health=push_health,
        parking=parking,
        phone_book=phone_book,
        call_backs=call_backs,
        journal=journal,
    )
    call_counters = CallCounters(hass, entry.entry_id)
    await call_counters.async_load()
    entry.runtime_data = MttBusinessData(
        client,
        directory,
        call_monitor,
        push_health,
        call_counters,
        journal,
        parking,
        phone_book,
        call_backs,
    )
    history = CallHistory(
        hass,
        entry,
        journal,
        RecordingArchive(hass, entry.entry_id),
        call_monitor.workplace_name,
        call_backs=call_backs,
    )
    entry.async_on_unload(history.async_start())
    entry.async_on_unload(call_counters.async_start())
    entry.async_on_unload(call_counters.async_flush)
    await _async_watch_redirect_uri(hass, entry, push_health)

    @callback
    def _async_directory_changed() -> None:
        if directory.data is not None:
            async_sync_devices(hass, entry, directory.data)
            call_monitor.async_set_directory(directory.data)

    _async_directory_changed()
    entry.async_on_unload(directory.async_add_listener(_async_directory_changed))
    entry.async_on_unload(call_monitor.async_start())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Pushes reach the entry once its entities follow its calls.
    redirect_uri = await async_get_redirect_uri(hass)
    entry.async_on_unload(redirect_uri.async_add_hub(entry.entry_id, call_monitor))
    return True


async def _async_watch_redirect_uri(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, push_health: PushHealth
) -> None:
    """Compare the Redirect URI with the one signed in with, now and on changes."""
    redirect_uri = await async_get_redirect_uri(hass)
    if CONF_REDIRECT_URI not in entry.data:
        # Signed in before the Redirect URI was recorded: take today's.
        hass.config_entries.async_update_entry(
            entry,
            data={**entry.data, CONF_REDIRECT_URI: redirect_uri.url_or_none(hass)},
        )

    @callback
    def _async_check(*_: Any) -> None:
        changed = async_check_redirect_uri(hass, entry, redirect_uri)
        push_health.async_set_redirect_uri_changed(changed)

    async def _async_entry_updated(*_: Any) -> None:
        # The entry's data or options changed (e.g. a new Redirect URI was confirmed).
        _async_check()

    _async_check()
    entry.async_on_unload(hass.bus.async_listen(EVENT_CORE_CONFIG_UPDATE, _async_check))
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))


async def async_unload_entry(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> bool:
    """Disconnect from the entry's PBX (its journal and counters are written last)."""
    (await async_get_redirect_uri(hass)).async_remove_hub(entry.entry_id)
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """Forget what the entry kept of its PBX and its calls, and its repair issues."""
    await DirectoryStore(hass, entry.entry_id).async_remove()
    await CallCounters(hass, entry.entry_id).async_remove()
    await CallJournal(hass, entry.entry_id).async_remove()
    await CallBacks(hass, entry.entry_id).async_remove()
    async_delete_entry_issues(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove a workplace device the PBX no longer has."""
    if pbx_identifier(entry) in device.identifiers:
        return False
    sip_id = identified_workplace(entry, device.identifiers)
    directory = entry.runtime_data.directory.data
    return sip_id is None or directory.workplace(sip_id) is None
