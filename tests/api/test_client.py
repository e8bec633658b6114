"""The API client against the stub provider: documented shapes, variants, faults."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.mtt_business.api import (
    AuthenticationError,
    InvalidResponseError,
    MttBusinessClient,
    MttBusinessError,
    RequestRejectedError,
    ServiceUnavailableError,
    TokenRefreshError,
)
from custom_components.mtt_business.api.client import MAX_RESPONSE_BYTES
from custom_components.mtt_business.api.models import (
    ExternalNumber,
    Leg,
    Terminal,
    Workplace,
)

from .conftest import (
    TIMEOUT,
    Answer,
    CountingAuth,
    ProviderStub,
    fixture_json,
    html_answer,
    json_answer,
    raw_answer,
)

DOC_LEG = Leg("b9111e52e5d011e9aec7ac162d8cda20_00015D95DB072BFC_7022A1~2o", "133609")
DOC_TRANSPORT = "10.133.51.137:5070"
OK = json_answer({"result": {"success": 1}})


async def test_directory_from_the_documented_examples(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """Each documented answer parses; GET with the Bearer token, heading spelling."""
    directory = await client.directory()
    assert directory.external_numbers == (ExternalNumber("78005560251", None),)
    assert directory.workplaces == (Workplace("883140777716581", ""),)
    assert directory.terminals == (Terminal("883140777380595", "883140777380595"),)
    assert sorted(stub.paths()) == [
        "/externalNumbersInfo",
        "/terminalsInfo",
        "/workPlacesInfo",
    ]
    for request in stub.requests:
        assert request.method == "GET"
        assert request.authorization == "Bearer token0"
        assert request.body is None


async def test_directory_reads_concurrently(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """No answer comes until all three requests arrived: sequential reads would time out."""
    arrived = 0
    all_arrived = asyncio.Event()

    def barrier(name: str) -> Answer:
        async def answer(request: web.Request) -> web.StreamResponse:
            nonlocal arrived
            arrived += 1
            if arrived == 3:
                all_arrived.set()
            await all_arrived.wait()
            return web.json_response(fixture_json(name))

        return answer

    stub.answer("/externalNumbersInfo", barrier("rest_external_numbers.json"))
    stub.answer("/workPlacesInfo", barrier("rest_workplaces.json"))
    stub.answer("/terminalsInfo", barrier("rest_terminals.json"))
    directory = await client.directory()
    assert len(directory.workplaces) == 1
    assert arrived == 3


@pytest.mark.parametrize(
    ("call", "fixture"),
    [
        (
            lambda c: c.make_call("883140582526566", "89219462761"),
            "request_make_call.json",
        ),
        (
            lambda c: c.transfer_call(DOC_LEG, DOC_TRANSPORT, "883140582526566"),
            "request_transfer_call.json",
        ),
        (
            lambda c: c.terminate_call(DOC_LEG, DOC_TRANSPORT),
            "request_terminate_call.json",
        ),
        (
            lambda c: c.set_parking_numbers(
                ["880023213", "880034344"], is_parking=True
            ),
            "request_set_parking_numbers.json",
        ),
    ],
)
async def test_commands_send_the_documented_bodies(
    client: MttBusinessClient, stub: ProviderStub, call: Any, fixture: str
) -> None:
    """POST JSON `{"params": …}` exactly as the documentation's request examples."""
    await call(client)
    (request,) = stub.requests
    assert request.method == "POST"
    assert request.authorization == "Bearer token0"
    assert request.content_type == "application/json"
    assert request.body == fixture_json(fixture)


async def test_make_call_returns_the_call_id(client: MttBusinessClient) -> None:
    """The documented answer's `result.call.id`."""
    call_id = await client.make_call("883140582526566", "89219462761")
    assert call_id == "7NKe6!8fa1FMS1c6ypZdb1GSV6ZN@10.133.51.137"


async def test_set_parking_off(client: MttBusinessClient, stub: ProviderStub) -> None:
    """`isParking: false` is sent as a JSON boolean; any sequence of numbers."""
    await client.set_parking_numbers(("74996497803",), is_parking=False)
    assert stub.requests[0].body == {
        "params": {"numbers": ["74996497803"], "isParking": False}
    }


