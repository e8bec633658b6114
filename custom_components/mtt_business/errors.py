"""The API client's errors as the translated errors a user sees after an action."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from .api import AuthenticationError, MttBusinessError, TokenRefreshError
from .const import DOMAIN


def translated_error(err: MttBusinessError) -> HomeAssistantError:
    """What an action or a switch reports when MTT Business failed it.

    A refused token asks the user to sign in again (the reauth flow is started by
    then); a token that could not be renewed says to try again later; anything else
    carries the provider's message or what went wrong on the way.
    """
    if isinstance(err, AuthenticationError):
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
