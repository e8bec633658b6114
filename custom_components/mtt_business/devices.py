"""Devices: the PBX (a service) and one device per workplace.

The device identifiers and the entities' unique ids are built and read here only:
the PBX is `(mtt_business, <entry unique id>)`, a workplace
`(mtt_business, <entry unique id>_<SIP ID>)`; an entity's unique id is
`<entry unique id>_<key>` on the PBX and `<entry unique id>_<SIP ID>_<key>` on a
workplace.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo

from .api.models import PbxDirectory, Workplace
from .const import DOMAIN, MANUFACTURER, MODELS, PROVIDER_PORTAL_URL
from .data import MttBusinessConfigEntry


def pbx_identifier(entry: MttBusinessConfigEntry) -> tuple[str, str]:
    """Device registry identifier of the entry's PBX."""
    return (DOMAIN, str(entry.unique_id))


def workplace_identifier(entry: MttBusinessConfigEntry, sip_id: str) -> tuple[str, str]:
    """Device registry identifier of a workplace of the entry's PBX."""
    return (DOMAIN, f"{entry.unique_id}_{sip_id}")


def identified_workplace(
    entry: MttBusinessConfigEntry, identifiers: set[tuple[str, str]]
) -> str | None:
    """The SIP ID of the workplace a device's identifiers name, if any."""
    prefix = f"{entry.unique_id}_"
    for domain, value in identifiers:
        if domain == DOMAIN and value.startswith(prefix):
            return value.removeprefix(prefix)
    return None


def entity_unique_id(
    entry: MttBusinessConfigEntry, key: str, sip_id: str | None = None
) -> str:
    """The unique id of an entity of the PBX (no `sip_id`) or of a workplace."""
    if sip_id is None:
        return f"{entry.unique_id}_{key}"
    return f"{entry.unique_id}_{sip_id}_{key}"


def device_models(language: str) -> tuple[str, str]:
    """The PBX's and a workplace's model in a language (`ru`, `ru-RU`; else English)."""
    return MODELS.get(language.split("-", maxsplit=1)[0].lower(), MODELS["en"])


def pbx_device_info(entry: MttBusinessConfigEntry, language: str = "en") -> DeviceInfo:
    """The PBX: one service device per entry."""
    return DeviceInfo(
        identifiers={pbx_identifier(entry)},
        name=entry.title,
        manufacturer=MANUFACTURER,
        model=device_models(language)[0],
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=PROVIDER_PORTAL_URL,
    )


def workplace_device_info(
    entry: MttBusinessConfigEntry, workplace: Workplace, language: str = "en"
) -> DeviceInfo:
    """A workplace: named after the workplace, else its SIP ID."""
    return DeviceInfo(
        identifiers={workplace_identifier(entry, workplace.sip_id)},
        name=workplace.display_name,
        manufacturer=MANUFACTURER,
        model=device_models(language)[1],
        serial_number=workplace.sip_id,
    )


@callback
def async_sync_devices(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, directory: PbxDirectory
) -> None:
    """Add the PBX and the workplaces; remove workplaces the PBX no longer has."""
    registry = dr.async_get(hass)
    pbx = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        **pbx_device_info(entry, hass.config.language),
    )
    wanted = {pbx_identifier(entry)}
    for workplace in directory.workplaces:
        info = workplace_device_info(entry, workplace, hass.config.language)
        wanted |= info["identifiers"]
        device = registry.async_get_or_create(config_entry_id=entry.entry_id, **info)
        if device.name != workplace.display_name or device.via_device_id != pbx.id:
            registry.async_update_device(
                device.id, name=workplace.display_name, via_device_id=pbx.id
            )
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        if not device.identifiers & wanted:
            registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )
