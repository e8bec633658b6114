"""The REST API (SPEC §2, §3): Bearer checks, documented shapes, validation."""

from __future__ import annotations

import asyncio
import re

import pytest

from .conftest import IVAN, MAIN, NAMELESS, RECEPTION, RECEPTION_TERMINAL, SECOND, Rig

UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}
DIRECTORY = (
    "/externalNumbersInfo",
    "/workPlacesInfo",
    "/workplacesInfo",
    "/terminalsInfo",
)


async def test_external_numbers_shape(rig: Rig) -> None:
    status, body = await rig.api("GET", "/externalNumbersInfo")
    assert status == 200
    assert body == {
        "result": {
            "total": 2,
            "numbersList": [
                {"number": MAIN, "type": None},
                {"number": SECOND, "type": None},
            ],
        }
    }


@pytest.mark.parametrize("path", ["/workPlacesInfo", "/workplacesInfo"])
async def test_workplaces_shape_under_both_spellings(rig: Rig, path: str) -> None:
    status, body = await rig.api("GET", path)
    assert status == 200
    assert body == {
        "result": {
            "total": 3,
            "workplacesList": [
                {"workplace": RECEPTION, "name": "Ресепшн"},
                {"workplace": IVAN, "name": "Менеджер Иван"},
                {"workplace": NAMELESS, "name": ""},
            ],
        }
    }


async def test_terminals_shape(rig: Rig) -> None:
    status, body = await rig.api("GET", "/terminalsInfo")
    assert status == 200
    assert set(body) == {"result"}
    assert set(body["result"]) == {"total", "terminals_list"}
    assert body["result"]["total"] == len(body["result"]["terminals_list"]) == 3
    assert body["result"]["terminals_list"][0] == {
        "terminal": RECEPTION_TERMINAL,
        "workplace": RECEPTION,
    }


async def test_utf8_names_on_the_wire(rig: Rig) -> None:
    async with rig.session.get(
        f"{rig.url}/workPlacesInfo",
        headers={"Authorization": f"Bearer {rig.access_token}"},
    ) as response:
        assert response.content_type == "application/json"
        assert "Менеджер Иван".encode() in await response.read()


@pytest.mark.parametrize("path", DIRECTORY)
async def test_bearer_is_checked(rig: Rig, path: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer unknown"},
        {"Authorization": f"Basic {rig.access_token}"},
        {"Authorization": rig.access_token},
        {"Authorization": f"Bearer {rig.refresh_token}"},
    ):
        async with rig.session.get(rig.url + path, headers=headers) as response:
            assert response.status == 401, headers
            assert await response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    "method", ["makeCall", "transferCall", "terminateCall", "setParkingNumbers"]
)
async def test_bearer_is_checked_on_commands(rig: Rig, method: str) -> None:
    status, body = await rig.api(
        "POST", f"/{method}", token="nope", json={"params": {}}
    )
    assert (status, body) == (401, UNAUTHORIZED)


async def test_expired_access_token_is_401(rig: Rig) -> None:
    rig.sim.expire_access_tokens()
    assert await rig.api("GET", "/externalNumbersInfo") == (401, UNAUTHORIZED)
    rig.sim.oauth.access_lifetime = 0.05
    await rig.sign_in()
    assert (await rig.api("GET", "/externalNumbersInfo"))[0] == 200
    await asyncio.sleep(0.1)
    assert await rig.api("GET", "/externalNumbersInfo") == (401, UNAUTHORIZED)


async def test_requests_are_logged(rig: Rig) -> None:
    before = len(rig.sim.requests)
    await rig.api("GET", "/workplacesInfo")
    await rig.api("GET", "/workplacesInfo", token="bad")
    await rig.api("POST", "/makeCall", data=b"{not json")
    logged = rig.sim.requests[before:]
    assert [(r.method, r.status) for r in logged] == [
        ("workplacesInfo", 200),
        ("workplacesInfo", 401),
        ("makeCall", 400),
    ]
    assert logged[0].received <= logged[1].received <= logged[2].received
    assert logged[2].params == "{not json"


