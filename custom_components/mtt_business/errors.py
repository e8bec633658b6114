"""The API client's errors as the translated errors a user sees after an action."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError

from .api import AuthenticationError, MttBusinessError, TokenRefreshError
from .const import DOMAIN
from .data import MttBusinessConfigEntry


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
        return HomeAssistantError(
            translation_domain=DOMAIN, translation_key="authentication_failed"
        )
    if isinstance(err, TokenRefreshError):
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="token_refresh_failed",
            translation_placeholders={"error": str(err)},
        )
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="provider_error",
        translation_placeholders={"error": str(err)},
    )
