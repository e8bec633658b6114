"""The integration's websocket commands, for dashboards and the calls card.

- `mtt_business/calls/subscribe` (`calls_api.py`): the live calls and workplaces.
- `mtt_business/journal/list` (`journal_api.py`): the call history, page by page.

Each command keeps its own file (a live subscription and a paged query share no
code); their failed entry lookups are sent by `errors.async_send_entry_error`.
"""

from __future__ import annotations

from homeassistant.components.websocket_api import async_register_command
from homeassistant.core import HomeAssistant, callback

from .calls_api import websocket_subscribe_calls
from .journal_api import websocket_list_journal


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the integration's websocket commands."""
    async_register_command(hass, websocket_subscribe_calls)
    async_register_command(hass, websocket_list_journal)
