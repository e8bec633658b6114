"""Injected faults: spoilt API answers and spoilt pushes."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from mtt_simulator.app import SILENT_MP3
from mtt_simulator.faults import RecordFault

from .conftest import CALLER, MAIN, Rig


async def test_status_fault_counts_down_and_is_per_method(rig: Rig) -> None:
    rig.sim.faults.set_api_fault(methods=["externalNumbersInfo"], status=503, count=2)
    for _ in range(2):
        status, body = await rig.api("GET", "/externalNumbersInfo")
        assert status == 503
        assert body == {"error": {"code": 503, "message": "Injected fault"}}
        assert (await rig.api("GET", "/terminalsInfo"))[0] == 200
    assert (await rig.api("GET", "/externalNumbersInfo"))[0] == 200
    assert [r.status for r in rig.sim.requests[-5:]] == [503, 200, 503, 200, 200]


async def test_fault_until_cleared_on_every_method(rig: Rig) -> None:
    rig.sim.faults.set_api_fault(status=401)
    for _ in range(3):
        for path in ("/externalNumbersInfo", "/workPlacesInfo", "/terminalsInfo"):
            assert (await rig.api("GET", path))[0] == 401
    status, _ = await rig.call("makeCall", {"callerId": "1", "calleeId": "2"})
    assert status == 401
    rig.sim.faults.clear()
    assert (await rig.api("GET", "/externalNumbersInfo"))[0] == 200


@pytest.mark.parametrize("status", [200, 500, 502])
async def test_html_fault(rig: Rig, status: int) -> None:
    rig.sim.faults.set_api_fault(html=True, status=status, count=1)
    async with rig.session.get(
        f"{rig.url}/workPlacesInfo",
        headers={"Authorization": f"Bearer {rig.access_token}"},
    ) as response:
        assert response.status == status
        assert response.content_type == "text/html"
        assert (await response.text()).startswith("<html>")
    assert (await rig.api("GET", "/workPlacesInfo"))[0] == 200


async def test_timeout_fault(rig: Rig) -> None:
    rig.sim.faults.set_api_fault(methods=["terminalsInfo"], timeout=0.5, count=1)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await rig.api("GET", "/terminalsInfo", timeout=aiohttp.ClientTimeout(total=0.1))
    assert time.monotonic() - started < 0.4
    await asyncio.sleep(0.5)  # the spoilt answer is over
    assert (await rig.api("GET", "/terminalsInfo"))[0] == 200


async def test_slow_answer_then_status(rig: Rig) -> None:
    rig.sim.faults.set_api_fault(timeout=0.1, status=500, count=1)
    started = time.monotonic()
    status, _ = await rig.api("GET", "/terminalsInfo")
    assert status == 500
    assert time.monotonic() - started >= 0.1


async def test_token_endpoint_faults(rig: Rig) -> None:
    form = {
        "grant_type": "refresh_token",
        "client_id": rig.client.client_id,
        "client_secret": rig.client.client_secret,
        "refresh_token": rig.refresh_token,
    }
    rig.sim.faults.set_api_fault(methods=["token"], status=500, count=1)
    assert await rig.token(form) == (500, {"error": "server_error"})
    rig.sim.faults.set_api_fault(methods=["token"], status=400, count=1)
    assert await rig.token(form) == (400, {"error": "invalid_grant"})
    # the spoilt answers did not use the refresh token up
    status, _ = await rig.token(form)
    assert status == 200


async def _two_pushes(rig: Rig) -> None:
    rig.sim.scenario.ring_timeout = 30
    await rig.sim.start_incoming_call(CALLER, MAIN)  # trying, showing
    await rig.settle()


async def test_push_drop(rig: Rig) -> None:
    rig.sim.faults.push.drop = True
    await _two_pushes(rig)
    assert rig.receiver.pushes == []
    assert rig.sim.pushes == []
    assert "dropped a push" in rig.sim.messages


async def test_push_duplicate(rig: Rig) -> None:
    rig.sim.faults.push.duplicate = True
    await _two_pushes(rig)
    assert [s for s, _ in rig.receiver.states()] == [
        "trying",
        "trying",
        "showing",
        "showing",
    ]
    assert rig.receiver.pushes[0] == rig.receiver.pushes[1]


async def test_push_reorder(rig: Rig) -> None:
    rig.sim.faults.push.reorder = True
    await _two_pushes(rig)
    assert [s for s, _ in rig.receiver.states()] == ["showing", "trying"]


async def test_push_delay(rig: Rig) -> None:
    rig.sim.faults.push.delay = 0.2
    started = time.monotonic()
    await rig.sim.edit_directory({"terminals": []})
    await asyncio.sleep(0.1)
    assert rig.receiver.pushes == []
    await rig.settle()
    assert time.monotonic() - started >= 0.2
    assert len(rig.receiver.pushes) == 1


async def test_scenario_push_delay(rig: Rig) -> None:
    rig.sim.scenario.push_delay = 0.15
    started = time.monotonic()
    await rig.sim.edit_directory({"terminals": []})
    await rig.settle()
    assert time.monotonic() - started >= 0.15
    assert len(rig.receiver.pushes) == 1


async def _download(rig: Rig, record: str = "r1") -> tuple[int, dict[str, str], bytes]:
    async with rig.session.get(f"{rig.url}/records/{record}.mp3") as response:
        return response.status, dict(response.headers), await response.read()


async def test_recording_by_default(rig: Rig) -> None:
    """Unspoilt: the small real mp3, with its length."""
    rig.sim.records.add("r1")
    status, headers, body = await _download(rig)
    assert (status, body) == (200, SILENT_MP3)
    assert headers["Content-Type"] == "audio/mpeg"
    assert headers["Content-Length"] == str(len(SILENT_MP3)) == "5004"


@pytest.mark.parametrize("code", [500, 503, 404, 410])
async def test_recording_status_fault_counts_down(rig: Rig, code: int) -> None:
    rig.sim.records.add("r1")
    rig.sim.faults.record = RecordFault(status=code, count=2)
    assert (await _download(rig))[0] == code
    assert (await _download(rig))[0] == code
    assert (await _download(rig))[:3:2] == (200, SILENT_MP3)
    assert (await _download(rig, "unknown"))[0] == 404


async def test_recording_oversized_and_chunked(rig: Rig) -> None:
    rig.sim.records.add("r1")
    rig.sim.faults.record = RecordFault(size=100_000, chunked=True, chunk=30_000)
    status, headers, body = await _download(rig)
    assert status == 200
    assert "Content-Length" not in headers
    assert headers["Transfer-Encoding"] == "chunked"
    assert len(body) == 100_000
    assert body.startswith(SILENT_MP3)
    rig.sim.faults.record = RecordFault(size=100_000)
    status, headers, body = await _download(rig)
    assert headers["Content-Length"] == "100000"
    assert len(body) == 100_000


async def test_recording_slow_body(rig: Rig) -> None:
    rig.sim.records.add("r1")
    rig.sim.faults.record = RecordFault(delay=0.05, chunk=1024)
    started = time.monotonic()
    status, _, body = await _download(rig)
    assert (status, body) == (200, SILENT_MP3)
    assert time.monotonic() - started >= 5 * 0.05  # 5 chunks, a wait before each
