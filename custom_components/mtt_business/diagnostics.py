"""Diagnostics of the entry and of each of its devices: shapes and counts, no people.

Diagnostics are shared with strangers, so what leaves here holds no phone number and
no name, whoever's they are:

- tokens, secrets, the Redirect URI, recording links and files are redacted;
- the PBX's own SIP IDs and external numbers become stand-ins (`workplace_1`,
  `terminal_1`, `external_number_1`, in the directory's order), so that support still
  sees which call is at which workplace and which rule routes where; any other number
  (a caller's, a rule's, a contact's) is redacted, rules keep only their kind (a
  number or prefix, with its count of digits, or a contact);
- workplace names (often people's names) and contact names are redacted; the phone
  book is given as its size, the call history as its size and the shapes of its
  newest calls;
- last, every string that is left is combed: anything shaped like a phone number, any
  name of the phone book or of a workplace and the Redirect URI's secret is replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
import re
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntry

from .api.models import PbxDirectory
from .api.phone_number import normalize_number
from .calls.phone_book import CONF_CONTACTS, PhoneBook
from .calls.tracker import TrackedCall
from .data import MttBusinessConfigEntry
from .devices import identified_workplace
from .journal_record import JournalRecord
from .redirect_uri import async_get_redirect_uri
from .routing import CONF_ROUTES

TO_REDACT = {
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
    "record_url",
    "recording",
    "redirect_uri",
    "transport_id",
    # Names: of callers (the provider's or the phone book's) and of workplaces.
    "caller_label",
    "callee_label",
    "caller_name",
    "callee_name",
    "workplace_name",
}
PARTIES = ("caller", "callee", "workplace", "routed_to", "external_number")
"""Fields that hold a SIP ID of the PBX or a number: a stand-in, or redacted."""
JOURNAL_SHAPES = 10
"""How many of the newest calls of the history are given (as shapes)."""

IDS = frozenset({"call_id", "leg"})
"""Keys of the provider's call ids: random hex, not combed for numbers."""
MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"
)
"""An ISO 8601 moment, which is left as it is."""
PHONE_NUMBER = re.compile(r"(?<![0-9A-Za-z+])\+?\d(?:[\s\-().]*\d){6,}(?![0-9A-Za-z])")
"""Seven digits or more, maybe with `+`, spaces, dashes, dots and parentheses, that
stand on their own (a run of digits inside an id is no number)."""
_MIN_NAME = 3
"""Shorter names are not searched for in other texts (they would hit words)."""


class _Redactor:
    """Stand-ins for the PBX's own identifiers, and what to comb out of texts."""

    def __init__(
        self, directory: PbxDirectory | None, book: PhoneBook, secret: str
    ) -> None:
        self._stand_ins: dict[str, str] = {}
        names: set[str] = {contact["name"] for contact in book.contacts}
        if directory is not None:
            for kind, values in (
                ("workplace", (w.sip_id for w in directory.workplaces)),
                ("terminal", (t.sip_id for t in directory.terminals)),
                ("external_number", (n.number for n in directory.external_numbers)),
            ):
                self._add(kind, values)
            names.update(w.name.strip() for w in directory.workplaces)
        self._names = sorted(
            (name for name in names if len(name) >= _MIN_NAME), key=len, reverse=True
        )
        self._secret = secret
        self._combed: dict[str, str] = {}
        """Texts combed already: a download repeats many (up to 10,000 names each)."""

    def _add(self, kind: str, values: Iterable[str]) -> None:
        for index, value in enumerate(values, start=1):
            for form in (value, normalize_number(value)):
                if form:
                    self._stand_ins.setdefault(form, f"{kind}_{index}")

    def party(self, value: Any) -> Any:
        """A SIP ID or external number of the PBX as its stand-in; else redacted."""
        if value is None or value == "":
            return value
        if isinstance(value, str):
            known = self._stand_ins.get(value) or self._stand_ins.get(
                normalize_number(value) or ""
            )
            if known:
                return known
        return REDACTED

    def record(self, details: Mapping[str, Any]) -> dict[str, Any]:
        """A call (active or ended): parties as stand-ins, names and links redacted."""
        redacted: dict[str, Any] = async_redact_data(details, TO_REDACT)
        for key in PARTIES:
            if key in redacted:
                redacted[key] = self.party(redacted[key])
        return redacted

    def comb(self, value: Any) -> Any:
        """Every string: numbers, known names and the secret replaced."""
        if isinstance(value, str):
            if (known := self._combed.get(value)) is None:
                known = self._combed[value] = self._comb_text(value)
            return known
        if isinstance(value, Mapping):
            return {
                key: item if key in IDS else self.comb(item)
                for key, item in value.items()
            }
        if isinstance(value, (list, tuple, set)):
            return [self.comb(item) for item in value]
        return value

    def _comb_text(self, value: str) -> str:
        if MOMENT.fullmatch(value):
            return value
        text = PHONE_NUMBER.sub(REDACTED, value)
        if self._secret:
            text = text.replace(self._secret, REDACTED)
        for name in self._names:
            if name in text:
                text = text.replace(name, REDACTED)
        return text


