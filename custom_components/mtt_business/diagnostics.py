"""Diagnostics: the entry, its directory and its live calls, secrets redacted.

The phone book (names of customers, up to 10,000 of them) is given as its size.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .call_tracker import TrackedCall
from .data import MttBusinessConfigEntry
from .phone_book import CONF_CONTACTS
from .redirect_uri import async_get_redirect_endpoint

TO_REDACT = {
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
    "record_url",
}


def _call(call: TrackedCall) -> dict[str, Any]:
    return async_redact_data(asdict(call), TO_REDACT)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> dict[str, Any]:
    """What support needs to see, without tokens, secrets or the Redirect URI."""
    data = entry.runtime_data
    endpoint = await async_get_redirect_endpoint(hass)
    options = dict(entry.options)
    if CONF_CONTACTS in options:
        options[CONF_CONTACTS] = len(options[CONF_CONTACTS])
    diagnostics: dict[str, Any] = {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": options,
        },
        "directory": asdict(data.directory.data) if data.directory.data else None,
        "last_update_success": data.directory.last_update_success,
        "active_calls": [
            _call(call) for call in data.call_monitor.tracker.active_calls()
        ],
    }
    redacted: dict[str, Any] = _redact_secret(diagnostics, endpoint.secret)
    return redacted


def _redact_secret(value: Any, secret: str) -> Any:
    """Replace the Redirect URI's secret wherever it appears."""
    if isinstance(value, str):
        return value.replace(secret, "**REDACTED**")
    if isinstance(value, dict):
        return {key: _redact_secret(item, secret) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_secret(item, secret) for item in value]
    return value
