"""Signing in: the config flow against the simulator over real HTTP."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigEntry, ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
import pytest
from yarl import URL

from custom_components.mtt_business import const
from custom_components.mtt_business.const import DOMAIN
from mtt_simulator.browser import portal_sign_in

from .conftest import (
    HomeAssistantServer,
    SimulatorServer,
    async_complete_sign_in,
    async_start_flow,
)

pytestmark = pytest.mark.usefixtures("current_request_with_host")


async def test_full_sign_in(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The user signs in at the portal and sees the PBX and its workplaces."""
    with caplog.at_level(logging.WARNING):
        result = await async_start_flow(hass)
    warnings = [r.getMessage() for r in caplog.records if "443" in r.getMessage()]
    assert len(warnings) == 1  # once per flow, not at every step
    assert f"external URL {ha_server.url} is not https on port 443" in warnings[0]
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert result["url"].startswith(f"{simulator.url}/oauth/authorize?")
    assert "scope=https" in result["url"]

    result = await async_complete_sign_in(hass, ha_server, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry: ConfigEntry = result["result"]
    assert entry.title == "MTT Business +7 499 649-78-03"
    assert entry.unique_id == ha_server.client_id
    token = entry.data["token"]
    assert token["access_token"] and token["refresh_token"]
    assert token["expires_in"] == 7200
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    names = {device.name for device in devices}
    assert entry.title in names
    workplaces = simulator.simulator.scenario.workplaces
    assert len(devices) == len(workplaces) + 1
    for workplace in workplaces:
        assert (workplace.name or workplace.sip_id) in names
    # The Redirect URI's secret guards the push receiver: never in our log.
    secret = ha_server.redirect_uri.rsplit("/", 1)[1]
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert ours
    assert not [r for r in ours if secret in r.getMessage()]


async def test_replayed_callback_gets_a_friendly_page(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The browser reloading the Redirect URI after the sign-in ended: 200, a page."""
    result = await async_start_flow(hass)
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    async with ClientSession() as browser:
        location = await portal_sign_in(browser, result["url"], "demo", "demo")
    back = URL(location).path_qs
    first = await ha_server.client.get(back)
    assert first.status == 200
    assert "window.close" in await first.text()
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    for _ in range(2):  # the flow has ended: reload the page, twice
        again = await ha_server.client.get(back)
        assert again.status == 200
        assert again.content_type == "text/html"
        page = await again.text()
        assert "This sign-in is already complete, you can close this tab." in page
        assert "Этот вход уже завершён, вкладку можно закрыть." in page
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_user_denies_at_the_portal(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """Pressing Deny ends the flow with a translated abort, nothing is created."""
    result = await async_complete_sign_in(
        hass, ha_server, await async_start_flow(hass), allow=False
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "access_denied"
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_portal_reports_another_error(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """Any other error the portal sends back is shown with its code."""
    result = await async_start_flow(hass)
    state = result["url"].split("state=")[1].split("&")[0]
    response = await ha_server.client.get(
        f"{ha_server.redirect_uri.removeprefix(ha_server.url)}"
        f"?error=server_error&state={state}"
    )
    assert response.status == 200
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "authorize_failed"
    assert result["description_placeholders"] == {"error": "server_error"}


async def test_redirect_uri_with_a_wrong_secret_is_unknown(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """A wrong secret answers 404, like any unknown URL."""
    response = await ha_server.client.get(
        "/api/mtt_business/not-the-secret?code=abc&state=xyz"
    )
    assert response.status == 404
    unknown = await ha_server.client.get("/api/no_such_thing")
    assert unknown.status == 404


async def test_no_external_url(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """Without an external URL the flow says where to set one."""
    hass.config.external_url = None
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_external_url"


async def test_https_on_443_is_not_warned_about(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider's own requirement met: no warning."""
    hass.config.external_url = "https://ha.example.com"
    with caplog.at_level(logging.WARNING):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": "user"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["redirect_url"].startswith(
        "https://ha.example.com/api/mtt_business/"
    )
    assert "443" not in caplog.text


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 400}, "oauth_unauthorized"),
        ({"status": 500}, "oauth_failed"),
    ],
)
async def test_token_endpoint_refuses(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    fault: dict[str, int],
    reason: str,
) -> None:
    """The token endpoint answering 400 or 500 aborts with the matching reason."""
    result = await async_start_flow(hass)
    simulator.simulator.faults.set_api_fault(methods=["token"], **fault)
    result = await async_complete_sign_in(hass, ha_server, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"status": 401}, "invalid_auth"),
        ({"status": 500}, "cannot_connect"),
        ({"status": 200, "html": True}, "cannot_connect"),
        ({"timeout": 2.0}, "cannot_connect"),
    ],
)
async def test_directory_fails_while_signing_in(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, object],
    reason: str,
) -> None:
    """The account is tested before the entry exists: failures abort clearly."""
    monkeypatch.setattr(const, "API_REQUEST_TIMEOUT", 0.5)
    result = await async_start_flow(hass)
    simulator.simulator.faults.set_api_fault(
        methods=[
            "externalNumbersInfo",
            "workPlacesInfo",
            "workplacesInfo",
            "terminalsInfo",
        ],
        **fault,
    )
    result = await async_complete_sign_in(hass, ha_server, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_one_entry_per_mtt_integration(
    hass: HomeAssistant, ha_server: HomeAssistantServer, config_entry: ConfigEntry
) -> None:
    """The same client id again is refused before the portal's sign-in.

    The credential's client id is known before anyone signs in, so the flow stops
    right after the Redirect URI step instead of sending the user to the portal.
    """
    result = await async_start_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_one_sign_in_at_a_time(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """A second flow with the same credential while one waits at the portal stops."""
    first = await async_start_flow(hass)
    assert first["type"] is FlowResultType.EXTERNAL_STEP
    second = await async_start_flow(hass)
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"
    result = await async_complete_sign_in(hass, ha_server, first)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_reauth(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    config_entry: ConfigEntry,
) -> None:
    """Signing in again stores the new tokens and reloads the entry."""
    old_refresh = config_entry.data["token"]["refresh_token"]
    result = await _start_reauth(hass, config_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_complete_sign_in(hass, ha_server, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert config_entry.data["token"]["refresh_token"] != old_refresh
    assert config_entry.state is ConfigEntryState.LOADED


async def test_reauth_without_external_url(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Reauth, too, needs the Redirect URI."""
    hass.config.external_url = None
    result = await _start_reauth(hass, config_entry)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["redirect_url"] == "—"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_external_url"


async def _start_reauth(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    return await hass.config_entries.flow.async_configure(flows[0]["flow_id"])


async def test_reconfigure_with_new_credentials(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    config_entry: ConfigEntry,
) -> None:
    """New credentials of the same account replace the old ones."""
    new = simulator.simulator.register_client(ha_server.redirect_uri)
    result = await _reconfigure_with(hass, ha_server, config_entry, new, "second")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert config_entry.unique_id == new.client_id


async def test_reconfigure_with_another_account(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    config_entry: ConfigEntry,
) -> None:
    """Credentials of an account with none of the entry's numbers are refused."""
    new = simulator.simulator.register_client(ha_server.redirect_uri)
    simulator.simulator.external_numbers = ["74950000000"]
    result = await _reconfigure_with(hass, ha_server, config_entry, new, "other")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert config_entry.unique_id == ha_server.client_id


async def test_reauth_with_other_credentials_is_refused(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    config_entry: ConfigEntry,
) -> None:
    """Reauth must sign in to the same MTT integration."""
    new = simulator.simulator.register_client(ha_server.redirect_uri)
    await _import_credential(hass, new.client_id, new.client_secret, "third")
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "auth_implementation": "third"}
    )
    result = await _start_reauth(hass, config_entry)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await async_complete_sign_in(hass, ha_server, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"


async def test_account_without_numbers_is_titled_plainly(
    hass: HomeAssistant, ha_server: HomeAssistantServer, simulator: SimulatorServer
) -> None:
    """No external number: the entry is simply "MTT Business"."""
    simulator.simulator.external_numbers = []
    result = await async_complete_sign_in(hass, ha_server, await async_start_flow(hass))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "MTT Business"


async def _import_credential(
    hass: HomeAssistant, client_id: str, secret: str, name: str
) -> None:
    from homeassistant.components.application_credentials import (
        ClientCredential,
        async_import_client_credential,
    )

    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(client_id, secret, name), name
    )


async def test_credentials_dialog_shows_the_redirect_uri(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    """The application-credentials dialog shows the Redirect URI, or a dash."""
    from custom_components.mtt_business.application_credentials import (
        async_get_description_placeholders,
    )

    placeholders = await async_get_description_placeholders(hass)
    assert placeholders["redirect_url"] == ha_server.redirect_uri
    hass.config.external_url = None
    placeholders = await async_get_description_placeholders(hass)
    assert placeholders["redirect_url"] == "—"


async def _reconfigure_with(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    entry: ConfigEntry,
    client: Any,
    name: str,
) -> ConfigFlowResult:
    """Reconfigure: pick new credentials `name` for `client` and sign in with them."""
    await _import_credential(hass, client.client_id, client.client_secret, name)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "reconfigure", "entry_id": entry.entry_id}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"implementation": name}
    )
    return await async_complete_sign_in(hass, ha_server, result)


async def test_the_entry_can_be_configured(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """The entry has options (Configure): their menu opens."""
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
