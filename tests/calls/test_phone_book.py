"""The phone book on its own: names for numbers in any format, as text.

How routing rules name contacts is tested with routing
(tests/components/mtt_business/test_routing.py).
"""

from __future__ import annotations

import pytest

from custom_components.mtt_business.calls.phone_book import (
    MAX_CONTACTS,
    Contact,
    PhoneBook,
    PhoneBookCache,
    PhoneBookError,
    contacts_from_pairs,
    format_text,
    make_contact,
    merge_contacts,
    parse_text,
)

TEXT = """\
# Customers
+7 916 123-45-67 = Иван Петров, ООО Ромашка

8495 = Москва
8 (495) 64 = Офис = центр
+44 20 = London
"""


@pytest.fixture
def book() -> PhoneBook:
    return PhoneBook(parse_text(TEXT))


def test_text_is_read_into_normalized_contacts() -> None:
    assert parse_text(TEXT) == [
        {"number": "+79161234567", "name": "Иван Петров, ООО Ромашка"},
        {"number": "+7495", "name": "Москва"},
        {"number": "+749564", "name": "Офис = центр"},
        {"number": "+4420", "name": "London"},
    ]


@pytest.mark.parametrize(
    "number",
    [
        "+79161234567",
        "79161234567",
        "89161234567",
        "9161234567",
        "8 (916) 123-45-67",
        "+7 916 123 45 67",
        "89161234567@pstn",
    ],
)
def test_a_number_in_any_format_has_its_name(book: PhoneBook, number: str) -> None:
    assert book.name_of(number) == "Иван Петров, ООО Ромашка"


@pytest.mark.parametrize(
    ("number", "name"),
    [
        ("+74951234567", "Москва"),
        ("8 495 641-23-45", "Офис = центр"),
        ("+442079460958", "London"),
        ("+79161234568", None),
        ("+78121234567", None),
        ("883140777716581", None),  # a SIP ID is no phone number
        ("101", None),
        ("not a number", None),
        ("", None),
        (None, None),
    ],
)
def test_the_longest_prefix_wins(
    book: PhoneBook, number: str | None, name: str | None
) -> None:
    assert book.name_of(number) == name


def test_a_sip_id_is_not_read_as_a_prefix() -> None:
    """`8831…` (a SIP ID) must not be taken for Nizhny Novgorod's `+7831…`."""
    book = PhoneBook(parse_text("8831 = Нижний Новгород"))
    assert book.name_of("883140777716581") is None
    assert book.name_of("88312123456") == "Нижний Новгород"


def test_an_empty_book_names_nothing() -> None:
    assert PhoneBook().name_of("+79161234567") is None
    assert PhoneBook.from_options({}).name_of("+79161234567") is None
    assert len(PhoneBook.from_options({"contacts": []})) == 0


def test_numbers_by_name_ignore_case_and_spaces() -> None:
    book = PhoneBook(
        parse_text("8916 = ООО Ромашка\n8495 = Иван\n+7 903 = ооо  ромашка")
    )
    assert book.number_of("ооо ромашка") == "+7916"
    assert book.number_of("  ООО   Ромашка ") == "+7916"
    assert book.numbers_of("ООО РОМАШКА") == ("+7916", "+7903")
    assert book.number_of("Ромашка") is None
    assert book.numbers_of("nobody") == ()


def test_text_round_trip() -> None:
    contacts = parse_text(TEXT)
    text = format_text(contacts)
    assert text == (
        "+7 916 123-45-67 = Иван Петров, ООО Ромашка\n"
        "+7 495… = Москва\n"
        "+7 495 64… = Офис = центр\n"
        "+4420 = London"
    )
    assert parse_text(text) == contacts
    assert format_text([]) == ""
    assert parse_text("") == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# a comment\n\n+7916 = A\nnonsense", "4"),
        ("+7 916 123-45-67", "1"),
        ("+7 916 123-45-67 =", "1"),
        ("+7 916 123-45-67 =   ", "1"),
        ("Иван = +7 916 123-45-67", "1"),
        ("= Иван", "1"),
        ("8916 = A\n\n+7 916 = B", "3"),
        ("+7 916 = " + "я" * 101, "1"),
        ("+1234567890123456 = too long a number", "1"),
        ("+7 916 = A\x07B", "1"),
    ],
)
def test_a_bad_line_is_named(text: str, line: str) -> None:
    with pytest.raises(PhoneBookError) as err:
        parse_text(text)
    assert err.value.key == "invalid_contact_line"
    assert err.value.placeholders["line"] == line
    quoted = err.value.placeholders["text"].removesuffix("…")
    assert text.splitlines()[int(line) - 1].strip().startswith(quoted)


