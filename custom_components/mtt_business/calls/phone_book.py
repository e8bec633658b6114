"""The phone book: names for numbers and prefixes, kept in the entry's options.

A contact is a number or the beginning of one (a prefix) in international form, as
`normalize_prefix` writes it, and a name: `{"number": "+79161234567", "name": "Иван
Петров"}`. A number is named after the longest contact it starts with, whatever its
format (`8…`, `7…`, `+7…`, spaces, dashes, parentheses): `+7495 = Москва` names every
Moscow number that no longer contact matches. As text, one contact a line:

    +7 916 123-45-67 = Иван Петров, ООО Ромашка

The routing table may name a contact instead of a number: `route_prefixes` turns such
rules into rules for the contact's numbers when a call is matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, TypedDict
import unicodedata

from ..api.phone_number import format_prefix, normalize_number, normalize_prefix
from .text_table import format_table, table_lines

CONF_CONTACTS: Final = "contacts"
MAX_CONTACTS: Final = 10_000
MAX_NAME_LENGTH: Final = 100
MAX_DIGITS: Final = 15
"""The longest number E.164 allows; a contact's number or prefix has 1 to 15 digits."""
_QUOTED_LINE: Final = 60
"""How much of a line that cannot be read an error quotes."""


class Contact(TypedDict):
    """One contact as the options store it."""

    number: str
    name: str


class PhoneBookError(ValueError):
    """Contacts that cannot be kept: a translation key and its placeholders.

    The same keys name the options flow's errors and the actions' exceptions.
    """

    def __init__(self, key: str, **placeholders: str) -> None:
        """Keep the translation key and its placeholders."""
        super().__init__(key, placeholders)
        self.key = key
        self.placeholders = placeholders


def contact_number(raw: str) -> str | None:
    """A contact's number or prefix in international form; None if it is not one."""
    prefix = normalize_prefix(raw)
    if prefix is None:
        return None
    digits = prefix[1:]
    if not digits.isascii() or not 1 <= len(digits) <= MAX_DIGITS:
        return None
    return prefix


def contact_name(raw: str) -> str | None:
    """A name on one line, its spaces trimmed and runs of them made one.

    None for an empty name, one longer than `MAX_NAME_LENGTH` or one holding a
    control character.
    """
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        return None
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        return None
    return name


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def make_contact(number: str, name: str) -> Contact:
    """A contact from a number (or prefix) in any format and a name."""
    if (normalized := contact_number(number)) is None:
        raise PhoneBookError("invalid_contact_number", value=number)
    if (clean := contact_name(name)) is None:
        raise PhoneBookError(
            "invalid_contact_name", number=number, max_length=str(MAX_NAME_LENGTH)
        )
    return Contact(number=normalized, name=clean)


def check_size(contacts: list[Contact]) -> list[Contact]:
    """The contacts, if there are not more than a phone book holds."""
    if len(contacts) > MAX_CONTACTS:
        raise PhoneBookError("too_many_contacts", max_contacts=str(MAX_CONTACTS))
    return contacts


def contacts_from_pairs(pairs: Iterable[tuple[str, str]]) -> list[Contact]:
    """Contacts from (number, name) pairs, each number once."""
    contacts: dict[str, Contact] = {}
    for number, name in pairs:
        contact = make_contact(number, name)
        if contact["number"] in contacts:
            raise PhoneBookError("duplicate_contact", number=number)
        contacts[contact["number"]] = contact
    return check_size(list(contacts.values()))


def merge_contacts(old: Iterable[Contact], new: Iterable[Contact]) -> list[Contact]:
    """The old contacts with the new ones' names, then the new numbers in order."""
    merged = {contact["number"]: contact for contact in old}
    merged.update({contact["number"]: contact for contact in new})
    return check_size(list(merged.values()))


def parse_text(text: str) -> list[Contact]:
    """The whole phone book from text, one `number or prefix = name` a line.

    Blank lines and lines starting with `#` are skipped. A line that cannot be read
    (no `=`, not a number, no name or a name too long, a number given before) is an
    error naming its line number.
    """
    contacts: dict[str, Contact] = {}
    for line in table_lines(text):
        number = contact_number(line.key)
        name = contact_name(line.value) if line.value is not None else None
        if number is None or name is None or number in contacts:
            quoted = line.text
            if len(quoted) > _QUOTED_LINE:
                quoted = quoted[: _QUOTED_LINE - 1] + "…"
            raise PhoneBookError(
                "invalid_contact_line", line=str(line.number), text=quoted
            )
        if len(contacts) == MAX_CONTACTS:
            raise PhoneBookError("too_many_contacts", max_contacts=str(MAX_CONTACTS))
        contacts[number] = Contact(number=number, name=name)
    return list(contacts.values())


