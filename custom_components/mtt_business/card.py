"""The calls card: served by Home Assistant and loaded by every dashboard.

The card is one plain ES module (`frontend/mtt-business-card.js`, no build step).
Its URL carries a hash of its content, so a browser never keeps an old copy after
an update, while an unchanged card stays cached.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.core import HomeAssistant

from .compat import StaticPathConfig
from .const import DOMAIN

CARD_FILE: Final = Path(__file__).parent / "frontend" / "mtt-business-card.js"
CARD_PATH: Final = f"/{DOMAIN}/frontend/mtt-business-card.js"
"""Where Home Assistant serves the card (its URL adds `?v=<content hash>`)."""


def _card_url() -> str:
    """The card's URL, versioned by a hash of its content (reads the file)."""
    digest = hashlib.sha256(CARD_FILE.read_bytes()).hexdigest()[:12]
    return f"{CARD_PATH}?v={digest}"


async def async_register_card(hass: HomeAssistant) -> str | None:
    """Serve the card and have the frontend load it; returns its URL.

    Without the frontend (Home Assistant sets it up unless it runs headless, and
    before this integration: an after-dependency) there is no dashboard to load it.
    """
    if "frontend" not in hass.config.components:
        return None
    url = await hass.async_add_executor_job(_card_url)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_PATH, str(CARD_FILE), cache_headers=True)]
    )
    add_extra_js_url(hass, url)
    return url