def test_a_long_bad_line_is_quoted_short() -> None:
    with pytest.raises(PhoneBookError) as err:
        parse_text("+7 916 = " + "я" * 500)
    quoted = err.value.placeholders["text"]
    assert len(quoted) == 60
    assert quoted.endswith("…")


def test_names_are_one_line_of_at_most_100_characters() -> None:
    assert make_contact("8 916", "  Иван \t Петров ") == {
        "number": "+7916",
        "name": "Иван Петров",
    }
    assert make_contact("8916", "я" * 100)["name"] == "я" * 100
    for name in ("я" * 101, "", "   ", "Иван\x00"):
        with pytest.raises(PhoneBookError) as err:
            make_contact("8916", name)
        assert err.value.key == "invalid_contact_name"
        assert err.value.placeholders == {"number": "8916", "max_length": "100"}
    with pytest.raises(PhoneBookError) as err:
        make_contact("phone", "Иван")
    assert err.value.key == "invalid_contact_number"
    assert err.value.placeholders == {"value": "phone"}


def _numbers(count: int) -> str:
    return "\n".join(f"+7900{index:07d} = Клиент {index}" for index in range(count))


def test_at_most_10000_contacts() -> None:
    contacts = parse_text(_numbers(MAX_CONTACTS))
    assert len(contacts) == MAX_CONTACTS
    with pytest.raises(PhoneBookError) as err:
        parse_text(_numbers(MAX_CONTACTS + 1))
    assert err.value.key == "too_many_contacts"
    assert err.value.placeholders == {"max_contacts": "10000"}
    one_more = [Contact(number="+7495", name="Москва")]
    with pytest.raises(PhoneBookError):
        merge_contacts(contacts, one_more)
    assert len(merge_contacts(contacts, contacts[:1])) == MAX_CONTACTS


def test_lookups_in_a_full_book() -> None:
    """10,000 contacts of many prefix lengths: the longest prefix still wins.

    (How fast a lookup is, is not a test's business: it is a few dict reads.)
    """
    contacts = parse_text(_numbers(MAX_CONTACTS - 10))
    contacts += [Contact(number="+7" + "9" * n, name=f"Префикс {n}") for n in range(10)]
    book = PhoneBook(contacts)
    assert book.name_of("+79000000042") == "Клиент 42"
    assert book.name_of("+79999999999") == "Префикс 9"
    assert book.name_of("8 800 0000042") == "Префикс 0"  # "+7", the shortest


def test_pairs_merge_and_duplicates() -> None:
    old = contacts_from_pairs([("8916", "A"), ("8495", "B")])
    new = contacts_from_pairs([("+7 495", "B2"), ("8812", "C")])
    assert merge_contacts(old, new) == [
        {"number": "+7916", "name": "A"},
        {"number": "+7495", "name": "B2"},
        {"number": "+7812", "name": "C"},
    ]
    with pytest.raises(PhoneBookError) as err:
        contacts_from_pairs([("8916", "A"), ("+7 916", "B")])
    assert err.value.key == "duplicate_contact"
    assert err.value.placeholders == {"number": "+7 916"}


def test_stored_contacts_that_are_not_contacts_are_skipped() -> None:
    book = PhoneBook.from_options(
        {"contacts": [{"number": "+7916", "name": "A"}, {"number": 7}, "x", None]}
    )
    assert book.contacts == [{"number": "+7916", "name": "A"}]


def test_the_cache_builds_a_book_per_options() -> None:
    cache = PhoneBookCache()
    options = {"contacts": [{"number": "+7916", "name": "A"}]}
    book = cache.book(options)
    assert book.name_of("89161234567") == "A"
    assert cache.book(options) is book
    changed = {"contacts": [{"number": "+7916", "name": "B"}]}
    assert cache.book(changed).name_of("89161234567") == "B"
    assert cache.book({}).name_of("89161234567") is None
