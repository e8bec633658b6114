"""What the options flow's steps share: the entry, saving, and tables as text."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig

from .api.models import PbxDirectory
from .calls.phone_book import PhoneBook
from .compat import vol
from .data import MttBusinessConfigEntry

CONF_TABLE = "table"
CONF_REMOVE = "remove"


class OptionsFlowBase(OptionsFlow):
    """The entry's options, each change saved on its own, nothing reloaded.

    A change is saved as soon as its step is submitted, and the flow goes back to
    its menu (`async_step_init`), which stays until the user chooses Done: closing
    the dialog loses nothing.
    """

    @property
    def _entry(self) -> MttBusinessConfigEntry:
        entry: MttBusinessConfigEntry = self.config_entry
        return entry

    @property
    def _directory(self) -> PbxDirectory:
        return self._entry.runtime_data.directory.data

    def _phone_book(self) -> PhoneBook:
        return self._entry.runtime_data.phone_book.book(self._entry.options)

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The menu: every step comes back to it (options_flow.py)."""
        raise NotImplementedError

    async def _async_save(self, **changes: Any) -> ConfigFlowResult:
        """Save the change now (the entry is not reloaded), then show the menu."""
        self.hass.config_entries.async_update_entry(
            self._entry, options={**self._entry.options, **changes}
        )
        return await self.async_step_init()

    async def async_step_done(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Close the options: everything is saved already."""
        return self.async_create_entry(data=dict(self._entry.options))

    @staticmethod
    def _table_text(user_input: dict[str, Any]) -> str:
        """The text submitted; an emptied field is not sent at all."""
        return str(user_input.get(CONF_TABLE) or "")

    def _show_table(
        self,
        step_id: str,
        text: str,
        errors: dict[str, str] | None = None,
        placeholders: dict[str, str] | None = None,
    ) -> ConfigFlowResult:
        """A form with the whole table as text, one entry a line.

        The text is a suggested value, not a default: a field the user emptied is
        not submitted, and a default would then bring the old table back.
        """
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Optional(CONF_TABLE): TextSelector(
                            TextSelectorConfig(multiline=True)
                        )
                    }
                ),
                {CONF_TABLE: text},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )
