"""Fixtures: the simulator on loopback, and an entry signed in through it.

Everything talks real HTTP on 127.0.0.1: Home Assistant's HTTP server (the Redirect
URI and the push receiver), the simulator's OAuth server, API and pushes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import PropertyMock, patch

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.mtt_business import (
    call_counters as call_counters_module,
    sensor as sensor_module,
)
from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.journal_record import JournalRecord
from custom_components.mtt_business.redirect_uri import async_get_redirect_uri
from mtt_simulator.app import SIMULATOR_KEY, Simulator, create_app
from mtt_simulator.browser import portal_sign_in
from mtt_simulator.scenario import Scenario

CREDENTIAL_ID = "mtt_business_test_credential"
_RECEPTION = "883140777716581"
_EXTERNAL = "74996497803"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load our integration."""


@pytest.fixture(autouse=True)
def every_entity_enabled(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every entity enabled, also those a default install has disabled (the Call
    event entities, Call state, Last call, Last push: see sensor.py and event.py).

    `@pytest.mark.default_entities` keeps the default, as a fresh install has it.
    """
    if "default_entities" in request.keywords:
        yield
        return
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


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

    @property
    def events_path(self) -> str:
        """The path pushes are posted to: the Redirect URI's, then `/events`."""
        return self.redirect_uri.removeprefix(self.url) + "/events"


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


async def async_settle(
    hass: HomeAssistant, simulator: SimulatorServer, rounds: int = 2, wait: float = 0
) -> None:
    """Sleep `wait` s, then `rounds` times: the pushes sent, then handled."""
    if wait:
        await asyncio.sleep(wait)
    for _ in range(rounds):
        await simulator.simulator.wait_pushed()
        await hass.async_block_till_done()


def entity_id_of(
    hass: HomeAssistant, entry: ConfigEntry, platform: str, key: str
) -> str:
    """The entity id registered for the entry's `<unique id>_<key>` on `platform`."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{entry.unique_id}_{key}"
    )
    assert entity_id is not None, key
    return entity_id


def journal_call(n: int, started: datetime, **changes: Any) -> JournalRecord:
    """Call number `n`, answered at the reception 5 s after `started`, 2:36 long."""
    record = JournalRecord(
        call_id=f"c166e238a4c211ea9d37_{n:08X}~2o",
        direction="incoming",
        caller="+79161234567",
        callee="+74996497803",
        workplace=_RECEPTION,
        workplace_name="Ресепшн",
        started=started,
        answered=started + timedelta(seconds=5),
        ended=started + timedelta(seconds=156),
        duration=151,
        record_url=f"https://records.example/{n}.mp3",
    )
    return replace(record, **changes)


def reception_push(n: int, state: str) -> dict[str, Any]:
    """Call n at the reception (its workplace leg), in `state`: a push's body."""
    info: dict[str, Any] = {
        "call": {"id": f"{n:032x}_00015ED635780FC7~2o", "tag": f"tag{n}"},
        "caller": {"accountId": f"7916000{n:04d}@pstn", "id": f"7916000{n:04d}"},
        "callee": {
            "accountId": _RECEPTION,
            "id": _RECEPTION,
            "display_name": _EXTERNAL,
        },
        "startTime": "2026-11-22 11:18:16",
        "state": state,
        "type": "incoming",
    }
    if state == "finished":
        info |= {"duration": 0, "reason": "Caller cancelled", "reasonCode": None}
    return {"event": "callNotifications", "result": {"callInfo": info}}
