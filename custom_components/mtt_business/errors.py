"""Translated errors: the exceptions and websocket errors a user reads.

- `translated`: an exception of a kind with a translation key (one factory for
  every caller: the actions' validation errors, the media browser's).
- `translated_error` / `raise_translated_error`: the API client's errors as what a
  user sees after an action or a switch.
- `async_send_entry_error`: a websocket command's failed entry lookup, translated
  like the exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any, Concatenate

from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import (
    ERR_HOME_ASSISTANT_ERROR,
    ERR_NOT_FOUND,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.translation import async_get_translations

from .api import AuthenticationError, MttBusinessError, TokenRefreshError
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .entries import EntryLookupError


def translated[E: HomeAssistantError](
    kind: type[E], key: str, **placeholders: str
) -> E:
    """An exception of `kind` with the integration's translation `key`."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def translated_error(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, err: MttBusinessError
) -> HomeAssistantError:
    """What an action or a switch reports when MTT Business failed it.

    A refused token asks the user to sign in again, and the reauth flow starts (if
    it has not already); a token that could not be renewed says to try again
    later; anything else carries the provider's message or what went wrong.
    """
    if isinstance(err, AuthenticationError):
        entry.async_start_reauth(hass)
        return translated(HomeAssistantError, "authentication_failed")
    if isinstance(err, TokenRefreshError):
        return translated(HomeAssistantError, "token_refresh_failed", error=str(err))
    return translated(HomeAssistantError, "provider_error", error=str(err))


type EntryCommand[**P, R] = Callable[
    Concatenate[HomeAssistant, MttBusinessConfigEntry, P], Coroutine[Any, Any, R]
]
"""A coroutine function that talks to an entry's PBX: (hass, entry, ...)."""


def raise_translated_error[**P, R](func: EntryCommand[P, R]) -> EntryCommand[P, R]:
    """Raise the client's errors in `func` as `translated_error` says (as reolink)."""

    @wraps(func)
    async def _async_wrapper(
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        try:
            return await func(hass, entry, *args, **kwargs)
        except MttBusinessError as err:
            raise translated_error(hass, entry, err) from err

    return _async_wrapper


async def async_send_entry_error(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg_id: int,
    err: EntryLookupError,
    entry_id: str,
) -> None:
    """No entry `entry_id` to answer for: the error's English message and key.

    An unknown entry is "not found", an entry not loaded a Home Assistant error.
    """
    key = err.key
    code = ERR_NOT_FOUND if key == "unknown_entry" else ERR_HOME_ASSISTANT_ERROR
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