def _shape(value: Any) -> Any:
    """Texts redacted; numbers, on/off and the structure kept."""
    if isinstance(value, str):
        return REDACTED
    if isinstance(value, Mapping):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shape(item) for item in value]
    return value


def _rule(route: Any, redactor: _Redactor) -> dict[str, Any]:
    """A routing rule's shape: what kind of caller, and the workplace's stand-in."""
    if not isinstance(route, Mapping):
        return {"caller": REDACTED}
    digits = str(route.get("caller", "")).removeprefix("+")
    shape: dict[str, Any] = (
        {"caller": "number", "digits": len(digits)}
        if digits.isdigit()
        else {"caller": "contact"}
    )
    return shape | {"workplace": redactor.party(route.get("workplace"))}


def _options(options: Mapping[str, Any], redactor: _Redactor) -> dict[str, Any]:
    """The options' shapes: rules by kind, and the phone book's size.

    The settings (on or off) are given as they are; any other text is redacted.
    """
    shown: dict[str, Any] = {key: _shape(value) for key, value in options.items()}
    if isinstance(routes := options.get(CONF_ROUTES), list):
        shown[CONF_ROUTES] = [_rule(route, redactor) for route in routes]
    if isinstance(contacts := options.get(CONF_CONTACTS), list):
        shown[CONF_CONTACTS] = len(contacts)
    return shown


def _directory(directory: PbxDirectory, redactor: _Redactor) -> dict[str, Any]:
    """The PBX's external numbers, workplaces and terminals, as stand-ins."""
    return {
        "external_numbers": [
            {"number": redactor.party(n.number), "type": n.type}
            for n in directory.external_numbers
        ],
        "workplaces": [
            {
                "sip_id": redactor.party(w.sip_id),
                "name": REDACTED if w.name.strip() else "",
            }
            for w in directory.workplaces
        ],
        "terminals": [
            {
                "sip_id": redactor.party(t.sip_id),
                "workplace": redactor.party(t.workplace),
            }
            for t in directory.terminals
        ],
    }


def _journal_shape(record: JournalRecord, redactor: _Redactor) -> dict[str, Any]:
    return redactor.record(record.as_dict())


def _active_call(call: TrackedCall, redactor: _Redactor) -> dict[str, Any]:
    return redactor.record(asdict(call))


async def _redactor(hass: HomeAssistant, entry: MttBusinessConfigEntry) -> _Redactor:
    data = entry.runtime_data
    secret = (await async_get_redirect_uri(hass)).secret
    return _Redactor(data.directory.data, data.phone_book.book(entry.options), secret)


def _entry_diagnostics(
    entry: MttBusinessConfigEntry, redactor: _Redactor
) -> dict[str, Any]:
    data = entry.runtime_data
    journal = data.journal
    newest, _ = journal.page(limit=JOURNAL_SHAPES)
    directory = data.directory.data
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": _options(entry.options, redactor),
        },
        "directory": _directory(directory, redactor) if directory else None,
        "last_update_success": data.directory.last_update_success,
        "journal": {
            "calls": len(journal),
            "days": len(journal.days()),
            "newest": [_journal_shape(record, redactor) for record in newest],
        },
        "active_calls": [
            _active_call(call, redactor)
            for call in data.call_monitor.tracker.active_calls()
        ],
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> dict[str, Any]:
    """What support needs to see, without secrets, numbers or names."""
    redactor = await _redactor(hass, entry)
    combed: dict[str, Any] = redactor.comb(_entry_diagnostics(entry, redactor))
    return combed


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """The entry's diagnostics, and which device this is with its entities' states.

    Entities are named by their translation key and give their state only: their
    attributes hold callers' numbers and names.
    """
    redactor = await _redactor(hass, entry)
    sip_id = identified_workplace(entry, device.identifiers)
    entities = [
        {
            "domain": registered.domain,
            "translation_key": registered.translation_key,
            "disabled": registered.disabled_by is not None,
            "state": state.state
            if (state := hass.states.get(registered.entity_id))
            else None,
        }
        for registered in sorted(
            er.async_entries_for_device(er.async_get(hass), device.id, True),
            key=lambda registered: (
                registered.domain,
                registered.translation_key or "",
            ),
        )
    ]
    diagnostics = _entry_diagnostics(entry, redactor) | {
        "device": {
            "workplace": redactor.party(sip_id) if sip_id else None,
            "entities": entities,
        }
    }
    combed: dict[str, Any] = redactor.comb(diagnostics)
    return combed
