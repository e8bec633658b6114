"""Fixtures: the simulator on 127.0.0.1, a push receiver, a signed-in client.

Plain aiohttp on loopback, no Home Assistant fixtures (the root conftest loads
pytest-homeassistant-custom-component, which only allows loopback sockets; the
`socket_enabled` fixture lifts its blanket block for these tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest
from yarl import URL

from mtt_simulator.app import SIMULATOR_KEY, create_app
from mtt_simulator.browser import portal_sign_in
from mtt_simulator.oauth import OAuthClient
from mtt_simulator.scenario import Scenario
from mtt_simulator.simulator import Simulator

SCOPE = "https://mtt.ru/auth.tokens.readwrite"
MAIN = "74996497803"
SECOND = "78005560251"
RECEPTION = "883140777716581"
IVAN = "883140777828305"
NAMELESS = "883140582526566"
RECEPTION_TERMINAL = "883140777380595"
CALLER = "78124241500"


@dataclass
class Receiver:
    """A push receiver on loopback: `<url>/events` collects the JSON bodies."""

    url: str
    pushes: list[Any] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    status: int = 200

    def infos(self) -> list[dict[str, Any]]:
        """The `callInfo` of every call notification received."""
        return [
            p["result"]["callInfo"]
            for p in self.pushes
            if p.get("event") == "callNotifications"
        ]

    def states(self) -> list[tuple[str, str]]:
        """(state, leg suffix after the last `~` or the whole id) of each call push."""
        return [(i["state"], i["call"]["id"].rpartition("~")[2]) for i in self.infos()]


async def _start_receiver(path: str = "/cb") -> tuple[Receiver, TestServer]:
    receiver = Receiver("")

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        receiver.raw.append(body)
        receiver.content_types.append(request.content_type)
        receiver.pushes.append(await request.json())
        return web.Response(status=receiver.status)

    app = web.Application()
    app.router.add_post(f"{path}/events", events)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    receiver.url = str(server.make_url(path))
    return receiver, server


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """A push receiver; register `receiver.url` as a Redirect URI."""
    rec, server = await _start_receiver()
    yield rec
    await server.close()


@pytest.fixture
async def second_receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    """Another push receiver (a second integration of the same account)."""
    rec, server = await _start_receiver("/other")
    yield rec
    await server.close()


@pytest.fixture
def scenario() -> Scenario:
    """The demo scenario with fast timers."""
    scenario = Scenario.demo()
    scenario.parking_window = 0.3
    scenario.ring_timeout = 0.3
    scenario.answer_timeout = 0.3
    return scenario


@dataclass
class Rig:
    """The simulator running, a session, a registered client and its tokens."""

    sim: Simulator
    url: str
    session: aiohttp.ClientSession
    receiver: Receiver
    client: OAuthClient
    access_token: str = ""
    refresh_token: str = ""

    async def api(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        """Call the REST API with the Bearer token; (status, JSON or text)."""
        headers = {
            "Authorization": f"Bearer {self.access_token if token is None else token}",
            **kwargs.pop("headers", {}),
        }
        async with self.session.request(
            method, self.url + path, headers=headers, **kwargs
        ) as response:
            text = await response.text()
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, text

    async def call(self, method: str, params: Any) -> tuple[int, Any]:
        """POST a call-control method with `{"params": params}`."""
        return await self.api("POST", f"/{method}", json={"params": params})

    async def token(self, form: dict[str, str]) -> tuple[int, Any]:
        """POST /oauth/token form-encoded."""
        async with self.session.post(f"{self.url}/oauth/token", data=form) as response:
            return response.status, await response.json(content_type=None)

    def authorize_url(self, state: str | None = "xyz", **override: str) -> str:
        """The authorize address the integration opens in the browser."""
        query = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.client.redirect_uri,
            "scope": SCOPE,
            **({"state": state} if state is not None else {}),
            **override,
        }
        return str(URL(f"{self.url}/oauth/authorize").with_query(query))

    async def sign_in(self) -> dict[str, Any]:
        """The whole authorization-code flow; stores and returns the tokens."""
        location = await portal_sign_in(
            self.session, self.authorize_url(), "demo", "demo"
        )
        code = URL(location).query["code"]
        status, tokens = await self.token(
            {
                "grant_type": "authorization_code",
                "client_id": self.client.client_id,
                "client_secret": self.client.client_secret,
                "code": code,
                "redirect_uri": self.client.redirect_uri,
                "scope": SCOPE,
            }
        )
        assert status == 200, tokens
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        return dict(tokens)

    async def settle(self) -> None:
        """Every push due now was delivered."""
        await self.sim.wait_pushed()

    async def until(self, predicate: Callable[[], bool], within: float = 3.0) -> None:
        """Wait (briefly) until the simulator's timers made `predicate` true."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; pushes: {self.receiver.states()}")
            await asyncio.sleep(0.01)
        await self.settle()


async def start_simulator(
    scenario: Scenario,
) -> tuple[Simulator, TestServer, str]:
    """Serve the simulator on 127.0.0.1 (caller closes the server)."""
    app = create_app(scenario)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return app[SIMULATOR_KEY], server, str(server.make_url("")).rstrip("/")


@pytest.fixture
async def bare_rig(
    socket_enabled: None, scenario: Scenario, receiver: Receiver
) -> AsyncIterator[Rig]:
    """The simulator with one registered client, not signed in yet."""
    sim, server, url = await start_simulator(scenario)
    session = aiohttp.ClientSession()
    client = sim.register_client(receiver.url)
    try:
        yield Rig(sim, url, session, receiver, client)
    finally:
        await session.close()
        await server.close()


@pytest.fixture
async def rig(bare_rig: Rig) -> Rig:
    """The simulator with a client signed in (tokens in `rig.access_token`)."""
    await bare_rig.sign_in()
    return bare_rig