async def test_make_call_answer_shape(rig: Rig) -> None:
    status, body = await rig.call(
        "makeCall", {"callerId": IVAN, "calleeId": "89219462761"}
    )
    assert status == 200
    assert set(body) == {"result"}
    assert set(body["result"]) == {"call", "success"}
    assert body["result"]["success"] == 1
    assert set(body["result"]["call"]) == {"id"}
    assert re.fullmatch(
        r"SD[0-9a-z]{6}-[0-9a-f]{40}@127\.0\.0\.1", body["result"]["call"]["id"]
    )
    assert rig.sim.requests[-1].params == {
        "params": {"callerId": IVAN, "calleeId": "89219462761"}
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"callerId": RECEPTION_TERMINAL, "calleeId": "89219462761"}, "terminal"),
        ({"callerId": "883149999999999", "calleeId": "89219462761"}, "Unknown"),
        ({"callerId": MAIN, "calleeId": "89219462761"}, "Unknown"),
        ({"callerId": IVAN}, "required"),
        ({"calleeId": "89219462761"}, "required"),
        ({"callerId": IVAN, "calleeId": ""}, "required"),
        ({"callerId": int(IVAN), "calleeId": "89219462761"}, "required"),
        ({"callerId": IVAN, "calleeId": 89219462761}, "required"),
    ],
)
async def test_make_call_refusals(
    rig: Rig, params: dict[str, object], message: str
) -> None:
    status, body = await rig.call("makeCall", params)
    assert status == 400
    assert message in body["error"]["message"]
    assert body["error"]["code"] == 400


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[]", b'"text"', b"{}", b'{"params": []}', b'{"params": 1}'],
)
@pytest.mark.parametrize(
    "method", ["makeCall", "transferCall", "terminateCall", "setParkingNumbers"]
)
async def test_malformed_bodies_are_400(rig: Rig, method: str, body: bytes) -> None:
    status, answer = await rig.api(
        "POST", f"/{method}", data=body, headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert answer["error"]["code"] == 400


async def test_oversized_body_is_refused(rig: Rig) -> None:
    status, _ = await rig.api(
        "POST", "/makeCall", data=b'{"params": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    )
    assert status == 413


async def test_set_parking_numbers(rig: Rig) -> None:
    status, body = await rig.call(
        "setParkingNumbers", {"numbers": [MAIN, SECOND], "isParking": True}
    )
    assert (status, body) == (200, {"success": 1})  # no `result` wrapper
    assert rig.sim.parking == {MAIN, SECOND}
    status, body = await rig.call(
        "setParkingNumbers", {"numbers": [SECOND], "isParking": False}
    )
    assert (status, body) == (200, {"success": 1})
    assert rig.sim.parking == {MAIN}


@pytest.mark.parametrize(
    "params",
    [
        {"numbers": ["880023213"], "isParking": True},
        {"numbers": [MAIN, "880034344"], "isParking": True},
        {"numbers": [int(MAIN)], "isParking": True},
        {"numbers": MAIN, "isParking": True},
        {"numbers": [MAIN], "isParking": "true"},
        {"numbers": [MAIN], "isParking": 1},
        {"numbers": [MAIN]},
        {"isParking": True},
    ],
)
async def test_set_parking_refusals(rig: Rig, params: dict[str, object]) -> None:
    status, body = await rig.call("setParkingNumbers", params)
    assert status == 400
    assert body["error"]["message"]
    assert rig.sim.parking == set()


@pytest.mark.parametrize("method", ["transferCall", "terminateCall"])
async def test_leg_commands_need_a_live_leg(rig: Rig, method: str) -> None:
    rig.sim.parking.add(MAIN)
    await rig.sim.start_incoming_call("78124241500", MAIN)
    await rig.settle()
    parked = rig.receiver.infos()[-1]
    good = {
        "call": {"id": parked["call"]["id"], "tag": parked["call"]["tag"]},
        "transportId": parked["transportId"],
    }
    if method == "transferCall":
        good["calleeId"] = IVAN
    cases = {
        "unknown leg": {**good, "call": {"id": "nope~1o", "tag": good["call"]["tag"]}},  # type: ignore[index]
        "wrong tag": {**good, "call": {"id": parked["call"]["id"], "tag": "x"}},
        "no tag": {**good, "call": {"id": parked["call"]["id"]}},
        "wrong transport": {**good, "transportId": "10.0.0.1:5070"},
        "no transport": {k: v for k, v in good.items() if k != "transportId"},
        "no call": {k: v for k, v in good.items() if k != "call"},
        "call not an object": {**good, "call": parked["call"]["id"]},
    }
    if method == "transferCall":
        cases["no calleeId"] = {k: v for k, v in good.items() if k != "calleeId"}
        cases["empty calleeId"] = {**good, "calleeId": ""}
    for case, params in cases.items():
        status, body = await rig.call(method, params)
        assert status == 400, case
        assert body["error"]["message"], case
    status, body = await rig.call(method, good)
    assert (status, body) == (200, {"result": {"success": 1}})
    # the parked leg has moved on: the same command is refused now
    await rig.settle()
    status, body = await rig.call(method, good)
    assert status == 400
    assert "not active" in body["error"]["message"]


async def test_unknown_paths_and_methods(rig: Rig) -> None:
    assert (await rig.api("GET", "/nothingHere"))[0] == 404
    assert (await rig.api("GET", "/makeCall"))[0] == 405
    assert (await rig.api("POST", "/externalNumbersInfo"))[0] == 405
