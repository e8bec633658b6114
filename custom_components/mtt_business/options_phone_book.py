"""Options flow: the phone book's steps.

Add a contact (a number or prefix, in any format, and a name), edit one, remove
some, or edit the whole phone book as text, one `number or prefix = name` a line.
Every change is saved on its own, and the flow comes back to its menu; the phone
book is read from the options when it is needed, so nothing is reloaded. Numbers and
prefixes are shown as `format_prefix` writes them (`+7 916 123-45-67`, `+7 495…`).
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api.phone_number import format_prefix
from .calls.phone_book import (
    CONF_CONTACTS,
    MAX_CONTACTS,
    MAX_NAME_LENGTH,
    Contact,
    PhoneBook,
    PhoneBookError,
    contact_name,
    contact_number,
    format_text,
    parse_text,
)
from .compat import vol
from .options_base import CONF_REMOVE, CONF_TABLE, OptionsFlowBase

CONF_CONTACT = "contact"
CONF_NUMBER = "number"
CONF_NAME = "name"
LIMITS = {"max_length": str(MAX_NAME_LENGTH), "max_contacts": str(MAX_CONTACTS)}
"""The phone book's bounds, as the texts of its steps and errors name them."""


def _label(contact: Contact) -> str:
    return f"{format_prefix(contact['number'])} = {contact['name']}"


def _find(book: PhoneBook, value: str) -> str | None:
    """The number of the contact chosen, or typed as its number or name."""
    numbers = {contact["number"] for contact in book.contacts}
    if value in numbers:
        return value
    if (number := contact_number(value)) in numbers:
        return number
    return book.number_of(value)


class PhoneBookSteps(OptionsFlowBase):
    """The phone book's steps of the options flow."""

    _editing_contact: str | None = None
    """The number of the contact being edited; None while one is added."""

    def _contact_options(self) -> list[SelectOptionDict]:
        return [
            SelectOptionDict(value=contact["number"], label=_label(contact))
            for contact in self._phone_book().contacts
        ]

    async def async_step_add_contact(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new contact."""
        self._editing_contact = None
        return await self.async_step_contact()

    async def async_step_edit_contact(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the contact to edit, from the list or by its number or name."""
        errors: dict[str, str] = {}
        if user_input is not None:
            number = _find(self._phone_book(), str(user_input[CONF_CONTACT]))
            if number is not None:
                self._editing_contact = number
                return await self.async_step_contact()
            errors[CONF_CONTACT] = "unknown_contact"
        return self.async_show_form(
            step_id="edit_contact",
            data_schema=vol.Schema(
                {
                    # A searchable list (thousands of contacts are no dropdown),
                    # where a number or name may be typed too.
                    vol.Required(CONF_CONTACT): SelectSelector(
                        SelectSelectorConfig(
                            options=self._contact_options(),
                            mode=SelectSelectorMode.DROPDOWN,
                            custom_value=True,
                        )
                    )
                }
            ),
            errors=errors,
        )

    async def async_step_contact(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One contact: a number or prefix in any format, and a name."""
        contacts = self._phone_book().contacts
        editing = next(
            (
                index
                for index, contact in enumerate(contacts)
                if contact["number"] == self._editing_contact
            ),
            None,
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            number = contact_number(user_input[CONF_NUMBER])
            name = contact_name(user_input[CONF_NAME])
            if number is None:
                errors[CONF_NUMBER] = "invalid_contact_number"
            elif any(
                contact["number"] == number
                for index, contact in enumerate(contacts)
                if index != editing
            ):
                errors[CONF_NUMBER] = "duplicate_contact"
            if name is None:
                errors[CONF_NAME] = "invalid_contact_name"
            if editing is None and len(contacts) >= MAX_CONTACTS:
                errors["base"] = "too_many_contacts"
            if number is not None and name is not None and not errors:
                contact = Contact(number=number, name=name)
                if editing is None:
                    contacts.append(contact)
                else:
                    contacts[editing] = contact
                return await self._async_save(**{CONF_CONTACTS: contacts})
        current: dict[str, Any] = user_input or (
            {
                CONF_NUMBER: format_prefix(contacts[editing]["number"]),
                CONF_NAME: contacts[editing]["name"],
            }
            if editing is not None
            else {}
        )
        return self.async_show_form(
            step_id="contact",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_NUMBER): TextSelector(
                            TextSelectorConfig(type=TextSelectorType.TEL)
                        ),
                        vol.Required(CONF_NAME): TextSelector(),
                    }
                ),
                current,
            ),
            errors=errors,
            description_placeholders=LIMITS,
        )

    async def async_step_remove_contacts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove the chosen contacts."""
        if user_input is not None:
            gone = set(user_input[CONF_REMOVE])
            contacts = [
                contact
                for contact in self._phone_book().contacts
                if contact["number"] not in gone
            ]
            return await self._async_save(**{CONF_CONTACTS: contacts})
        return self.async_show_form(
            step_id="remove_contacts",
            data_schema=vol.Schema(
                {
                    # Chips and a searchable list, not one checkbox per contact.
                    vol.Required(CONF_REMOVE): SelectSelector(
                        SelectSelectorConfig(
                            options=self._contact_options(),
                            multiple=True,
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            ),
        )

    async def async_step_contacts_table(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The whole phone book as text: one `number or prefix = name` a line."""
        placeholders = {**LIMITS, "line": "", "text": ""}
        if user_input is None:
            return self._show_table(
                "contacts_table",
                format_text(self._phone_book().contacts),
                placeholders=placeholders,
            )
        text = self._table_text(user_input)
        try:
            contacts = parse_text(text)
        except PhoneBookError as err:
            return self._show_table(
                "contacts_table",
                text,
                {CONF_TABLE: err.key},
                placeholders | err.placeholders,
            )
        return await self._async_save(**{CONF_CONTACTS: contacts})
