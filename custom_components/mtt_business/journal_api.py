"""WebSocket commands: the call journal, a page at a time, for dashboards and cards.

`mtt_business/journal/list` with `entry_id`, optional `before` (the cursor the
previous page gave) and `limit` (1 to 200, default 50) answers
`{"calls": [...], "next": cursor or null}`, newest call first, each call as
`JournalRecord.as_dict` gives it. An unknown or unloaded entry is an error with a
translated message.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_NOT_FOUND,
)
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations
import probatio as vol

from .const import DOMAIN
from .data import MttBusinessConfigEntry

DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200


@callback
@websocket_command(
    {
        vol.Required("type"): "mtt_business/journal/list",
        vol.Required("entry_id"): str,
        vol.Optional("before"): vol.Any(str, None),
        vol.Optional("limit", default=DEFAULT_LIMIT): vol.All(
            int, vol.Range(min=1, max=MAX_LIMIT)
        ),
    }
)
@async_response
async def websocket_list_journal(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg: dict[str, Any],
) -> None:
    """A page of an entry's call journal, newest call first."""
    entry_id: str = msg["entry_id"]
    entry: MttBusinessConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        await _async_send_error(
            hass,
            connection,
            msg["id"],
            code=ERR_NOT_FOUND,
            key="unknown_entry",
            entry_id=entry_id,
        )
        return
    if entry.state is not ConfigEntryState.LOADED:
        await _async_send_error(
            hass,
            connection,
            msg["id"],
            code=ERR_HOME_ASSISTANT_ERROR,
            key="entry_not_loaded",
            entry_id=entry_id,
        )
        return
    calls, following = entry.runtime_data.journal.page(msg.get("before"), msg["limit"])
    connection.send_result(
        msg["id"], {"calls": [call.as_dict() for call in calls], "next": following}
    )


async def _async_send_error(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg_id: int,
    *,
    code: str,
    key: str,
    entry_id: str,
) -> None:
    """An error with its English message and what the frontend translates it by."""
    placeholders = {"entry_id": entry_id}
    texts = await async_get_translations(hass, "en", "exceptions", {DOMAIN})
    message = texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
    connection.send_error(
        msg_id,
        code,
        message.format(**placeholders),
        translation_key=key,
        translation_domain=DOMAIN,
        translation_placeholders=placeholders,
    )
