"""Pushes that cannot hurt Home Assistant: hostile values, bodies and methods.

A push is unauthenticated input. Each test posts over real HTTP to both addresses the
receiver answers at (`<Redirect URI>/events` and `/api/webhook/<secret>`), then checks
what a user would notice: the answer, `GET /api/states` (which must keep answering
200), the entities, and the log (short lines, never the secret).
"""

from __future__ import annotations

import gzip
import json
import logging
from typing import Any
import zlib

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import HomeAssistantServer, SimulatorServer, collect_call_events

EXTERNAL = "74996497803"
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
PBX_EVENT = "event.mtt_business_7_499_649_78_03_call"
RECEPTION_STATE = "sensor.resepshn_call_state"
MAX_LOG_LINE = 300

LEG = "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7~1o"
TRYING: dict[str, Any] = {
    "call": {"id": LEG, "tag": "hswdfry52vmykfla____.o"},
    "callee": {"accountId": EXTERNAL, "displayId": EXTERNAL, "id": EXTERNAL},
    "caller": {"accountId": "78124241500@pstn", "id": "78124241500"},
    "startTime": "2020-06-02 11:18:16",
    "state": "trying",
    "transportId": "10.133.33.136:5073",
    "type": "incoming",
}


BOMB = gzip.compress(b" " * (4 * 1024 * 1024) + b'{"event": "callNotifications"}')
"""4 MiB of white space before a push, compressed to a few KiB."""


def _push(info: dict[str, Any]) -> bytes:
    body = {"event": "callNotifications", "result": {"callInfo": info}}
    return json.dumps(body).encode()


def _raw_push(info: str) -> bytes:
    """A call push for LEG with raw JSON spliced in (escapes json.dumps avoids)."""
    return (
        '{"event": "callNotifications", "result": {"callInfo": {'
        f'"call": {{"id": "{LEG}", "tag": "t"}}, "transportId": "10.0.0.1:5070", '
        f'"callee": {{"id": "{EXTERNAL}"}}, "caller": {{"id": "78124241500"}}, '
        f'"type": "incoming", {info}}}}}}}'
    ).encode()


@pytest.fixture(autouse=True)
async def states_api(hass: HomeAssistant) -> None:
    """Home Assistant's REST API, set up before its HTTP server starts."""
    assert await async_setup_component(hass, "api", {})


def _leg_body(call_id: bytes) -> bytes:
    return (
        b'{"event": "callNotifications", "result": {"callInfo": {"call": {"id": "'
        + call_id
        + b'"}, "state": "finished"}}}'
    )


@pytest.fixture(params=["events", "webhook"])
def push_path(request: pytest.FixtureRequest, ha_server: HomeAssistantServer) -> str:
    """Both addresses the provider's pushes may arrive at."""
    secret = ha_server.redirect_uri.rsplit("/", 1)[1]
    if request.param == "events":
        return f"/api/mtt_business/{secret}/events"
    return f"/api/webhook/{secret}"


@pytest.fixture
def secret(ha_server: HomeAssistantServer) -> str:
    """The secret path part of the Redirect URI."""
    return ha_server.redirect_uri.rsplit("/", 1)[1]


def _assert_log_is_safe(caplog: pytest.LogCaptureFixture, secret: str) -> None:
    """Our lines (any level) and anybody's warnings: short, no secret, no traceback.

    Home Assistant's HTTP server itself logs each request's path at debug level
    ("Serving … to …"); that line is not ours and is left out here, and so are
    asyncio's debug-mode notes on slow callbacks (the tests run in debug mode).
    """
    for record in caplog.records:
        if record.name == "asyncio" or not (
            record.name.startswith("custom_components.mtt_business")
            or record.levelno >= logging.WARNING
        ):
            continue
        message = record.getMessage()
        assert secret not in message, message[:200]
        assert len(message) <= MAX_LOG_LINE, message[:200]
        assert record.exc_info is None, message[:200]
        assert record.levelno < logging.ERROR, message[:200]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Warnings, leaving out asyncio's debug-mode notes on slow callbacks."""
    return [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name != "asyncio"
    ]


