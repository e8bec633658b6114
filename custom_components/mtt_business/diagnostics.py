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
from .redirect_uri import async_get_redirect_uri

TO_REDACT = {
    "access_token",
    "refresh_token",
    "client_secret",
    "token",
    "record_url",
    "redirect_uri",
    # People's numbers and the provider's internal address: diagnostics are shared.
    "caller",
    "callee",
    "caller_label",
    "callee_label",
    "transport_id",
}


def _call(call: TrackedCall, workplace_name: str | None) -> dict[str, Any]:
    """Everything known of an active call, its parties and link redacted."""
    details = asdict(call) | {"workplace_name": workplace_name}
    return async_redact_data(details, TO_REDACT)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> dict[str, Any]:
    """What support needs to see, without tokens, secrets or the Redirect URI."""
    data = entry.runtime_data
    monitor = data.call_monitor
    redirect_uri = await async_get_redirect_uri(hass)
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
        "journal": {"calls": len(data.journal)},
        "active_calls": [
            _call(call, monitor.workplace_name(call.workplace))
            for call in monitor.tracker.active_calls()
        ],
    }
    redacted: dict[str, Any] = _redact_secret(diagnostics, redirect_uri.secret)
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
