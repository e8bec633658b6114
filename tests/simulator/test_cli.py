"""`python -m mtt_simulator`: serving, and driving a running simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
from pathlib import Path
import socket
import sys

import aiohttp
import pytest
from yarl import URL

from mtt_simulator.browser import portal_sign_in

from .conftest import CALLER, IVAN, MAIN, RECEPTION, SCOPE, Receiver

ROOT = Path(__file__).parents[2]
DEMO_CLIENT_ID = "ccb350cc-6218-40b0-b134-3d290f00b9e7"
DEMO_CLIENT_SECRET = "iNmTWpDLeYkyzkUTVuCQwa"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _run(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mtt_simulator",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


class Served:
    """A simulator process on loopback."""

    def __init__(self, url: str, banner: str) -> None:
        self.url = url
        self.banner = banner


@pytest.fixture
async def served(receiver: Receiver) -> AsyncIterator[Served]:
    """`python -m mtt_simulator --port …` with the demo integration registered."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mtt_simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--redirect-uri",
        receiver.url,
        "--variant",
        "ring_group_hiding",
        "--variant",
        "parking_hiding",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        banner = ""
        for _ in range(2):
            banner += (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"{url}/control/state") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
            else:
                pytest.fail("the simulator did not start")
        yield Served(url, banner)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_serve_and_drive(served: Served, receiver: Receiver) -> None:
    assert served.banner.startswith(f"MTT simulator on {served.url} ")
    assert "demo / demo" in served.banner
    assert DEMO_CLIENT_ID in served.banner
    assert DEMO_CLIENT_SECRET in served.banner
    assert "variants: parking_hiding, ring_group_hiding)" in served.banner

    # the demo integration signs in with its fixed id and secret
    async with aiohttp.ClientSession() as session:
        authorize = URL(f"{served.url}/oauth/authorize").with_query(
            response_type="code",
            client_id=DEMO_CLIENT_ID,
            redirect_uri=receiver.url,
            scope=SCOPE,
        )
        location = URL(await portal_sign_in(session, str(authorize), "demo", "demo"))
        async with session.post(
            f"{served.url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "code": location.query["code"],
                "redirect_uri": receiver.url,
            },
        ) as response:
            assert response.status == 200

    code, out, _ = await _run(
        "call", "incoming", "--url", served.url, "--from", CALLER, "--to", MAIN
    )
    assert code == 0
    call_id = json.loads(out)["call_id"]
    code, _, _ = await _run("call", "answer", call_id, "--url", served.url)
    assert code == 0
    code, _, _ = await _run(
        "call", "hangup", call_id, "--url", served.url, "--side", "workplace"
    )
    assert code == 0
    for _ in range(200):
        if len(receiver.pushes) == 5:
            break
        await asyncio.sleep(0.02)
    assert [s for s, _ in receiver.states()] == [
        "trying",
        "showing",
        "connected",
        "finished",
        "recorded",
    ]
    recorded = receiver.infos()[-1]
    assert recorded["urlRecord"].startswith(f"{served.url}/records/")
    async with (
        aiohttp.ClientSession() as session,
        session.get(recorded["urlRecord"]) as response,
    ):
        assert response.content_type == "audio/mpeg"

    # an unknown call is an error, reported on stderr with a non-zero status
    code, _, err = await _run("call", "answer", call_id, "--url", served.url)
    assert code != 0
    assert "409" in err

    code, _, _ = await _run(
        "faults", "--url", served.url, "--status", "503", "--count", "1"
    )
    assert code == 0
    code, out, _ = await _run("state", "--url", served.url)
    assert code == 0
    state = json.loads(out)
    assert state["variants"] == ["parking_hiding", "ring_group_hiding"]
    assert state["clients"][0]["client_id"] == DEMO_CLIENT_ID
    assert state["requests"][-1]["method"] == "token"
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{served.url}/terminalsInfo") as response,
    ):
        assert response.status == 503
    code, _, _ = await _run("faults", "--url", served.url, "--clear")
    assert code == 0

    # the recording's download, spoilt once
    code, _, _ = await _run(
        "faults",
        "--url",
        served.url,
        "--record-status",
        "500",
        "--record-count",
        "1",
    )
    assert code == 0
    async with aiohttp.ClientSession() as session:
        async with session.get(recorded["urlRecord"]) as response:
            assert response.status == 500
        async with session.get(recorded["urlRecord"]) as response:
            assert response.status == 200

    # a count of 0 is a fault that spoils nothing (not a fault without a count)
    code, _, _ = await _run(
        "faults",
        "--url",
        served.url,
        "--record-status",
        "500",
        "--record-count",
        "0",
    )
    assert code == 0
    async with (
        aiohttp.ClientSession() as session,
        session.get(recorded["urlRecord"]) as response,
    ):
        assert response.status == 200


async def test_variants_and_a_ring_group(served: Served, receiver: Receiver) -> None:
    code, out, _ = await _run("variants", "--url", served.url, "no_parking_leg")
    assert code == 0
    assert json.loads(out) == {"variants": ["no_parking_leg"]}
    code, _, err = await _run("variants", "--url", served.url, "no_such_variant")
    assert code != 0
    assert "no_such_variant" in err
    code, out, _ = await _run("variants", "--url", served.url)
    assert code == 0
    assert json.loads(out) == {"variants": []}
    code, out, _ = await _run("state", "--url", served.url)
    assert json.loads(out)["variants"] == []

    code, out, _ = await _run(
        "call",
        "incoming",
        "--url",
        served.url,
        "--from",
        CALLER,
        "--to",
        MAIN,
        "--workplace",
        RECEPTION,
        "--workplace",
        IVAN,
    )
    assert code == 0
    call_id = json.loads(out)["call_id"]
    code, _, _ = await _run(
        "call", "answer", call_id, "--url", served.url, "--workplace", IVAN
    )
    assert code == 0
    for _ in range(200):
        if len(receiver.pushes) == 4:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # nothing more follows
    assert receiver.states() == [
        ("trying", "1o"),
        ("showing", "2o"),
        ("showing", "3o"),
        ("connected", "3o"),
    ]


async def test_bad_scenario_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    code, _, err = await _run("serve", "--port", "1", "--scenario", str(bad))
    assert code != 0
    assert "not JSON" in err


async def test_no_simulator_running(socket_enabled: None) -> None:
    code, _, err = await _run("state", "--url", f"http://127.0.0.1:{_free_port()}")
    assert code != 0
    assert err
