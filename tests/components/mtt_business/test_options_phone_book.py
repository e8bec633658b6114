"""The options flow's phone book: contacts one by one or as text."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from .test_options_flow import IVAN, _add, _menu, _open, _submit, _suggested

BOOK = "+7 916 123-45-67 = Иван Петров, ООО Ромашка\n+7495 = Москва"
SHOWN = "+7 916 123-45-67 = Иван Петров, ООО Ромашка\n+7 495… = Москва"
"""BOOK as the options show it: numbers and prefixes written for people."""


async def _add_contact(
    hass: HomeAssistant, entry: ConfigEntry, number: str, name: str
) -> ConfigFlowResult:
    form = await _open(hass, entry, "add_contact")
    assert form["type"] is FlowResultType.FORM
    assert form["step_id"] == "contact"
    return await _submit(hass, form, {"number": number, "name": name})


async def _set_book(hass: HomeAssistant, entry: ConfigEntry, text: str) -> None:
    form = await _open(hass, entry, "contacts_table")
    result = await _submit(hass, form, {"table": text})
    assert result["type"] is FlowResultType.MENU, result.get("errors")


async def test_menu_has_a_phone_book_section(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Contacts can be edited or removed once there are some; the menu counts them."""
    menu = await _menu(hass, config_entry)
    assert menu["menu_options"][-6:] == [
        "add_contact",
        "contacts_table",
        "recordings",
        "missed_calls",
        "people",
        "done",
    ]
    assert menu["description_placeholders"]["contacts"] == "0"
    await _set_book(hass, config_entry, BOOK)
    menu = await _menu(hass, config_entry)
    assert menu["menu_options"][-8:] == [
        "add_contact",
        "edit_contact",
        "remove_contacts",
        "contacts_table",
        "recordings",
        "missed_calls",
        "people",
        "done",
    ]
    assert menu["description_placeholders"]["contacts"] == "2"


