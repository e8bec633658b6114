"""Actions: place, transfer and end calls, park external numbers, keep the phone book."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .api.models import Leg
from .api.phone_number import normalize_number
from .call_counters import PBX
from .calls.phone_book import (
    CONF_CONTACTS,
    PhoneBookError,
    contacts_from_pairs,
    merge_contacts,
)
from .compat import vol
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .devices import identified_workplace
from .entries import EntryLookupError, async_loaded_entry, async_only_loaded_entry
from .errors import raise_translated_error, translated
from .people import async_workplace_of_user

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_CALLER_ID = "caller_id"
ATTR_CALLEE_ID = "callee_id"
ATTR_CALL_ID = "call_id"
ATTR_TAG = "tag"
ATTR_TRANSPORT_ID = "transport_id"
ATTR_NUMBERS = "numbers"
ATTR_IS_PARKING = "is_parking"
ATTR_CONTACTS = "contacts"
ATTR_REPLACE = "replace"
ATTR_WORKPLACE = "workplace"

_ENTRY: dict[Any, Any] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}
_LEG: dict[Any, Any] = {
    vol.Required(ATTR_CALL_ID): cv.string,
    vol.Optional(ATTR_TAG): cv.string,
    vol.Optional(ATTR_TRANSPORT_ID): cv.string,
}
MAKE_CALL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CALLER_ID): cv.string,
        vol.Required(ATTR_CALLEE_ID): cv.string,
        **_ENTRY,
    }
)
TRANSFER_CALL_SCHEMA = vol.Schema(
    {**_LEG, vol.Required(ATTR_CALLEE_ID): cv.string, **_ENTRY}
)
TERMINATE_CALL_SCHEMA = vol.Schema({**_LEG, **_ENTRY})
SET_PARKING_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_NUMBERS): vol.All(cv.ensure_list, [cv.string]),
        vol.Required(ATTR_IS_PARKING): cv.boolean,
        **_ENTRY,
    }
)


def _contact_pairs(value: Any) -> list[tuple[str, str]]:
    """Contacts as (number, name) pairs, numbers and names not yet checked.

    A mapping number → name, or a list of `{number, name}` (a single
    `{number, name}` is one contact).
    """
    if isinstance(value, Mapping) and set(value) == {"number", "name"}:
        value = [value]
    if isinstance(value, Mapping):
        return [(cv.string(number), cv.string(name)) for number, name in value.items()]
    if not isinstance(value, list):
        raise vol.Invalid("expected a mapping of numbers to names or a list of them")
    pairs: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, Mapping) or set(item) != {"number", "name"}:
            raise vol.Invalid("each contact is a mapping with a number and a name")
        pairs.append((cv.string(item["number"]), cv.string(item["name"])))
    return pairs


SET_CONTACTS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONTACTS): _contact_pairs,
        vol.Optional(ATTR_REPLACE, default=False): cv.boolean,
        **_ENTRY,
    }
)


MARK_MISSED_SEEN_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_WORKPLACE): cv.string, **_ENTRY}
)


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return translated(ServiceValidationError, key, **placeholders)


def _entry(hass: HomeAssistant, call: ServiceCall) -> MttBusinessConfigEntry:
    """The entry an action is for: named, or the only one loaded."""
    entry_id: str | None = call.data.get(ATTR_CONFIG_ENTRY_ID)
    try:
        if entry_id:
            return async_loaded_entry(hass, entry_id)
        return async_only_loaded_entry(hass)
    except EntryLookupError as err:
        if entry_id:
            raise _invalid(err.key, entry_id=entry_id) from err
        raise _invalid(err.key) from err


type _Action = Callable[
    [HomeAssistant, MttBusinessConfigEntry, ServiceCall],
    Coroutine[Any, Any, ServiceResponse],
]
"""An action's handler, given the entry the action is for."""


