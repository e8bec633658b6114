"""Errors of the integration's websocket commands, translated like its exceptions."""

from __future__ import annotations

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN


async def async_send_error(
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
