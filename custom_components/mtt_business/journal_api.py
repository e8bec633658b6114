"""WebSocket commands: the call journal, a page at a time, for dashboards and cards.

`mtt_business/journal/list` with `entry_id`, optional `before` (the cursor the
previous page gave) and `limit` (1 to 200, default 50) answers
`{"calls": [...], "next": cursor or null}`, newest call first, each call as
`JournalRecord.as_dict` gives it and as people read it (`journal_listing`). An
unknown or unloaded entry is an error with a translated message.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    websocket_command,
)
from homeassistant.core import HomeAssistant, callback

from .api.phone_number import format_number
from .calls.view import display_fields
from .compat import vol
from .entries import EntryLookupError, async_loaded_entry
from .errors import async_send_entry_error
from .journal_record import JournalRecord
from .url_guard import playable_url

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
    try:
        entry = async_loaded_entry(hass, entry_id)
    except EntryLookupError as err:
        await async_send_entry_error(hass, connection, msg["id"], err, entry_id)
        return
    data = entry.runtime_data
    calls, following = data.journal.page(msg.get("before"), msg["limit"])
    directory = data.directory.data
    names = {
        workplace.sip_id: workplace.name.strip()
        for workplace in (directory.workplaces if directory is not None else ())
    }
    connection.send_result(
        msg["id"],
        {
            "calls": [journal_listing(hass, call, names) for call in calls],
            "next": following,
        },
    )


def journal_listing(
    hass: HomeAssistant, record: JournalRecord, workplace_names: dict[str, str]
) -> dict[str, Any]:
    """A journal record with its parties as people read them (`party_display`).

    `workplace_names`: the PBX's workplaces now (SIP ID → name, "" where the portal
    has none). A workplace the PBX no longer has, or no longer names, keeps the
    name the call was journaled with; else its SIP ID is all there is.
    """
    names = {sip_id: name or sip_id for sip_id, name in workplace_names.items()}
    workplace = record.workplace
    if workplace and record.workplace_name and not workplace_names.get(workplace):
        names[workplace] = record.workplace_name
    routed_to = record.routed_to
    return record.as_dict() | {
        "record_url": playable_url(hass, record.record_url),
        **display_fields(
            record.caller,
            record.callee,
            (record.caller_name, record.callee_name),
            names,
        ),
        "workplace_display": names.get(workplace, workplace) if workplace else None,
        "external_number_display": (
            format_number(record.external_number) if record.external_number else None
        ),
        "routed_to_display": names.get(routed_to, routed_to) if routed_to else None,
    }
