"""Fix flows of the repair issues (`issues.py`)."""

from __future__ import annotations

from typing import override

from homeassistant.components.repairs import (
    ConfirmRepairFlow,
    RepairsFlow,
    RepairsFlowResult,
)
from homeassistant.core import HomeAssistant

from .const import CONF_REDIRECT_URI
from .issues import REDIRECT_URI_CHANGED


class RedirectUriChangedFlow(ConfirmRepairFlow):
    """The user pasted the new Redirect URI in the MTT portal: record it."""

    def __init__(self, entry_id: str, redirect_uri: str) -> None:
        """Fix the issue of this entry, recording the Redirect URI it showed."""
        self._entry_id = entry_id
        self._redirect_uri = redirect_uri

    @override
    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Show the new Redirect URI; on confirmation, sign-in's record is updated."""
        if user_input is None:
            return await super().async_step_confirm()
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is not None:
            # The update listener (see __init__.py) checks the address again,
            # which deletes the issue and turns the problem sensor off.
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_REDIRECT_URI: self._redirect_uri}
            )
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """The fix flow of a fixable issue."""
    if issue_id.startswith(f"{REDIRECT_URI_CHANGED}_") and data is not None:
        return RedirectUriChangedFlow(str(data["entry_id"]), str(data["redirect_uri"]))
    return ConfirmRepairFlow()
