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

from .compat import vol
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .url_guard import playable_url
from .websocket_error import async_send_error

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
        await async_send_error(
            hass,
            connection,
            msg["id"],
            code=ERR_NOT_FOUND,
            key="unknown_entry",
            entry_id=entry_id,
        )
        return
    if entry.state is not ConfigEntryState.LOADED:
        await async_send_error(
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
        msg["id"],
        {
            "calls": [
                call.as_dict() | {"record_url": playable_url(hass, call.record_url)}
                for call in calls
            ],
            "next": following,
        },
    )