@pytest.mark.parametrize(
    "answer",
    [
        {"success": 1},
        {"result": {"success": 1}},
        {"success": True},
        {"success": "1"},
        {"result": {"success": True}},
        {"result": {"success": "1"}},
        {"result": None, "success": 1},
    ],
)
async def test_success_spellings(
    client: MttBusinessClient, stub: ProviderStub, answer: Any
) -> None:
    """`success` as 1, true or "1", with or without the `result` wrapper.

    Taken as success: no exception, and the command was sent exactly once.
    """
    stub.answer("/setParkingNumbers", json_answer(answer))
    await client.set_parking_numbers(["74996497803"], is_parking=True)
    assert stub.paths() == ["/setParkingNumbers"]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"success": 0}, "success"),
        ({"success": False, "message": "Номер не найден"}, "Номер не найден"),
        ({"result": {"success": 0, "message": "No such leg"}}, "No such leg"),
        ({"result": {"success": "0"}}, "success"),
        ({"result": {}}, "result"),
        ({}, "{}"),
    ],
)
async def test_success_refusals(
    client: MttBusinessClient, stub: ProviderStub, answer: Any, message: str
) -> None:
    """`success` 0, false, "0" or missing is a refusal carrying the message."""
    stub.answer("/terminateCall", json_answer(answer))
    with pytest.raises(RequestRejectedError) as raised:
        await client.terminate_call(DOC_LEG, DOC_TRANSPORT)
    assert message in raised.value.message
    assert raised.value.status == 0


async def test_response_variants(
    client: MttBusinessClient, stub: ProviderStub, caplog: pytest.LogCaptureFixture
) -> None:
    """`Total`, `terminalsList`/`terminale`, null type and name; bad entries skipped."""
    stub.answer(
        "/externalNumbersInfo",
        json_answer(
            {
                "result": {
                    "Total": 4,
                    "numbersList": [
                        {"number": 78005560251, "type": None},
                        {"number": "74996497803", "type": "multichannel"},
                        {"type": "no number"},
                        {"number": True},
                        "junk",
                    ],
                }
            }
        ),
    )
    stub.answer(
        "/workPlacesInfo",
        json_answer(
            {
                "result": {
                    "Total": 3,
                    "workplacesList": [
                        {"workplace": "883140777716581", "name": None},
                        {"workplace": "883140777828305", "name": "Иван"},
                        {"workplace": ["x"], "name": "broken"},
                    ],
                }
            }
        ),
    )
    stub.answer(
        "/terminalsInfo",
        json_answer(
            {
                "result": {
                    "Total": 2,
                    "terminalsList": [
                        {
                            "terminale": "883140777380595",
                            "workplace": "883140777716581",
                        },
                        {"terminal": "883140777380596"},
                    ],
                }
            }
        ),
    )
    with caplog.at_level(logging.DEBUG, "custom_components.mtt_business.api"):
        directory = await client.directory()
    assert directory.external_numbers == (
        ExternalNumber("78005560251", None),
        ExternalNumber("74996497803", "multichannel"),
    )
    assert directory.workplaces == (
        Workplace("883140777716581", ""),
        Workplace("883140777828305", "Иван"),
    )
    assert directory.workplaces[0].display_name == "883140777716581"
    assert directory.terminals == (Terminal("883140777380595", "883140777716581"),)
    assert caplog.text.count("Skipped an entry") == 5


