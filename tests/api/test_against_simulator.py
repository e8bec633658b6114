"""The API client against the real simulator (`mtt_simulator`) on 127.0.0.1.

Tokens come from the simulator's own token endpoint; pushes the simulator sends are
collected by a loopback receiver and parsed with `parse_notification_body`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.mtt_business.api import (
    AbstractAuth,
    MttBusinessClient,
    RequestRejectedError,
    parse_notification_body,
)
from custom_components.mtt_business.api.models import (
    CallDirection,
    CallNotification,
    CallState,
    ExternalNumber,
    Leg,
    Terminal,
    Workplace,
)
from mtt_simulator.app import SIMULATOR_KEY, create_app
from mtt_simulator.oauth import OAuthClient
from mtt_simulator.scenario import Scenario
from mtt_simulator.simulator import Simulator

RECEPTION = "883140777716581"
RECEPTION_TERMINAL = "883140777380595"
MAIN = "74996497803"


class SimulatorAuth(AbstractAuth):
    """Tokens from the simulator's token endpoint (authorization code, refresh)."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str, client: OAuthClient
    ) -> None:
        """Keep where to ask for tokens."""
        self._session = session
        self._url = f"{url}/oauth/token"
        self._client = client
        self.access_token = ""
        self.refresh_token = ""
        self.refreshes = 0

    async def _grant(self, form: dict[str, str]) -> str:
        form |= {
            "client_id": self._client.client_id,
            "client_secret": self._client.client_secret,
        }
        async with self._session.post(self._url, data=form) as response:
            assert response.status == 200, await response.text()
            tokens = await response.json()
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        return self.access_token

    async def sign_in(self, code: str) -> None:
        """Exchange a code for tokens."""
        await self._grant(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._client.redirect_uri,
                "scope": "https://mtt.ru/auth.tokens.readwrite",
            }
        )

    async def async_get_access_token(self) -> str:
        """The current access token."""
        return self.access_token

    async def async_force_refresh_access_token(self) -> str:
        """Refresh with the refresh token."""
        self.refreshes += 1
        return await self._grant(
            {"grant_type": "refresh_token", "refresh_token": self.refresh_token}
        )


@dataclass
class Setup:
    """The running simulator, the client under test and the pushes received."""

    sim: Simulator
    client: MttBusinessClient
    auth: SimulatorAuth
    pushes: list[bytes] = field(default_factory=list)


@pytest.fixture
async def setup(socket_enabled: None) -> AsyncIterator[Setup]:
    """The demo scenario (no pre-made clients), a receiver, a signed-in client."""
    scenario = Scenario.demo()
    scenario.clients = []
    scenario.parking_window = 0.2
    scenario.ring_timeout = 0.2
    scenario.answer_timeout = 0.2
    pushes: list[bytes] = []

    async def events(request: web.Request) -> web.Response:
        pushes.append(await request.read())
        return web.Response()

    receiver_app = web.Application()
    receiver_app.router.add_post("/cb/events", events)
    receiver = TestServer(receiver_app, host="127.0.0.1")
    await receiver.start_server()
    app = create_app(scenario)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    sim = app[SIMULATOR_KEY]
    session = aiohttp.ClientSession()
    try:
        oauth_client = sim.register_client(str(receiver.make_url("/cb")))
        auth = SimulatorAuth(session, url, oauth_client)
        await auth.sign_in(sim.oauth.issue_code(oauth_client))
        client = MttBusinessClient(session, auth, base_url=url, request_timeout=2)
        yield Setup(sim, client, auth, pushes)
    finally:
        await session.close()
        await server.close()
        await receiver.close()


async def test_directory(setup: Setup) -> None:
    """The demo PBX as the client reads it."""
    directory = await setup.client.directory()
    assert directory.external_numbers == (
        ExternalNumber("74996497803", None),
        ExternalNumber("78005560251", None),
    )
    assert directory.workplaces == (
        Workplace(RECEPTION, "Ресепшн"),
        Workplace("883140777828305", "Менеджер Иван"),
        Workplace("883140582526566", ""),
    )
    assert directory.terminals_of(RECEPTION) == (
        Terminal(RECEPTION_TERMINAL, RECEPTION),
    )
    assert len(directory.terminals) == 3


async def test_make_call_from_a_workplace(setup: Setup) -> None:
    """A call id comes back; the simulator's pushes for it parse."""
    call_id = await setup.client.make_call(RECEPTION, "89219462761")
    assert call_id
    await setup.sim.wait_pushed()
    assert setup.pushes
    notifications = [parse_notification_body(body) for body in setup.pushes]
    first = notifications[0]
    assert isinstance(first, CallNotification)
    assert first.leg.id == call_id
    assert first.state is CallState.TRYING
    assert first.direction is CallDirection.OUTGOING


async def test_make_call_from_a_terminal_is_refused(setup: Setup) -> None:
    """Only a workplace may call; the simulator's message reaches the caller."""
    with pytest.raises(RequestRejectedError) as raised:
        await setup.client.make_call(RECEPTION_TERMINAL, "89219462761")
    assert raised.value.status == 400
    assert "not a terminal" in raised.value.message


async def test_expired_token_is_refreshed(setup: Setup) -> None:
    """The simulator answers 401 to an expired token; one refresh, then it works."""
    setup.sim.expire_access_tokens()
    assert len(await setup.client.workplaces()) == 3
    assert setup.auth.refreshes == 1


async def test_parking_and_refusals(setup: Setup) -> None:
    """Parking answers `{"success": 1}`; an unknown number or leg is refused."""
    await setup.client.set_parking_numbers([MAIN], is_parking=True)
    assert MAIN in setup.sim.parking
    await setup.client.set_parking_numbers([MAIN], is_parking=False)
    assert MAIN not in setup.sim.parking
    with pytest.raises(RequestRejectedError, match="74951234567"):
        await setup.client.set_parking_numbers(["74951234567"], is_parking=True)
    with pytest.raises(RequestRejectedError):
        await setup.client.terminate_call(Leg("nope~1o", "t"), "10.0.0.1:5070")
