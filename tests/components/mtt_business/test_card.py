"""The calls card: every page of the frontend loads it, from a URL of its version."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.mtt_business.const import DOMAIN


async def test_every_page_loads_the_card(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """The frontend's page names the card's module; it is served as JavaScript,
    versioned by its content, and registers itself in the card picker."""
    hass_storage["onboarding"] = {
        "version": 4,
        "key": "onboarding",
        "data": {"done": ["user", "core_config", "analytics", "integration"]},
    }
    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client()

    page = await (await client.get("/")).text()
    (url,) = re.findall(r'"(/mtt_business/[^"]*)"', page)
    path, version = url.split("?v=")
    assert path == "/mtt_business/frontend/mtt-business-card.js"

    response = await client.get(url)
    assert response.status == 200
    assert response.content_type in ("text/javascript", "application/javascript")
    script = await response.read()
    assert version == hashlib.sha256(script).hexdigest()[:12]
    assert b"customElements.define(CARD, MttBusinessCard)" in script
    assert b'name: "MTT Business calls"' in script
    assert b"mtt_business/calls/subscribe" in script


async def test_without_the_frontend_nothing_is_served(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Home Assistant without a frontend (headless): the integration works, no card."""
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client()
    response = await client.get("/mtt_business/frontend/mtt-business-card.js")
    assert response.status == 404
