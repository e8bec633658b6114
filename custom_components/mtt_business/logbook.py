"""Logbook lines for calls, in the language of Home Assistant.

The sentences are in `logbook_texts.py` (English and Russian): Home Assistant's
translation files have no category for logbook lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.components.logbook.models import LazyEventPartialState
from homeassistant.core import HomeAssistant, callback

from .call_targets import async_call_entity_id
from .calls.view import EVENT_CALL, number_display, party_display
from .const import DOMAIN
from .logbook_texts import logbook_template

ICONS = {
    "trying": "mdi:phone-incoming",
    "showing": "mdi:phone-ring",
    "connected": "mdi:phone-in-talk",
    "hiding": "mdi:phone-minus",
    "finished": "mdi:phone-hangup",
    "recorded": "mdi:record-rec",
    "routing_failed": "mdi:phone-alert",
}
"""The icons of the Call event entity's event types (icons.json), per call step."""


def _party(value: Any, name: Any, data: Mapping[str, Any]) -> str:
    """A party as every surface shows it (`party_display`), a name with its number.

    `Иван Петров (+7 916 123-45-67)`, `+7 916 123-45-67`, a workplace's name.
    """
    if not isinstance(value, str) or not value:
        return "?"
    workplace, workplace_name = data.get("workplace"), data.get("workplace_name")
    names = {workplace: str(workplace_name)} if workplace and workplace_name else {}
    shown = party_display(value, name if isinstance(name, str) else None, names)
    number = number_display(value, names)
    if shown is None or shown == number or number is None:
        return shown or "?"
    return f"{shown} ({number})"


def describe_call(template: Callable[[str], str], data: Mapping[str, Any]) -> str:
    """One readable line for a `mtt_business_call` event."""
    state = data.get("state")
    direction = "outgoing" if data.get("direction") == "outgoing" else "incoming"
    workplace = data.get("workplace_name") or data.get("workplace") or "?"
    duration = data.get("duration")
    if isinstance(duration, int) and duration >= 60:
        minutes, seconds = divmod(duration, 60)
        length = template("minutes_seconds" if seconds else "minutes").format(
            minutes=minutes, seconds=seconds
        )
    else:
        length = template("seconds").format(seconds=duration or 0)
    callee, callee_name = data.get("callee"), data.get("callee_name")
    dialled = data.get("external_number")
    if direction == "incoming" and isinstance(dialled, str) and dialled != callee:
        # an incoming call goes to the external number the caller dialled
        callee, callee_name = dialled, None
    values = {
        "caller": _party(data.get("caller"), data.get("caller_name"), data),
        "callee": _party(callee, callee_name, data),
        "workplace": workplace,
        "duration": length,
        "routed_to": data.get("routed_to") or "",
        "routing_error": data.get("routing_error") or "?",
    }
    if state == "finished" and data.get("seen_start") is False:
        key = "finished_unseen_start"
    elif state == "finished" and data.get("ghost") is True:
        key = "ghost"
    elif state == "finished":
        key = "missed" if data.get("missed") else f"{direction}_finished"
    elif state in ("trying", "showing", "connected", "hiding"):
        key = f"{direction}_{state}"
    elif state in ("recorded", "routing_failed"):
        key = state
    else:
        key = "unknown"
    return template(key).format(**values)


def call_icon(data: Mapping[str, Any]) -> str:
    """The icon of a call step's logbook line."""
    state = data.get("state")
    if state == "finished" and data.get("missed"):
        return "mdi:phone-missed"
    if state == "finished" and data.get("ghost") is True:
        return "mdi:phone-cancel"
    if state == "trying" and data.get("direction") == "outgoing":
        return "mdi:phone-outgoing"
    return ICONS.get(str(state), "mdi:phone")


@callback
def call_entity_id(hass: HomeAssistant, data: Mapping[str, Any]) -> str | None:
    """The Call event entity the line belongs to: the workplace's, else the PBX's."""
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    if entry is None or entry.domain != DOMAIN:
        return None
    workplace = data.get("workplace")
    return async_call_entity_id(hass, entry, str(workplace) if workplace else None)


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[LazyEventPartialState], dict[str, str]]], None
    ],
) -> None:
    """Describe `mtt_business_call` events in the logbook."""

    @callback
    def async_describe_call(event: LazyEventPartialState) -> dict[str, str]:
        line = {
            LOGBOOK_ENTRY_NAME: "MTT Business",
            LOGBOOK_ENTRY_MESSAGE: describe_call(
                logbook_template(hass.config.language), event.data
            ),
            LOGBOOK_ENTRY_ICON: call_icon(event.data),
        }
        if entity_id := call_entity_id(hass, event.data):
            line[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return line

    async_describe_event(DOMAIN, EVENT_CALL, async_describe_call)