def format_text(contacts: Iterable[Contact]) -> str:
    """The phone book as `parse_text` reads it, numbers written for people."""
    return format_table(
        (format_prefix(contact["number"]), contact["name"]) for contact in contacts
    )


class PhoneBook:
    """Names for numbers, looked up in as many steps as there are prefix lengths."""

    __slots__ = ("_by_name", "_contacts", "_lengths", "_names")

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        """Index the contacts (normalized, as `make_contact` returns them)."""
        self._contacts: tuple[Contact, ...] = tuple(contacts)
        self._names: dict[str, str] = {}
        by_name: dict[str, list[str]] = {}
        for contact in self._contacts:
            number, name = contact["number"], contact["name"]
            self._names.setdefault(number, name)
            by_name.setdefault(_name_key(name), []).append(number)
        self._lengths: tuple[int, ...] = tuple(
            sorted({len(number) for number in self._names}, reverse=True)
        )
        self._by_name: dict[str, tuple[str, ...]] = {
            key: tuple(numbers) for key, numbers in by_name.items()
        }

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> PhoneBook:
        """The phone book kept in an entry's options (malformed items skipped)."""
        return cls(
            Contact(number=item["number"], name=item["name"])
            for item in options.get(CONF_CONTACTS) or ()
            if isinstance(item, Mapping)
            and isinstance(item.get("number"), str)
            and isinstance(item.get("name"), str)
        )

    @property
    def contacts(self) -> list[Contact]:
        """The contacts in their order, as copies that may be changed and saved."""
        return [Contact(number=c["number"], name=c["name"]) for c in self._contacts]

    def __len__(self) -> int:
        """How many contacts there are."""
        return len(self._contacts)

    def name_of(self, number: str | None) -> str | None:
        """The name of the longest contact the number starts with, in any format.

        Only numbers in international form after `normalize_number` (`8…`, `7…`,
        `+7…`, `+44…`, with or without spaces, dashes and parentheses) have names;
        SIP IDs and extensions have none.
        """
        if not self._lengths:
            return None
        normalized = normalize_number(number)
        if not normalized or not normalized.startswith("+"):
            return None
        size = len(normalized)
        names = self._names
        for length in self._lengths:
            if length <= size and (name := names.get(normalized[:length])):
                return name
        return None

    def numbers_of(self, name: str) -> tuple[str, ...]:
        """The numbers of every contact of this name (case-insensitive), in order."""
        return self._by_name.get(_name_key(name), ())

    def number_of(self, name: str) -> str | None:
        """The number of the first contact of this name (case-insensitive)."""
        numbers = self.numbers_of(name)
        return numbers[0] if numbers else None


class PhoneBookCache:
    """An entry's phone book, built again only when the entry's options change.

    Home Assistant gives an entry a new options mapping exactly when they change
    (`async_update_entry` compares them first), so the mapping's identity tells.
    """

    __slots__ = ("_book", "_options")

    def __init__(self) -> None:
        """Start with no options seen."""
        self._options: Mapping[str, Any] | None = None
        self._book = PhoneBook()

    def book(self, options: Mapping[str, Any]) -> PhoneBook:
        """The phone book of these options (the one built last, if they are those)."""
        if options is not self._options:
            self._book = PhoneBook.from_options(options)
            self._options = options
        return self._book


def route_caller(value: str, book: PhoneBook) -> str | None:
    """A routing rule's caller as it is stored; None if it is not one.

    A number or prefix in any format is stored normalized; anything else must be the
    name of a contact in the phone book, and is stored as given (spaces trimmed).
    """
    if (prefix := normalize_prefix(value)) is not None:
        return prefix
    name = " ".join(value.split())
    return name if book.numbers_of(name) else None


def route_prefixes(
    routes: Iterable[Mapping[str, str]], book: PhoneBook
) -> list[dict[str, str]]:
    """The routing rules with numbers only, for `routing.match_route`.

    A rule naming a contact becomes one rule per number of the contacts of that
    name; a name no longer in the phone book matches nothing. A number written in
    the table wins over the same number reached through a name, and of two names
    the earlier rule wins.
    """
    numbered: list[dict[str, str]] = []
    named: list[dict[str, str]] = []
    for route in routes:
        caller, workplace = route.get("caller", ""), route.get("workplace", "")
        if not caller or not workplace:
            continue
        if (prefix := normalize_prefix(caller)) is not None:
            numbered.append({"caller": prefix, "workplace": workplace})
        else:
            named.extend(
                {"caller": number, "workplace": workplace}
                for number in book.numbers_of(caller)
            )
    seen: set[str] = set()
    prefixes: list[dict[str, str]] = []
    for route in numbered + named:
        if route["caller"] not in seen:
            seen.add(route["caller"])
            prefixes.append(route)
    return prefixes