async def test_add_contacts_in_any_number_format(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Numbers and prefixes are stored normalized, names trimmed; no reload."""
    runtime = config_entry.runtime_data
    result = await _add_contact(
        hass, config_entry, "8 (916) 123-45-67", "  Иван   Петров "
    )
    assert result["type"] is FlowResultType.MENU
    result = await _add_contact(hass, config_entry, "8495", "Москва")
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["contacts"] == [
        {"number": "+79161234567", "name": "Иван Петров"},
        {"number": "+7495", "name": "Москва"},
    ]
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.runtime_data is runtime


async def test_bad_contacts_are_refused(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Each field says what is wrong, what was typed stays, nothing is saved."""
    await _add_contact(hass, config_entry, "89161234567", "Иван Петров")
    cases = [
        ("not a number", "Анна", {"number": "invalid_contact_number"}),
        ("+7 916 123 45 67", "Анна", {"number": "duplicate_contact"}),
        ("8495", "   ", {"name": "invalid_contact_name"}),
        ("8495", "я" * 101, {"name": "invalid_contact_name"}),
        ("", "", {"number": "invalid_contact_number", "name": "invalid_contact_name"}),
    ]
    for number, name, errors in cases:
        result = await _add_contact(hass, config_entry, number, name)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
        assert result["description_placeholders"]["max_length"] == "100"
        assert _suggested(result, "number") == number
        assert _suggested(result, "name") == name
    assert config_entry.options["contacts"] == [
        {"number": "+79161234567", "name": "Иван Петров"}
    ]


async def test_edit_a_contact_chosen_or_typed(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Chosen from the list, or typed by number or name; shown filled in."""
    await _set_book(hass, config_entry, BOOK + "\n8812 = Питер")
    for typed in ("+7495", "8 495", "москва"):
        choose = await _open(hass, config_entry, "edit_contact")
        form = await _submit(hass, choose, {"contact": typed})
        assert form["step_id"] == "contact"
        assert _suggested(form, "number") == "+7 495…"
        assert _suggested(form, "name") == "Москва"
    choose = await _open(hass, config_entry, "edit_contact")
    unknown = await _submit(hass, choose, {"contact": "Нет такого"})
    assert unknown["errors"] == {"contact": "unknown_contact"}
    form = await _submit(hass, unknown, {"contact": "+7495"})
    duplicate = await _submit(hass, form, {"number": "8812", "name": "Москва"})
    assert duplicate["errors"] == {"number": "duplicate_contact"}
    result = await _submit(hass, form, {"number": "+7 499", "name": "Москва-2"})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["contacts"] == [
        {"number": "+79161234567", "name": "Иван Петров, ООО Ромашка"},
        {"number": "+7499", "name": "Москва-2"},
        {"number": "+7812", "name": "Питер"},
    ]
    # Its own number is no duplicate.
    choose = await _open(hass, config_entry, "edit_contact")
    form = await _submit(hass, choose, {"contact": "+7812"})
    result = await _submit(hass, form, {"number": "8812", "name": "Санкт-Петербург"})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["contacts"][2] == {
        "number": "+7812",
        "name": "Санкт-Петербург",
    }


async def test_remove_contacts(hass: HomeAssistant, config_entry: ConfigEntry) -> None:
    """Chosen contacts go; the others, the routing table and the setting stay."""
    await _add(hass, config_entry, "8916", IVAN)
    settings = await _open(hass, config_entry, "settings")
    await _submit(hass, settings, {"release_unmatched": False})
    await _set_book(hass, config_entry, BOOK + "\n8812 = Питер")
    form = await _open(hass, config_entry, "remove_contacts")
    options = form["data_schema"].schema["remove"].config["options"]
    assert [option["label"] for option in options] == [
        "+7 916 123-45-67 = Иван Петров, ООО Ромашка",
        "+7 495… = Москва",
        "+7 812… = Питер",
    ]
    result = await _submit(hass, form, {"remove": ["+79161234567", "+7812"]})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options == {
        "routes": [{"caller": "+7916", "workplace": IVAN}],
        "release_unmatched": False,
        "contacts": [{"number": "+7495", "name": "Москва"}],
    }


async def test_the_phone_book_as_text(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Any number format in, numbers for people out; a bad line is named by number."""
    form = await _open(hass, config_entry, "contacts_table")
    assert _suggested(form, "table") == ""
    result = await _submit(
        hass, form, {"table": "# Customers\n8 (916) 123-45-67 = Иван\n\nphone = Анна"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"table": "invalid_contact_line"}
    assert result["description_placeholders"]["line"] == "4"
    assert result["description_placeholders"]["text"] == "phone = Анна"
    assert _suggested(result, "table").endswith("phone = Анна")
    assert "contacts" not in config_entry.options
    result = await _submit(
        hass,
        result,
        {"table": "8 (916) 123-45-67 = Иван Петров, ООО Ромашка\n8495=Москва"},
    )
    assert result["type"] is FlowResultType.MENU
    again = await _open(hass, config_entry, "contacts_table")
    assert _suggested(again, "table") == SHOWN
    # The frontend sends no value for a text field the user emptied.
    cleared = await _submit(hass, again, {})
    assert cleared["type"] is FlowResultType.MENU
    assert config_entry.options["contacts"] == []


async def test_at_most_10000_contacts(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """A full phone book takes no more, from the form or as text."""
    full = "\n".join(f"+7900{index:07d} = Клиент {index}" for index in range(10_000))
    form = await _open(hass, config_entry, "contacts_table")
    result = await _submit(hass, form, {"table": full + "\n8495 = Москва"})
    assert result["errors"] == {"table": "too_many_contacts"}
    assert result["description_placeholders"]["max_contacts"] == "10000"
    await _set_book(hass, config_entry, full)
    result = await _add_contact(hass, config_entry, "8495", "Москва")
    assert result["errors"] == {"base": "too_many_contacts"}
    assert len(config_entry.options["contacts"]) == 10_000
    # Editing one is still possible.
    choose = await _open(hass, config_entry, "edit_contact")
    form = await _submit(hass, choose, {"contact": "Клиент 0"})
    result = await _submit(hass, form, {"number": "8495", "name": "Москва"})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["contacts"][0] == {"number": "+7495", "name": "Москва"}
