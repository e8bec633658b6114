"""A fault-injection stand-in for the provider's REST API, on 127.0.0.1.

By default it answers every method with the documentation's own example
(`fixtures/rest_*.json`) and accepts the Bearer tokens in `ProviderStub.tokens`.
A test queues other answers for a path with `ProviderStub.answer`; queued answers
are used one per request, then the documented one again. Every request is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.mtt_business.api import AbstractAuth, MttBusinessClient

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 1.0
"""The client's request timeout in these tests (seconds): short, but long enough for a
loaded CI machine to answer (0.2 s failed once there)."""

type Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]

DOCUMENTED = {
    "/externalNumbersInfo": "rest_external_numbers.json",
    "/workPlacesInfo": "rest_workplaces.json",
    "/workplacesInfo": "rest_workplaces.json",
    "/terminalsInfo": "rest_terminals.json",
    "/makeCall": "rest_make_call.json",
    "/transferCall": "rest_transfer_call.json",
    "/terminateCall": "rest_terminate_call.json",
    "/setParkingNumbers": "rest_set_parking_numbers.json",
}


def fixture_text(name: str) -> str:
    """A documented example, as printed."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    """A documented example, decoded."""
    return json.loads(fixture_text(name))


def json_answer(data: Any, status: int = 200) -> Answer:
    """Answer with this JSON and status."""

    async def answer(request: web.Request) -> web.StreamResponse:
        return web.json_response(data, status=status)

    return answer


def raw_answer(
    body: bytes, status: int = 200, content_type: str = "application/json"
) -> Answer:
    """Answer with these bytes."""

    async def answer(request: web.Request) -> web.StreamResponse:
        return web.Response(body=body, status=status, content_type=content_type)

    return answer


def html_answer(status: int = 502) -> Answer:
    """A proxy's HTML error page."""
    page = f"<html><head><title>{status}</title></head><body>nginx</body></html>"
    return raw_answer(page.encode(), status, "text/html")


@dataclass
class Recorded:
    """One request the stub received."""

    method: str
    path: str
    authorization: str | None
    content_type: str
    body: Any


@dataclass
class ProviderStub:
    """The stub's state: accepted tokens, queued answers, recorded requests."""

    url: str = ""
    tokens: set[str] = field(default_factory=lambda: {"token0"})
    queued: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def answer(self, path: str, *answers: Answer) -> None:
        """Use these answers for the next requests to `path`, in order."""
        self.queued.setdefault(path, []).extend(answers)

    def hanging(self) -> Answer:
        """An answer that never comes while the test runs (released at teardown)."""

        async def answer(request: web.Request) -> web.StreamResponse:
            await self.released.wait()
            return web.json_response({"result": {"success": 1}})

        return answer

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [r.path for r in self.requests]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record, then answer: queued, 401 for a foreign token, or documented."""
        raw = await request.read()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.requests.append(
            Recorded(
                request.method,
                request.path,
                request.headers.get("Authorization"),
                request.content_type,
                body,
            )
        )
        if queue := self.queued.get(request.path):
            return await queue.pop(0)(request)
        authorization = request.headers.get("Authorization", "")
        if authorization.removeprefix("Bearer ") not in self.tokens:
            return web.json_response(
                {"error": {"code": 401, "message": "Unauthorized"}}, status=401
            )
        if request.path not in DOCUMENTED:
            return web.json_response({"error": "not found"}, status=404)
        return web.Response(
            text=fixture_text(DOCUMENTED[request.path]),
            content_type="application/json",
        )


class CountingAuth(AbstractAuth):
    """Tokens `token0`, `token1`, …: each forced refresh moves to the next."""

    def __init__(self) -> None:
        """Start at `token0`."""
        self.refreshes = 0
        self.fail_with: Exception | None = None

    async def async_get_access_token(self) -> str:
        """The current token (or the configured failure)."""
        if self.fail_with is not None:
            raise self.fail_with
        return f"token{self.refreshes}"

    async def async_force_refresh_access_token(self) -> str:
        """The next token."""
        self.refreshes += 1
        return f"token{self.refreshes}"


@pytest.fixture
async def stub(socket_enabled: None) -> AsyncIterator[ProviderStub]:
    """The stub provider, served on 127.0.0.1 for one test."""
    provider = ProviderStub()
    app = web.Application()
    app.router.add_route("*", "/{path:.*}", provider.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    provider.url = str(server.make_url("")).rstrip("/")
    try:
        yield provider
    finally:
        provider.released.set()
        await server.close()


@pytest.fixture
def auth() -> CountingAuth:
    """A token provider that counts forced refreshes."""
    return CountingAuth()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session, closed after the test."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(
    stub: ProviderStub, auth: CountingAuth, session: aiohttp.ClientSession
) -> MttBusinessClient:
    """The client pointed at the stub, with a short timeout."""
    return MttBusinessClient(session, auth, base_url=stub.url, request_timeout=TIMEOUT)
