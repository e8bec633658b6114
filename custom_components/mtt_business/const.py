"""Constants of the MTT Business integration."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.util.hass_dict import HassKey

if TYPE_CHECKING:
    from .redirect_uri import RedirectUri

DOMAIN: Final = "mtt_business"
DATA_REDIRECT_URI: HassKey[RedirectUri] = HassKey(f"{DOMAIN}_redirect_uri")
"""This installation's Redirect URI (`redirect_uri.async_get_redirect_uri`)."""
MANUFACTURER: Final = "MTT"
PBX_MODEL: Final = "MTT Business virtual PBX"
WORKPLACE_MODEL: Final = "Workplace"
MODELS: Final[dict[str, tuple[str, str]]] = {
    "en": (PBX_MODEL, WORKPLACE_MODEL),
    "ru": ("Виртуальная АТС МТТ Бизнес", "Рабочее место"),
}
"""Device models (PBX, workplace) by Home Assistant's language: Home Assistant
translates device names, not models, so the devices carry the model in the language
Home Assistant has when they are written (English for other languages)."""

CONF_REDIRECT_URI: Final = "redirect_uri"
"""The Redirect URI the entry signed in with (in the entry's data)."""
CONF_OAUTH_URL: Final = "oauth_url"
CONF_API_URL: Final = "api_url"

DIRECTORY_UPDATE_INTERVAL: Final = timedelta(minutes=30)

REDIRECT_PATH_PREFIX: Final = "/api/mtt_business"
"""The Redirect URI is `<external URL>/api/mtt_business/<secret>`."""
EVENTS_PATH_SUFFIX: Final = "/events"
"""The provider pushes every call event to `<Redirect URI>/events`."""

PROVIDER_PORTAL_URL: Final = "https://lk.mtt.ru"

API_REQUEST_TIMEOUT: Final = 10.0
"""Seconds an API request may take before the service counts as unavailable."""
