"""Which entity and device a call's `mtt_business_call` event is about.

Home Assistant's logbook finds the events of an entity's or a device's page (and of
a logbook card's target) by the `entity_id` and `device_id` in their data. So each
call event names the PBX's **Call** event entity (every call is the PBX's) and the
device of the call's workplace (else the PBX's): the device pages and a logbook
card on the PBX's Call entity list the call's lines, also while those entities are
disabled (they are by default: their own logbook lines would repeat each step).
"""

from __future__ import annotations

from homeassistant.const import ATTR_DEVICE_ID, ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .devices import entity_unique_id

CALL_KEY = "call"
"""The key of the Call event entities (of the PBX, of each workplace)."""


@callback
def async_call_entity_id(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, workplace: str | None
) -> str | None:
    """The Call event entity of `workplace` if registered, else the PBX's."""
    registry = er.async_get(hass)
    unique_ids = [entity_unique_id(entry, CALL_KEY)]
    if workplace:
        unique_ids.insert(0, entity_unique_id(entry, CALL_KEY, workplace))
    for unique_id in unique_ids:
        if entity_id := registry.async_get_entity_id("event", DOMAIN, unique_id):
            return entity_id
    return None


@callback
def async_call_targets(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, workplace: str | None
) -> dict[str, str]:
    """The `entity_id` and `device_id` of a call event's data.

    `entity_id` is the PBX's Call entity, `device_id` the device of the call's
    workplace (else the PBX's); what is not registered is left out.
    """
    registry = er.async_get(hass)
    targets: dict[str, str] = {}
    if pbx_call := async_call_entity_id(hass, entry, None):
        targets[ATTR_ENTITY_ID] = pbx_call
    call_entity_id = async_call_entity_id(hass, entry, workplace)
    if (
        call_entity_id is not None
        and (registered := registry.async_get(call_entity_id)) is not None
        and registered.device_id is not None
    ):
        targets[ATTR_DEVICE_ID] = registered.device_id
    return targets
