"""The external URL's repair: for a real MTT account, and for a simulator."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.mtt_business.const import CONF_REDIRECT_URI, DOMAIN
from custom_components.mtt_business.issues import async_check_redirect_uri
from custom_components.mtt_business.redirect_uri import async_get_redirect_uri

from .conftest import HomeAssistantServer, SimulatorServer, async_settle, entity_id_of

EXTERNAL_URL = "external_url"


def _issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, EXTERNAL_URL)


async def _text(hass: HomeAssistant, language: str, issue: ir.IssueEntry) -> str:
    """The repair's description as Settings → Repairs shows it."""
    texts = await async_get_translations(hass, language, "issues", {DOMAIN})
    key = f"component.{DOMAIN}.issues.{issue.translation_key}.description"
    return texts[key].format(**(issue.translation_placeholders or {}))


@pytest.mark.parametrize(
    ("external_url", "translation_key"),
    [
        ("http://office.example.com:8123", "external_url_not_https"),
        ("https://office.example.com:8443", "external_url_not_https"),
        (None, "external_url_missing"),
        ("https://office.example.com", None),
    ],
)
async def test_a_real_account_needs_https_on_443(
    hass: HomeAssistant, external_url: str | None, translation_key: str | None
) -> None:
    """On MTT's own endpoints (no simulator in YAML) the portal's rule stands."""
    assert await async_setup_component(hass, DOMAIN, {})
    entry = MockConfigEntry(
        domain=DOMAIN, title="MTT Business +7 499 649-78-03", data={}
    )
    entry.add_to_hass(hass)
    await hass.config.async_update(external_url=external_url)
    redirect_uri = await async_get_redirect_uri(hass)

    async_check_redirect_uri(hass, entry, redirect_uri)

    issue = _issue(hass)
    if translation_key is None:
        assert issue is None
        return
    assert issue is not None
    assert issue.translation_key == translation_key
    if external_url is None:
        assert issue.translation_placeholders == {"url": redirect_uri.path}
    else:
        url = f"{external_url}{redirect_uri.path}"
        assert issue.translation_placeholders == {"url": url}
    for language in ("en", "ru"):
        assert "443" in await _text(hass, language, issue)


async def test_the_simulator_raises_no_https_repair(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
) -> None:
    """The demo: http on loopback, pushes arrive, and no repair says they cannot."""
    assert URL(ha_server.redirect_uri).scheme == "http"
    active = entity_id_of(hass, config_entry, "sensor", "active_calls")
    await simulator.simulator.start_incoming_call("79161234567", "74996497803")
    await async_settle(hass, simulator)
    assert hass.states.get(active).state == "1"
    assert _issue(hass) is None
    assert [
        issue_id for (domain, issue_id) in ir.async_get(hass).issues if domain == DOMAIN
    ] == []


async def test_the_simulator_without_an_external_url(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
) -> None:
    """No external URL: the simulator cannot push either; the repair says any
    address it reaches will do, and that a real MTT account needs https on 443."""
    await hass.config.async_update(external_url=None)
    await hass.async_block_till_done()
    issue = _issue(hass)
    assert issue is not None
    assert issue.translation_key == "external_url_missing_simulator"
    path = URL(ha_server.redirect_uri).path
    assert issue.translation_placeholders == {"url": path, "simulator": simulator.url}
    english = await _text(hass, "en", issue)
    assert simulator.url in english
    assert "http is enough" in english
    assert "https on port 443" in english
    russian = await _text(hass, "ru", issue)
    assert simulator.url in russian
    assert "достаточно http" in russian
    assert "https на порту 443" in russian

    await hass.config.async_update(external_url=ha_server.url)
    await hass.async_block_till_done()
    assert _issue(hass) is None
    assert config_entry.data[CONF_REDIRECT_URI] == ha_server.redirect_uri
