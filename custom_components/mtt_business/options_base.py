"""What the options flow's steps share: the entry, saving, and tables as text."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig

from .api.models import PbxDirectory
from .compat import vol
from .data import MttBusinessConfigEntry
from .phone_book import PhoneBook

CONF_TABLE = "table"
CONF_REMOVE = "remove"


class OptionsFlowBase(OptionsFlow):
    """The entry's options, each change saved on its own, nothing reloaded."""

    @property
    def _entry(self) -> MttBusinessConfigEntry:
        entry: MttBusinessConfigEntry = self.config_entry
        return entry

    @property
    def _directory(self) -> PbxDirectory:
        return self._entry.runtime_data.directory.data

    def _phone_book(self) -> PhoneBook:
        return self._entry.runtime_data.phone_book.book(self._entry.options)

    def _save(self, **changes: Any) -> ConfigFlowResult:
        return self.async_create_entry(data={**self._entry.options, **changes})

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