async def _assert_states_api_works(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> list[dict[str, Any]]:
    """`GET /api/states` as a user's browser asks it: 200 and valid JSON."""
    client = await hass_client()
    response = await client.get("/api/states")
    assert response.status == 200, await response.text()
    states: list[dict[str, Any]] = await response.json()
    return states


def _state(states: list[dict[str, Any]], entity_id: str) -> dict[str, Any]:
    return next(s for s in states if s["entity_id"] == entity_id)


@pytest.mark.parametrize(
    ("finished", "dropped"),
    [
        ('"duration": 1e30', "duration"),
        ('"duration": 1' + "0" * 400, "duration"),
        ('"duration": -5', "duration"),
        ('"duration": NaN', "duration"),
        ('"reason": "\\ud800 hung up"', "reason"),
        ('"reason": "' + "r" * 5000 + '"', "reason"),
    ],
    ids=["1e30", "400 digits", "negative", "NaN", "lone surrogate", "5000 chars"],
)
async def test_hostile_values_are_dropped_and_the_states_api_keeps_working(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_client: ClientSessionGenerator,
    ha_server: HomeAssistantServer,
    push_path: str,
    secret: str,
    caplog: pytest.LogCaptureFixture,
    finished: str,
    dropped: str,
) -> None:
    """A finished push with a hostile optional value: the call ends, the value is not kept."""
    caplog.set_level(logging.DEBUG, logger="custom_components.mtt_business")
    response = await ha_server.client.post(push_path, data=_push(TRYING))
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"

    body = _raw_push(f'"state": "finished", "reason": "ok", "duration": 7, {finished}')
    response = await ha_server.client.post(push_path, data=body)
    assert response.status == 200
    await hass.async_block_till_done()

    states = await _assert_states_api_works(hass, hass_client)
    assert _state(states, ACTIVE)["state"] == "0"
    last = _state(states, LAST)["attributes"]
    assert last["call_id"] == LEG.removesuffix("~1o")
    assert last[dropped] is None
    event = _state(states, PBX_EVENT)["attributes"]
    assert event["event_type"] in ("finished", "missed")
    assert event[dropped] is None
    _assert_log_is_safe(caplog, secret)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_raw_push('"state": "\\ud800' + "s" * 5000 + '"'), "unknown call state"),
        (_leg_body(b"\\udc00~1o"), "call.id"),
        (_leg_body(b"x" * 5000), "call.id"),
        (b'{"event": "\\ud800' + b"e" * 5000 + b'"}', "event name"),
        (b'{"event": "callNotifications", "n": 1' + b"0" * 5000 + b"}", "not JSON"),
        (b'{"event": "callNotifications", "result": {"callInfo": "x"}}', "callInfo"),
        (b"\xff\xfe" + b"\xd8\x00" * 100, "not JSON"),
        (b"[" * 60_000 + b"]" * 1_000, "not JSON"),
    ],
    ids=[
        "long surrogate state",
        "surrogate call id",
        "long call id",
        "long surrogate event",
        "5000 digits",
        "wrong type",
        "not UTF-8",
        "deep nesting",
    ],
)
async def test_rejected_pushes_answer_400_compactly_and_change_nothing(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_client: ClientSessionGenerator,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    push_path: str,
    secret: str,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    reason: str,
) -> None:
    """400 with a short ASCII reason, one short warning, the ringing call untouched."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "ringing"
    caplog.clear()

    response = await ha_server.client.post(push_path, data=body)
    assert response.status == 400
    text = await response.text()
    assert reason in text
    assert len(text) <= 120
    assert text.isascii()
    await hass.async_block_till_done()

    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert reason in warnings[0].getMessage()
    _assert_log_is_safe(caplog, secret)
    states = await _assert_states_api_works(hass, hass_client)
    assert _state(states, RECEPTION_STATE)["state"] == "ringing"
    assert _state(states, ACTIVE)["state"] == "1"
    # The call is still followed: the next genuine push moves it on.
    await sim.hang_up(call_id)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    assert hass.states.get(ACTIVE).state == "0"


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("gzip", b"this is not gzip at all", "cannot be decoded"),
        ("deflate", b"\x00\x01\x02 not deflate", "cannot be decoded"),
        # aiohttp inflates a truncated gzip body as far as it goes.
        ("gzip", gzip.compress(_push(TRYING))[:-40], "not JSON"),
    ],
    ids=["gzip garbage", "deflate garbage", "gzip truncated"],
)
async def test_bodies_that_cannot_be_decoded_answer_400(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    push_path: str,
    secret: str,
    caplog: pytest.LogCaptureFixture,
    encoding: str,
    body: bytes,
    reason: str,
) -> None:
    """A Content-Encoding the body does not match: 400, no traceback, no secret."""
    response = await ha_server.client.post(
        push_path, data=body, headers={"Content-Encoding": encoding}
    )
    assert response.status == 400
    assert reason in await response.text()
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert reason in warnings[0].getMessage()
    _assert_log_is_safe(caplog, secret)
    # The receiver still takes the next push.
    response = await ha_server.client.post(push_path, data=_push(TRYING))
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"


async def test_an_encoding_aiohttp_cannot_decode_is_400_before_our_handler(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    push_path: str,
    secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`br` without the Brotli package: aiohttp answers 400 itself, the path unlogged."""
    response = await ha_server.client.post(
        push_path, data=b"\x00\x01 not brotli", headers={"Content-Encoding": "br"}
    )
    assert response.status == 400
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    assert secret not in caplog.text


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress)],
)
async def test_compressed_pushes_are_understood(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    push_path: str,
    encoding: str,
    compress: Any,
) -> None:
    """A push that is really compressed as it says is taken like any other."""
    response = await ha_server.client.post(
        push_path,
        data=compress(_push(TRYING)),
        headers={"Content-Encoding": encoding},
    )
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "1"


async def test_a_compressed_bomb_is_413(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    push_path: str,
    secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A small gzip body that inflates beyond 64 KiB is too large, as sent plainly."""
    assert len(BOMB) < 64 * 1024
    response = await ha_server.client.post(
        push_path, data=BOMB, headers={"Content-Encoding": "gzip"}
    )
    assert response.status == 413
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "0"
    _assert_log_is_safe(caplog, secret)


async def test_other_methods_at_the_webhook_url_do_not_log_the_secret(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GET or PUT at the webhook URL: 405, and the log does not name the secret."""
    for method in ("GET", "PUT"):
        response = await ha_server.client.request(method, f"/api/webhook/{secret}")
        assert response.status == 405
    _assert_log_is_safe(caplog, secret)
    assert hass.states.get(ACTIVE).state == "0"


async def test_a_push_reaches_the_loaded_entries_only(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    push_path: str,
) -> None:
    """An unloaded entry takes no push (its hub left the Redirect URI); reloaded, it does."""
    events = collect_call_events(hass)
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    response = await ha_server.client.post(push_path, data=_push(TRYING))
    assert response.status == 200
    await hass.async_block_till_done()
    assert events == []

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    response = await ha_server.client.post(push_path, data=_push(TRYING))
    assert response.status == 200
    await hass.async_block_till_done()
    assert [event.data["state"] for event in events] == ["trying"]
    assert hass.states.get(ACTIVE).state == "1"