async def test_workplaces_spelling_fallback_is_remembered(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """A 404 on `workPlacesInfo`: `workplacesInfo` once, then only that one."""
    stub.answer("/workPlacesInfo", json_answer({"error": "not found"}, 404))
    assert len(await client.workplaces()) == 1
    assert len(await client.workplaces()) == 1
    assert stub.paths() == ["/workPlacesInfo", "/workplacesInfo", "/workplacesInfo"]


async def test_workplaces_both_spellings_missing(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """Two 404s: a refusal with status 404, and no third request."""
    stub.answer("/workPlacesInfo", json_answer({"error": "not found"}, 404))
    stub.answer("/workplacesInfo", json_answer({"error": "no such method"}, 404))
    with pytest.raises(RequestRejectedError) as raised:
        await client.workplaces()
    assert raised.value.status == 404
    assert raised.value.message == "no such method"
    assert len(stub.requests) == 2


async def test_other_errors_do_not_switch_spelling(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """Only a 404 means the other spelling; a 400 is the answer."""
    stub.answer("/workPlacesInfo", json_answer({"message": "bad"}, 400))
    with pytest.raises(RequestRejectedError):
        await client.workplaces()
    assert stub.paths() == ["/workPlacesInfo"]


async def test_401_once_refreshes_and_retries(
    client: MttBusinessClient, stub: ProviderStub, auth: CountingAuth
) -> None:
    """An expired token: one forced refresh, the retry succeeds."""
    stub.tokens = {"token1"}
    numbers = await client.external_numbers()
    assert numbers[0].number == "78005560251"
    assert [r.authorization for r in stub.requests] == [
        "Bearer token0",
        "Bearer token1",
    ]
    assert auth.refreshes == 1


async def test_401_twice_is_an_authentication_error(
    client: MttBusinessClient, stub: ProviderStub, auth: CountingAuth
) -> None:
    """One refresh and one retry only."""
    stub.tokens = set()
    with pytest.raises(AuthenticationError, match="401 Unauthorized"):
        await client.make_call("883140582526566", "89219462761")
    assert auth.refreshes == 1
    assert len(stub.requests) == 2


async def test_403_is_not_retried(
    client: MttBusinessClient, stub: ProviderStub, auth: CountingAuth
) -> None:
    """A 403 is an authentication error at once."""
    stub.answer("/terminalsInfo", json_answer({"error": "forbidden"}, 403))
    with pytest.raises(AuthenticationError, match="forbidden"):
        await client.terminals()
    assert auth.refreshes == 0
    assert len(stub.requests) == 1


async def test_token_provider_errors_propagate(
    client: MttBusinessClient, stub: ProviderStub, auth: CountingAuth
) -> None:
    """The token provider's own exception reaches the caller unchanged."""

    class OAuthFailureError(Exception):
        pass

    failure = OAuthFailureError("refresh token expired")
    auth.fail_with = failure
    with pytest.raises(OAuthFailureError) as raised:
        await client.directory()
    assert raised.value is failure
    assert stub.requests == []


async def test_refresh_errors_propagate(
    session: aiohttp.ClientSession, stub: ProviderStub
) -> None:
    """An exception from the forced refresh after a 401 propagates unchanged."""

    class RefreshRefused(CountingAuth):
        async def async_force_refresh_access_token(self) -> str:
            raise LookupError("revoked")

    stub.tokens = set()
    client = MttBusinessClient(
        session, RefreshRefused(), base_url=stub.url, request_timeout=TIMEOUT
    )
    with pytest.raises(LookupError, match="revoked"):
        await client.terminals()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            json_answer({"error": {"code": 400, "message": "Bad callee"}}, 400),
            "Bad callee",
        ),
        (json_answer({"message": "Plain message"}, 422), "Plain message"),
        (json_answer({"error": "invalid_request"}, 400), "invalid_request"),
        (json_answer({"error_description": "described"}, 400), "described"),
        (json_answer({"result": {"message": "in the result"}}, 409), "in the result"),
        (
            json_answer({"error": {"code": 5}, "error_description": "second"}, 400),
            "second",
        ),
        (json_answer([1], 400), "[1]"),
        (raw_answer(b"", 400), "no message"),
        (raw_answer(b"x" * 1000, 429, "text/plain"), "x" * 200),
        (json_answer({"message": "m" * 5000}, 400), "m" * 200),
        (json_answer({"error": {"message": "e" * 5000}}, 400), "e" * 200),
        (html_answer(404), "<html><head><title>404</title>"),
        (raw_answer("Ошибка".encode("cp1251"), 400, "text/plain"), "\ufffd"),
    ],
)
async def test_4xx_carries_the_providers_message(
    client: MttBusinessClient, stub: ProviderStub, answer: Answer, message: str
) -> None:
    """Each message shape is found; otherwise the text, at most 200 characters."""
    stub.answer("/makeCall", answer)
    with pytest.raises(RequestRejectedError) as raised:
        await client.make_call("883140582526566", "89219462761")
    assert raised.value.message.startswith(message)
    assert len(raised.value.message) <= 200
    assert raised.value.status >= 400
    assert str(raised.value) == f"{raised.value.status}: {raised.value.message}"


