"""Constants of the MTT Business integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "mtt_business"
MANUFACTURER: Final = "MTT"
PBX_MODEL: Final = "MTT Business virtual PBX"
WORKPLACE_MODEL: Final = "Workplace"

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
