"""The API client against servers that answer in every way the docs leave open."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.mtt_business.api import (
    AbstractAuth,
    AuthenticationError,
    InvalidResponseError,
    MttBusinessClient,
    RequestRejectedError,
    ServiceUnavailableError,
)
from custom_components.mtt_business.api.models import Leg


class CountingAuth(AbstractAuth):
    def __init__(self) -> None:
        self.refreshes = 0

    async def async_get_access_token(self) -> str:
        return f"token{self.refreshes}"

    async def async_force_refresh_access_token(self) -> str:
        self.refreshes += 1
        return f"token{self.refreshes}"


type Answer = Callable[[web.Request], web.StreamResponse]


@pytest.fixture
async def serve(
    socket_enabled: None,
) -> AsyncIterator[Callable[[dict[str, Answer]], Any]]:
    servers: list[TestServer] = []
    sessions: list[aiohttp.ClientSession] = []

    async def start(
        routes: dict[str, Answer],
    ) -> tuple[MttBusinessClient, CountingAuth]:
        app = web.Application()
        for path, answer in routes.items():

            async def handler(
                request: web.Request, answer: Answer = answer
            ) -> web.StreamResponse:
                return answer(request)

            app.router.add_route("*", path, handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        session = aiohttp.ClientSession()
        sessions.append(session)
        auth = CountingAuth()
        client = MttBusinessClient(
            session, auth, base_url=str(server.make_url("")), request_timeout=0.3
        )
        return client, auth

    yield start
    for session in sessions:
        await session.close()
    for server in servers:
        await server.close()


def _json(data: Any, status: int = 200) -> Answer:
    return lambda request: web.json_response(data, status=status)


async def test_documented_variants(serve: Any) -> None:
    """`Total`, `terminalsList`/`terminale`, null type, bad entries skipped, 404 spelling."""
    client, _ = await serve(
        {
            "/externalNumbersInfo": _json(
                {
                    "result": {
                        "Total": 2,
                        "numbersList": [
                            {"number": 78005560251, "type": None},
                            {"type": "x"},
                            "junk",
                        ],
                    }
                }
            ),
            "/workPlacesInfo": _json({"error": "not found"}, 404),
            "/workplacesInfo": _json(
                {
                    "result": {
                        "total": 1,
                        "workplacesList": [{"workplace": "1", "name": None}],
                    }
                }
            ),
            "/terminalsInfo": _json(
                {"result": {"terminalsList": [{"terminale": "2", "workplace": "1"}]}}
            ),
        }
    )
    directory = await client.directory()
    assert [n.number for n in directory.external_numbers] == ["78005560251"]
    assert directory.workplaces[0].display_name == "1"
    assert directory.terminals[0].sip_id == "2"
    assert directory.terminals_of("1") == directory.terminals
    assert client._workplaces_path == "workplacesInfo"


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        (
            _json({"error": {"message": "Bad callee"}}, 400),
            RequestRejectedError,
            "Bad callee",
        ),
        (
            _json({"message": "Plain message"}, 422),
            RequestRejectedError,
            "Plain message",
        ),
        (
            _json({"error_description": "described"}, 400),
            RequestRejectedError,
            "described",
        ),
        (_json([1], 400), RequestRejectedError, "[1]"),
        (
            lambda r: web.Response(status=400, text=""),
            RequestRejectedError,
            "no message",
        ),
        (_json({"error": "forbidden"}, 403), AuthenticationError, "forbidden"),
        (_json({}, 503), ServiceUnavailableError, "503"),
        (
            lambda r: web.Response(text="<html>oops</html>", content_type="text/html"),
            ServiceUnavailableError,
            "not JSON",
        ),
        (
            _json({"result": {"success": 0, "message": "No such leg"}}),
            RequestRejectedError,
            "No such leg",
        ),
        (_json({"result": {"success": 1}}), None, ""),
        (_json({"success": "1"}), None, ""),
        (_json([1, 2]), InvalidResponseError, "not an object"),
    ],
)
async def test_command_answers(
    serve: Any, answer: Answer, error: type[Exception] | None, text: str
) -> None:
    client, _ = await serve({"/terminateCall": answer})
    if error is None:
        await client.terminate_call(Leg("a~1o", "t"), "10.0.0.1:5070")
        return
    with pytest.raises(error) as raised:
        await client.terminate_call(Leg("a~1o", "t"), "10.0.0.1:5070")
    assert text in str(raised.value)


async def test_unusable_shapes(serve: Any) -> None:
    client, _ = await serve(
        {
            "/externalNumbersInfo": _json({"result": {"numbersList": "nope"}}),
            "/terminalsInfo": _json({"nothing": 1}),
            "/makeCall": _json({"result": {"success": 1}}),
        }
    )
    with pytest.raises(InvalidResponseError):
        await client.external_numbers()
    with pytest.raises(InvalidResponseError):
        await client.terminals()
    with pytest.raises(InvalidResponseError):
        await client.make_call("1", "2")


async def test_401_refreshes_once(serve: Any) -> None:
    """One forced refresh and one retry; a second 401 is an authentication error."""
    seen: list[str] = []

    def answer(request: web.Request) -> web.StreamResponse:
        seen.append(request.headers["Authorization"])
        return web.json_response({}, status=401)

    client, auth = await serve({"/externalNumbersInfo": answer})
    with pytest.raises(AuthenticationError):
        await client.external_numbers()
    assert seen == ["Bearer token0", "Bearer token1"]
    assert auth.refreshes == 1


async def test_timeout_and_connection_errors(serve: Any) -> None:
    app_client, _ = await serve({})
    app_client._base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(ServiceUnavailableError):
        await app_client.external_numbers()
    client, _ = await serve(
        {"/workPlacesInfo": lambda r: web.json_response({}, status=500)}
    )
    with pytest.raises(ServiceUnavailableError):
        await client.workplaces()
    # A body that is not UTF-8 text.
    client, _ = await serve(
        {
            "/terminalsInfo": lambda r: web.Response(
                body=b"\xff\xfe", content_type="application/json", charset="utf-8"
            )
        }
    )
    with pytest.raises(ServiceUnavailableError):
        await client.terminals()