@pytest.mark.parametrize(
    "answer",
    [
        json_answer({"error": "boom"}, 500),
        json_answer({}, 503),
        html_answer(502),
        html_answer(200),
        raw_answer(b"\xff\xfe\x00garbage"),
        raw_answer(b"{" * 1, 200),
        raw_answer(b"[" * 100_000 + b"]" * 100_000),
    ],
)
async def test_service_unavailable(
    client: MttBusinessClient, stub: ProviderStub, answer: Answer
) -> None:
    """5xx, HTML pages and bodies that are not JSON."""
    stub.answer("/externalNumbersInfo", answer)
    with pytest.raises(ServiceUnavailableError):
        await client.external_numbers()


async def test_5xx_is_not_retried(
    client: MttBusinessClient, stub: ProviderStub
) -> None:
    """A 5xx is reported, the caller decides when to try again."""
    stub.answer("/transferCall", json_answer({}, 500), OK)
    with pytest.raises(ServiceUnavailableError, match="HTTP 500"):
        await client.transfer_call(DOC_LEG, DOC_TRANSPORT, "883140582526566")
    assert len(stub.requests) == 1


async def test_timeout(client: MttBusinessClient, stub: ProviderStub) -> None:
    """No answer within the request timeout is a ServiceUnavailableError, promptly."""
    stub.answer("/makeCall", stub.hanging())
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError, match="no answer"):
        await client.make_call("883140582526566", "89219462761")
    assert time.monotonic() - started < TIMEOUT + 0.5


async def test_connection_refused(
    session: aiohttp.ClientSession, auth: CountingAuth, socket_enabled: None
) -> None:
    """Nothing listens: a ServiceUnavailableError, not an aiohttp error."""
    client = MttBusinessClient(
        session, auth, base_url="http://127.0.0.1:9", request_timeout=TIMEOUT
    )
    with pytest.raises(ServiceUnavailableError):
        await client.external_numbers()


@pytest.mark.parametrize(
    "answer",
    [
        json_answer([1, 2]),
        json_answer("text"),
        json_answer(None),
        json_answer({"nothing": 1}),
        json_answer({"result": []}),
        json_answer({"result": {"numbersList": "nope"}}),
        json_answer({"result": {"total": 0}}),
    ],
)
async def test_unusable_directory_answers(
    client: MttBusinessClient, stub: ProviderStub, answer: Answer
) -> None:
    """Not an object, no `result` object, no list: an invalid response."""
    stub.answer("/externalNumbersInfo", answer)
    with pytest.raises(InvalidResponseError):
        await client.external_numbers()


@pytest.mark.parametrize(
    "answer",
    [
        json_answer([1, 2]),
        json_answer({"result": {"success": 1}}),
        json_answer({"result": {"success": 1, "call": {}}}),
        json_answer({"result": {"success": 1, "call": {"id": 17}}}),
        json_answer({"result": {"success": 1, "call": "x"}}),
    ],
)
async def test_unusable_make_call_answers(
    client: MttBusinessClient, stub: ProviderStub, answer: Answer
) -> None:
    """A makeCall answer without a call id string is an invalid response."""
    stub.answer("/makeCall", answer)
    with pytest.raises(InvalidResponseError):
        await client.make_call("883140582526566", "89219462761")


async def test_oversized_answer(client: MttBusinessClient, stub: ProviderStub) -> None:
    """More than MAX_RESPONSE_BYTES is refused, not parsed."""
    entry = {"number": "78005560251", "type": None}
    count = MAX_RESPONSE_BYTES // len(json.dumps(entry)) + 10
    body = json.dumps({"result": {"numbersList": [entry] * count}}).encode()
    assert len(body) > MAX_RESPONSE_BYTES
    stub.answer("/externalNumbersInfo", raw_answer(body))
    with pytest.raises(InvalidResponseError, match="larger"):
        await client.external_numbers()


def test_error_hierarchy() -> None:
    """Callers can catch the family; an invalid response is a kind of unavailability."""
    assert issubclass(InvalidResponseError, ServiceUnavailableError)
    assert issubclass(TokenRefreshError, ServiceUnavailableError)
    for error in (AuthenticationError, RequestRejectedError, ServiceUnavailableError):
        assert issubclass(error, MttBusinessError)


async def test_base_url_trailing_slash(
    session: aiohttp.ClientSession, auth: CountingAuth, stub: ProviderStub
) -> None:
    """A base URL with a trailing slash does not double it."""
    client = MttBusinessClient(
        session, auth, base_url=stub.url + "/", request_timeout=TIMEOUT
    )
    await client.terminals()
    assert stub.paths() == ["/terminalsInfo"]
