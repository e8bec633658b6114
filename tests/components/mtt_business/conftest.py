"""Fixtures: the simulator on loopback, and an entry signed in through it.

Everything talks real HTTP on 127.0.0.1: Home Assistant's HTTP server (the Redirect
URI and the push receiver), the simulator's OAuth server, API and pushes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.mtt_business import (
    call_counters as call_counters_module,
    sensor as sensor_module,
)
from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.redirect_uri import async_get_redirect_uri
from mtt_simulator.app import SIMULATOR_KEY, Simulator, create_app
from mtt_simulator.browser import portal_sign_in
from mtt_simulator.scenario import Scenario

CREDENTIAL_ID = "mtt_business_test_credential"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load our integration."""


@pytest.fixture(autouse=True)
def summaries_written_per_push(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Summary sensors and counters write each push's change (bursts: see below).

    The tests step through calls push by push; in production a burst of pushes is
    summed up every `SUMMARY_WRITE_COOLDOWN` seconds (test_summary_bursts.py), and
    ended calls counted every `COUNTERS_WRITE_COOLDOWN` seconds
    (test_call_counters.py) instead.
    """
    if "production_cooldown" not in request.keywords:
        monkeypatch.setattr(sensor_module, "SUMMARY_WRITE_COOLDOWN", 0)
        monkeypatch.setattr(call_counters_module, "COUNTERS_WRITE_COOLDOWN", 0)


@dataclass
class SimulatorServer:
    """The simulator, running in the test's event loop on a loopback port."""

    simulator: Simulator
    url: str
    server: TestServer


@pytest.fixture
def scenario() -> Scenario:
    """The demo scenario with fast timers (tests may override this fixture)."""
    return Scenario.demo()


@pytest.fixture
async def simulator(
    socket_enabled: None, scenario: Scenario
) -> AsyncIterator[SimulatorServer]:
    """Serve the simulator on 127.0.0.1."""
    app = create_app(scenario)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield SimulatorServer(
            app[SIMULATOR_KEY], str(server.make_url("")).rstrip("/"), server
        )
    finally:
        await server.close()


@dataclass
class HomeAssistantServer:
    """Home Assistant's HTTP server on loopback, as the simulator reaches it."""

    client: TestClient
    url: str
    redirect_uri: str
    client_id: str
    client_secret: str


@pytest.fixture
async def ha_server(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    simulator: SimulatorServer,
) -> HomeAssistantServer:
    """Our integration set up and pointed at the simulator, its client registered."""
    # Repairs serves HTTP views: set it up before the HTTP server starts.
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_component(
        hass,
        DOMAIN,
        {DOMAIN: {"oauth_url": simulator.url, "api_url": simulator.url}},
    )
    client = await hass_client_no_auth()
    base = str(client.make_url("")).rstrip("/")
    hass.config.external_url = base
    redirect_uri = (await async_get_redirect_uri(hass)).url(hass)
    registered = simulator.simulator.register_client(redirect_uri)
    await async_import_client_credential(
        hass,
        DOMAIN,
        ClientCredential(registered.client_id, registered.client_secret, "Test"),
        CREDENTIAL_ID,
    )
    return HomeAssistantServer(
        client, base, redirect_uri, registered.client_id, registered.client_secret
    )


async def async_start_flow(hass: HomeAssistant, **context: Any) -> ConfigFlowResult:
    """Start the config flow and pass the Redirect URI step."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user", **context}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(result["flow_id"], {})


async def async_complete_sign_in(
    hass: HomeAssistant,
    ha: HomeAssistantServer,
    result: ConfigFlowResult,
    *,
    allow: bool = True,
) -> ConfigFlowResult:
    """At the external step: sign in at the simulator, come back, finish the flow."""
    assert result["type"] is FlowResultType.EXTERNAL_STEP, result
    async with ClientSession() as browser:
        location = await portal_sign_in(
            browser, result["url"], "demo", "demo", allow=allow
        )
    back = URL(location)
    assert back.path == URL(ha.redirect_uri).path
    response = await ha.client.get(back.path_qs)
    assert response.status == 200
    return await hass.config_entries.flow.async_configure(result["flow_id"])


@pytest.fixture
async def config_entry(
    hass: HomeAssistant,
    ha_server: HomeAssistantServer,
    current_request_with_host: None,
) -> ConfigEntry:
    """An entry created by signing in through the simulator, loaded."""
    result = await async_complete_sign_in(hass, ha_server, await async_start_flow(hass))
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done()
    entry = result["result"]
    assert entry.state.value == "loaded"
    return entry


def collect_call_events(hass: HomeAssistant) -> list[Event]:
    """Every `mtt_business_call` event from now on, in the order fired."""
    events: list[Event] = []

    @callback
    def _collect(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen("mtt_business_call", _collect)
    return events