def _for_entry(
    action: _Action,
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """The handler of `action`: finds the entry, then runs it (`raise_translated_error`)."""
    translating = raise_translated_error(action)

    async def _async_handle(call: ServiceCall) -> ServiceResponse:
        return await translating(call.hass, _entry(call.hass, call), call)

    return _async_handle


def _workplace(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, value: str, field: str
) -> str | None:
    """A workplace SIP ID from a device id or a SIP ID; None if it is neither."""
    directory = entry.runtime_data.directory.data
    if (device := dr.async_get(hass).async_get(value)) is not None:
        sip_id = identified_workplace(entry, device.identifiers)
        if sip_id is None or directory.workplace(sip_id) is None:
            raise _invalid("unknown_workplace", field=field, value=value)
        return sip_id
    if directory.workplace(value) is not None:
        return value
    if any(t.sip_id == value for t in directory.terminals):
        raise _invalid("terminal_not_workplace", field=field, value=value)
    return None


def _dial(value: str, field: str) -> str:
    """A number in the form the PBX dials.

    Russian numbers as the documentation's example dials them (`8…`); others in
    E.164 (`+44…`): without the `+` the PBX would read them as Russian numbers.
    """
    number = normalize_number(value)
    if number is None or not number.startswith("+"):
        raise _invalid("invalid_number", field=field, value=value)
    if number.startswith("+7") and len(number) == 12:
        return "8" + number[2:]
    return number


def _leg(entry: MttBusinessConfigEntry, call: ServiceCall) -> tuple[Leg, str]:
    """The leg to act on, as given or as the call tracker knows it.

    `call_id` is the event's `call_id` (the call's current leg is meant) or its
    `leg_id` (that very leg). `tag` and `transport_id` default to the tracker's.
    """
    value: str = call.data[ATTR_CALL_ID]
    tracker = entry.runtime_data.call_monitor.tracker
    tracked = tracker.call(value) or tracker.call(Leg(value).call_id)
    tag: str | None = call.data.get(ATTR_TAG)
    transport: str | None = call.data.get(ATTR_TRANSPORT_ID)
    leg_id = value
    if tracked is not None:
        if value in (tracked.call_id, tracked.leg.id):
            leg_id = tracked.leg.id
            tag = tag or tracked.leg.tag
        transport = transport or tracked.transport_id
    if not tag or not transport:
        raise _invalid("unknown_call", field=ATTR_CALL_ID, value=value)
    return Leg(leg_id, tag), transport


def _caller_workplace(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> str:
    """The workplace that rings first: as given, else the calling user's own.

    Without `caller_id` the user's person must have a workplace (`people.py`); an
    automation or a script calls on no user's behalf and must give it.
    """
    if (value := call.data.get(ATTR_CALLER_ID)) is None:
        user_id = call.context.user_id
        if user_id is None:
            raise _invalid("caller_required")
        own = async_workplace_of_user(hass, entry.options, user_id)
        if own is None or entry.runtime_data.directory.data.workplace(own) is None:
            raise _invalid("no_workplace_of_user")
        return own
    caller = _workplace(hass, entry, value, ATTR_CALLER_ID)
    if caller is None:
        raise _invalid("unknown_workplace", field=ATTR_CALLER_ID, value=value)
    return caller


async def _async_make_call(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> ServiceResponse:
    caller = _caller_workplace(hass, entry, call)
    callee = _dial(call.data[ATTR_CALLEE_ID], ATTR_CALLEE_ID)
    call_id = await entry.runtime_data.client.make_call(caller, callee)
    # The PBX pushes the call's first state at once: silence means pushes are lost.
    entry.runtime_data.push_health.async_expect_push()
    return {"call_id": call_id}


async def _async_transfer_call(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> None:
    leg, transport = _leg(entry, call)
    value: str = call.data[ATTR_CALLEE_ID]
    target = _workplace(hass, entry, value, ATTR_CALLEE_ID) or _dial(
        value, ATTR_CALLEE_ID
    )
    entry.runtime_data.call_monitor.tracker.mark_commanded(leg)
    await entry.runtime_data.client.transfer_call(leg, transport, target)


async def _async_terminate_call(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> None:
    leg, transport = _leg(entry, call)
    entry.runtime_data.call_monitor.tracker.mark_commanded(leg)
    await entry.runtime_data.client.terminate_call(leg, transport)


async def _async_mark_missed_seen(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> None:
    """The missed calls of the PBX, or of one workplace, were seen."""
    scope = PBX
    if ATTR_WORKPLACE in call.data:
        workplace = _workplace(hass, entry, call.data[ATTR_WORKPLACE], ATTR_WORKPLACE)
        if workplace is None:
            raise _invalid(
                "unknown_workplace",
                field=ATTR_WORKPLACE,
                value=call.data[ATTR_WORKPLACE],
            )
        scope = workplace
    entry.runtime_data.call_counters.async_mark_seen(scope)


async def _async_set_parking(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> None:
    """Park the numbers (all the PBX's by default); the switches follow `Parking`."""
    own = {
        normalize_number(n.number): n.number
        for n in entry.runtime_data.directory.data.external_numbers
    }
    wanted: list[str] = call.data.get(ATTR_NUMBERS) or list(own.values())
    numbers: list[str] = []
    for value in wanted:
        if (number := own.get(normalize_number(value))) is None:
            raise _invalid("unknown_number", field=ATTR_NUMBERS, value=value)
        numbers.append(number)
    await entry.runtime_data.parking.async_set(numbers, call.data[ATTR_IS_PARKING])


async def _async_set_contacts(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, call: ServiceCall
) -> None:
    """Merge contacts into the phone book, or replace it; saved without a reload.

    The phone book is read from the options when it is needed (the entry's update
    listener only checks the Redirect URI).
    """
    try:
        contacts = contacts_from_pairs(call.data[ATTR_CONTACTS])
        if not call.data[ATTR_REPLACE]:
            contacts = merge_contacts(
                entry.runtime_data.phone_book.book(entry.options).contacts, contacts
            )
    except PhoneBookError as err:
        raise _invalid(err.key, field=ATTR_CONTACTS, **err.placeholders) from err
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_CONTACTS: contacts}
    )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions."""
    services: list[tuple[str, _Action, vol.Schema, SupportsResponse]] = [
        (
            "mark_missed_seen",
            _async_mark_missed_seen,
            MARK_MISSED_SEEN_SCHEMA,
            SupportsResponse.NONE,
        ),
        ("make_call", _async_make_call, MAKE_CALL_SCHEMA, SupportsResponse.OPTIONAL),
        (
            "transfer_call",
            _async_transfer_call,
            TRANSFER_CALL_SCHEMA,
            SupportsResponse.NONE,
        ),
        (
            "terminate_call",
            _async_terminate_call,
            TERMINATE_CALL_SCHEMA,
            SupportsResponse.NONE,
        ),
        ("set_parking", _async_set_parking, SET_PARKING_SCHEMA, SupportsResponse.NONE),
        (
            "set_contacts",
            _async_set_contacts,
            SET_CONTACTS_SCHEMA,
            SupportsResponse.NONE,
        ),
    ]
    for name, handler, schema, response in services:
        hass.services.async_register(
            DOMAIN,
            name,
            _for_entry(handler),
            schema=schema,
            supports_response=response,
        )
