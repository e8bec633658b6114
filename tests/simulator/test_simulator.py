"""The simulator itself: the documented shapes, OAuth refusals, faults, pushes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from mtt_simulator.app import SILENT_MP3, SIMULATOR_KEY, create_app
from mtt_simulator.browser import portal_sign_in
from mtt_simulator.scenario import Scenario
from mtt_simulator.simulator import Simulator


class Rig:
    def __init__(
        self,
        sim: Simulator,
        url: str,
        session: aiohttp.ClientSession,
        pushes: list[dict[str, Any]],
    ) -> None:
        self.sim, self.url, self.session, self.pushes = sim, url, session, pushes
        self.token = ""

    async def api(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.request(
            method, self.url + path, headers=headers, **kwargs
        ) as r:
            return r.status, await r.json(content_type=None)


@pytest.fixture
async def rig(socket_enabled: None) -> AsyncIterator[Rig]:
    pushes: list[dict[str, Any]] = []

    async def receive(request: web.Request) -> web.Response:
        pushes.append(await request.json())
        return web.Response()

    receiver_app = web.Application()
    receiver_app.router.add_post("/cb/events", receive)
    receiver = TestServer(receiver_app, host="127.0.0.1")
    await receiver.start_server()
    scenario = Scenario.demo()
    scenario.parking_window = 0.2
    app = create_app(scenario)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    rig = Rig(app[SIMULATOR_KEY], str(server.make_url("")).rstrip("/"), session, pushes)
    client = rig.sim.register_client(str(receiver.make_url("/cb")))
    authorize = (
        f"{rig.url}/oauth/authorize?response_type=code&client_id={client.client_id}"
        f"&redirect_uri={client.redirect_uri}&scope=https://mtt.ru/auth.tokens.readwrite&state=s1"
    )
    location = await portal_sign_in(session, authorize, "demo", "demo")
    code = location.split("code=")[1].split("&")[0]
    form = {
        "grant_type": "authorization_code",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "code": code,
        "redirect_uri": client.redirect_uri,
        "scope": "https://mtt.ru/auth.tokens.readwrite",
    }
    async with session.post(f"{rig.url}/oauth/token", data=form) as r:
        tokens = await r.json()
    assert set(tokens) == {
        "access_token",
        "expires_in",
        "refresh_token",
        "scope",
        "token_type",
    }
    assert tokens["scope"] == "https://mtt.ru/auth/openapi.readwrite"
    assert tokens["expires_in"] == 7200
    rig.token = tokens["access_token"]
    rig.client = client  # type: ignore[attr-defined]
    rig.refresh = tokens["refresh_token"]  # type: ignore[attr-defined]
    async with session.post(f"{rig.url}/oauth/token", data=form) as r:
        assert r.status == 400
        assert (await r.json()) == {"error": "invalid_grant"}  # a code is single-use
    yield rig
    await session.close()
    await server.close()
    await receiver.close()


async def test_directory_shapes(rig: Rig) -> None:
    status, numbers = await rig.api("GET", "/externalNumbersInfo")
    assert status == 200
    assert numbers["result"]["numbersList"][0] == {
        "number": "74996497803",
        "type": None,
    }
    assert numbers["result"]["total"] == 2
    for path in ("/workPlacesInfo", "/workplacesInfo"):
        status, workplaces = await rig.api("GET", path)
        assert set(workplaces["result"]) == {"total", "workplacesList"}
        assert set(workplaces["result"]["workplacesList"][0]) == {"workplace", "name"}
    status, terminals = await rig.api("GET", "/terminalsInfo")
    assert set(terminals["result"]["terminals_list"][0]) == {"terminal", "workplace"}
    rig.token = "wrong"
    status, _ = await rig.api("GET", "/terminalsInfo")
    assert status == 401


async def test_oauth_refusals(rig: Rig) -> None:
    client = rig.client  # type: ignore[attr-defined]
    base = {"client_id": client.client_id, "client_secret": client.client_secret}
    cases = [
        ({**base, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
        (
            {
                **base,
                "client_secret": "nope",
                "grant_type": "refresh_token",
                "refresh_token": "x",
            },
            401,
            "invalid_client",
        ),
        ({**base, "grant_type": "refresh_token"}, 400, "invalid_request"),
        ({**base, "grant_type": "authorization_code"}, 400, "invalid_request"),
        (
            {**base, "grant_type": "refresh_token", "refresh_token": "unknown"},
            400,
            "invalid_grant",
        ),
    ]
    for form, status, error in cases:
        async with rig.session.post(f"{rig.url}/oauth/token", data=form) as r:
            assert (r.status, (await r.json())["error"]) == (status, error)
    form = {**base, "grant_type": "refresh_token", "refresh_token": rig.refresh}  # type: ignore[attr-defined]
    async with rig.session.post(f"{rig.url}/oauth/token", data=form) as r:
        assert r.status == 200
    async with rig.session.post(f"{rig.url}/oauth/token", data=form) as r:
        assert r.status == 400  # rotated: the old refresh token is gone
    for query in (
        "client_id=nope",
        f"client_id={client.client_id}&redirect_uri=https://evil.example",
        f"client_id={client.client_id}&redirect_uri={client.redirect_uri}&response_type=token",
        f"client_id={client.client_id}&redirect_uri={client.redirect_uri}&response_type=code&scope=x",
    ):
        async with rig.session.get(f"{rig.url}/oauth/authorize?{query}") as r:
            assert r.status == 400


async def test_call_control_validation(rig: Rig) -> None:
    status, body = await rig.api(
        "POST",
        "/makeCall",
        json={"params": {"callerId": "883140777380595", "calleeId": "89219462761"}},
    )
    assert status == 400
    assert "terminal" in body["error"]["message"]
    status, body = await rig.api(
        "POST", "/makeCall", json={"params": {"callerId": "1", "calleeId": "8"}}
    )
    assert status == 400
    status, body = await rig.api("POST", "/makeCall", data=b"{bad")
    assert status == 400
    status, body = await rig.api(
        "POST",
        "/setParkingNumbers",
        json={"params": {"numbers": ["74996497803"], "isParking": True}},
    )
    assert body == {"success": 1}
    status, body = await rig.api(
        "POST",
        "/setParkingNumbers",
        json={"params": {"numbers": ["1"], "isParking": True}},
    )
    assert status == 400
    status, body = await rig.api(
        "POST",
        "/terminateCall",
        json={"params": {"call": {"id": "x", "tag": "y"}, "transportId": "z"}},
    )
    assert status == 400
    status, body = await rig.api(
        "POST",
        "/makeCall",
        json={"params": {"callerId": "883140777716581", "calleeId": "89219462761"}},
    )
    assert status == 200
    assert set(body["result"]) == {"call", "success"}
    assert body["result"]["call"]["id"].startswith("SD")


async def test_incoming_call_pushes_the_documented_shapes(rig: Rig) -> None:
    sim = rig.sim
    call_id = await sim.start_incoming_call("78124241500", "74996497803")
    await sim.wait_pushed()
    await sim.answer(call_id)
    await sim.hang_up(call_id, "workplace")
    await sim.wait_pushed()
    infos = [p["result"]["callInfo"] for p in rig.pushes]
    assert [i["state"] for i in infos] == [
        "trying",
        "showing",
        "connected",
        "finished",
        "recorded",
    ]
    trying = infos[0]
    assert set(trying) == {
        "call",
        "callee",
        "caller",
        "startTime",
        "state",
        "transportId",
        "type",
    }
    assert trying["caller"] == {
        "accountId": "78124241500@pstn",
        "displayId": "78124241500",
        "forwarderList": [],
        "id": "78124241500",
    }
    assert trying["call"]["id"].endswith("~2o")  # ~1o is the parking leg
    finished = infos[3]
    assert set(finished) == {
        "call",
        "callee",
        "caller",
        "duration",
        "reason",
        "reasonCode",
        "state",
        "transportId",
        "type",
    }
    assert set(finished["callee"]) == {
        "accountId",
        "centrexId",
        "displayId",
        "display_name",
        "extensionId",
        "forwarderList",
        "id",
    }
    assert finished["reason"] == "Answer leg disconnected"
    recorded = infos[4]
    assert set(recorded) == {"accountId", "call", "state", "urlRecord"}
    async with rig.session.get(recorded["urlRecord"]) as r:
        assert r.content_type == "audio/mpeg"
        assert await r.read() == SILENT_MP3


async def test_parked_call_and_faults(rig: Rig) -> None:
    sim = rig.sim
    sim.parking.add("74996497803")
    await sim.start_incoming_call("78124241500", "74996497803")
    await sim.wait_pushed()
    parked = rig.pushes[-1]["result"]["callInfo"]
    assert parked["state"] == "trying"
    assert parked["callee"]["id"] == "74996497803"
    leg = {
        "call": {"id": parked["call"]["id"], "tag": parked["call"]["tag"]},
        "transportId": parked["transportId"],
    }
    status, body = await rig.api(
        "POST", "/transferCall", json={"params": {**leg, "calleeId": "883140777828305"}}
    )
    assert body == {"result": {"success": 1}}
    await sim.wait_pushed()
    states = [
        (p["result"]["callInfo"]["state"], p["result"]["callInfo"]["call"]["id"][-2:])
        for p in rig.pushes
    ]
    assert states == [("trying", "1o"), ("hiding", "1o"), ("showing", "2o")]
    sim.faults.set_api_fault(methods=["terminalsInfo"], html=True, count=1)
    async with rig.session.get(
        f"{rig.url}/terminalsInfo", headers={"Authorization": f"Bearer {rig.token}"}
    ) as r:
        assert r.content_type == "text/html"
    status, _ = await rig.api("GET", "/terminalsInfo")
    assert status == 200
    sim.faults.push.drop = True
    await sim.edit_directory({"external_numbers": [{"number": "74996497803"}]})
    await sim.wait_pushed()
    assert rig.pushes[-1]["result"]["callInfo"]["state"] == "showing"
    sim.faults.clear()
    await sim.edit_directory(
        {"workplaces": [{"workplace": "1", "name": "A"}], "terminals": []}
    )
    await sim.wait_pushed()
    assert rig.pushes[-1] == {
        "event": "vpbxNotifications",
        "result": {"eventType": "workplacesChanged"},
    }


async def test_control_api(rig: Rig) -> None:
    async with rig.session.post(
        f"{rig.url}/control/calls/incoming",
        json={
            "from": "79161234567",
            "to": "74996497803",
            "answer_after": 0,
            "hangup_after": 0,
        },
    ) as r:
        call_id = (await r.json())["call_id"]
    async with rig.session.get(f"{rig.url}/control/state") as r:
        state = await r.json()
    assert state["directory"]["workplaces"][0]["workplace"] == "883140777716581"
    assert call_id
    async with rig.session.post(f"{rig.url}/control/calls/nope/answer", json={}) as r:
        assert r.status == 409
    async with rig.session.post(
        f"{rig.url}/control/faults",
        json={"api": {"status": 503, "count": 1}, "push": {"duplicate": True}},
    ) as r:
        assert r.status == 200
    status, _ = await rig.api("GET", "/externalNumbersInfo")
    assert status == 503
    async with rig.session.delete(f"{rig.url}/control/faults") as r:
        assert r.status == 200
    async with rig.session.post(
        f"{rig.url}/control/tokens/expire", json={"kind": "access"}
    ) as r:
        assert r.status == 200
    status, _ = await rig.api("GET", "/externalNumbersInfo")
    assert status == 401
