"""The control API (`/control/…`) over HTTP, and the scenario files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mtt_simulator.scenario import Scenario, ScenarioError
from mtt_simulator.variants import VARIANTS, Variant, parse_variants

from .conftest import CALLER, IVAN, MAIN, RECEPTION, SECOND, Rig


async def _control(
    rig: Rig, method: str, path: str, body: Any = None, *, raw: bytes | None = None
) -> tuple[int, Any]:
    kwargs: dict[str, Any] = {"data": raw} if raw is not None else {"json": body}
    async with rig.session.request(
        method, f"{rig.url}/control/{path}", **kwargs
    ) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()


async def test_register_client(bare_rig: Rig) -> None:
    rig = bare_rig
    status, body = await _control(
        rig, "POST", "clients", {"redirect_uri": "https://ha.example/auth/external"}
    )
    assert status == 200
    assert set(body) == {"client_id", "client_secret"}
    assert body["client_id"] in rig.sim.oauth.clients
    status, body = await _control(
        rig,
        "POST",
        "clients",
        {
            "redirect_uri": "https://ha.example/x",
            "client_id": "fixed-id",
            "client_secret": "fixed-secret",
            "name": "Моя интеграция",
        },
    )
    assert body == {"client_id": "fixed-id", "client_secret": "fixed-secret"}
    assert rig.sim.oauth.clients["fixed-id"].name == "Моя интеграция"
    for bad in ({}, {"redirect_uri": 5}):
        assert (await _control(rig, "POST", "clients", bad))[0] == 400
    assert (await _control(rig, "POST", "clients", raw=b"{oops"))[0] == 400


async def test_state(rig: Rig) -> None:
    await rig.api("GET", "/terminalsInfo")
    rig.sim.parking.add(MAIN)
    call_id = await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.settle()
    status, state = await _control(rig, "GET", "state")
    assert status == 200
    assert set(state) == {
        "directory",
        "parking",
        "variants",
        "clients",
        "calls",
        "requests",
        "pushes",
    }
    assert state["directory"]["external_numbers"][0] == {"number": MAIN, "type": None}
    assert state["directory"]["workplaces"][0] == {
        "workplace": RECEPTION,
        "name": "Ресепшн",
    }
    assert state["parking"] == [MAIN]
    assert state["variants"] == []
    assert state["clients"] == [
        {
            "client_id": rig.client.client_id,
            "redirect_uri": rig.client.redirect_uri,
            "name": "Home Assistant",
        }
    ]
    (call,) = state["calls"]
    assert call["call_id"] == call_id
    assert call["legs"][0]["id"] == f"{call_id}~1o"
    assert call["legs"][0]["state"] == "trying"
    assert call["legs"][0]["live"] is True
    assert {"method": "terminalsInfo", "params": None, "status": 200} in state[
        "requests"
    ]
    assert state["pushes"][-1]["status"] == 200
    assert state["pushes"][-1]["body"]["result"]["callInfo"]["state"] == "trying"


async def test_incoming_answer_hangup(rig: Rig) -> None:
    rig.sim.scenario.ring_timeout = 30
    status, body = await _control(
        rig, "POST", "calls/incoming", {"from": CALLER, "to": MAIN, "workplace": IVAN}
    )
    assert status == 200
    call_id = body["call_id"]
    assert (
        await _control(rig, "POST", f"calls/{call_id}/answer", {"workplace": RECEPTION})
    )[0] == 409
    assert await _control(
        rig, "POST", f"calls/{call_id}/answer", {"workplace": IVAN}
    ) == (200, {"ok": True})
    assert (await _control(rig, "POST", f"calls/{call_id}/hangup", {"side": "x"}))[
        0
    ] == 409
    assert await _control(
        rig, "POST", f"calls/{call_id}/hangup", {"side": "workplace"}
    ) == (200, {"ok": True})
    await rig.settle()
    assert [s for s, _ in rig.receiver.states()] == [
        "trying",
        "showing",
        "connected",
        "finished",
        "recorded",
    ]
    assert rig.receiver.infos()[0]["callee"]["id"] == MAIN  # the `~1o` leg
    assert rig.receiver.infos()[1]["callee"]["id"] == IVAN
    assert (await _control(rig, "POST", f"calls/{call_id}/hangup"))[0] == 409
    assert (await _control(rig, "POST", "calls/unknown/answer", {}))[0] == 409


async def test_incoming_with_a_script(rig: Rig) -> None:
    status, body = await _control(
        rig,
        "POST",
        "calls/incoming",
        {"from": CALLER, "to": SECOND, "answer_after": 0.01, "hangup_after": 0.01},
    )
    assert status == 200
    await rig.until(lambda: len(rig.receiver.pushes) == 5)
    assert [s for s, _ in rig.receiver.states()] == [
        "trying",
        "showing",
        "connected",
        "finished",
        "recorded",
    ]
    assert rig.receiver.infos()[3]["reason"] == "Originate leg disconnected"
    assert body["call_id"] not in rig.sim.engine.calls


@pytest.mark.parametrize(
    "body",
    [{}, {"from": CALLER}, {"to": MAIN}, {"from": CALLER, "to": "74950000000"}],
)
async def test_incoming_refusals(rig: Rig, body: dict[str, str]) -> None:
    assert (await _control(rig, "POST", "calls/incoming", body))[0] == 400
    assert rig.receiver.pushes == []


async def test_incoming_ring_group(rig: Rig) -> None:
    rig.sim.scenario.ring_timeout = 30
    status, body = await _control(
        rig,
        "POST",
        "calls/incoming",
        {"from": CALLER, "to": MAIN, "workplace": [RECEPTION, IVAN]},
    )
    assert status == 200
    await rig.settle()
    assert rig.receiver.states() == [
        ("trying", "1o"),
        ("showing", "2o"),
        ("showing", "3o"),
    ]
    assert [i["callee"]["id"] for i in rig.receiver.infos()[1:]] == [RECEPTION, IVAN]
    _, state = await _control(rig, "GET", "state")
    (call,) = state["calls"]
    assert [(leg["state"], leg["live"], leg["workplace"]) for leg in call["legs"]] == [
        ("trying", False, None),  # the parking leg moved on (without a push)
        ("showing", True, RECEPTION),
        ("showing", True, IVAN),
    ]
    assert await _control(
        rig, "POST", f"calls/{body['call_id']}/answer", {"workplace": IVAN}
    ) == (200, {"ok": True})
    await rig.settle()
    assert rig.receiver.states()[3:] == [("connected", "3o")]


@pytest.mark.parametrize("workplace", [[], [1], 5, {"a": 1}])
async def test_incoming_bad_workplace(rig: Rig, workplace: Any) -> None:
    body = {"from": CALLER, "to": MAIN, "workplace": workplace}
    assert (await _control(rig, "POST", "calls/incoming", body))[0] == 400
    assert rig.receiver.pushes == []
    assert rig.sim.engine.calls == {}


async def test_variants(rig: Rig) -> None:
    status, body = await _control(
        rig, "PUT", "variants", {"variants": ["ring_group_hiding", "parking_hiding"]}
    )
    assert (status, body) == (
        200,
        {"variants": ["parking_hiding", "ring_group_hiding"]},
    )
    assert rig.sim.scenario.variants == {
        Variant.PARKING_HIDING,
        Variant.RING_GROUP_HIDING,
    }
    _, state = await _control(rig, "GET", "state")
    assert state["variants"] == ["parking_hiding", "ring_group_hiding"]
    # they act at once: a parked leg that moves on is hidden now
    rig.sim.parking.add(MAIN)
    rig.sim.scenario.parking_window = 0.01
    rig.sim.scenario.ring_timeout = 30
    await rig.sim.start_incoming_call(CALLER, MAIN)
    await rig.until(lambda: len(rig.receiver.pushes) == 3)
    assert rig.receiver.states() == [
        ("trying", "1o"),
        ("hiding", "1o"),
        ("showing", "2o"),
    ]
    assert await _control(rig, "PUT", "variants", {"variants": list(VARIANTS)}) == (
        200,
        {"variants": sorted(VARIANTS)},
    )
    assert await _control(rig, "PUT", "variants", {"variants": []}) == (
        200,
        {"variants": []},
    )
    assert rig.sim.scenario.variants == frozenset()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"variants": "parking_hiding"},
        {"variants": ["parking_hiding", "ring_hiding"]},
        {"variants": ["PARKING_HIDING"]},
        {"variants": [None]},
    ],
)
async def test_variant_refusals(rig: Rig, body: dict[str, Any]) -> None:
    rig.sim.scenario.variants = frozenset({Variant.NO_PARKING_LEG})
    status, text = await _control(rig, "PUT", "variants", body)
    assert status == 400
    assert "variant" in text
    assert rig.sim.scenario.variants == {Variant.NO_PARKING_LEG}  # unchanged


def test_variant_names() -> None:
    assert [str(v) for v in VARIANTS] == [
        "parking_hiding",
        "ring_group_hiding",
        "hiding_before_finished",
        "no_parking_leg",
    ]
    assert parse_variants(["no_parking_leg", "no_parking_leg"]) == {
        Variant.NO_PARKING_LEG
    }
    with pytest.raises(ValueError, match="unknown variant 'x'"):
        parse_variants(["x"])
    with pytest.raises(TypeError):
        parse_variants("parking_hiding")


async def test_directory(rig: Rig) -> None:
    status, body = await _control(
        rig,
        "PUT",
        "directory",
        {
            "external_numbers": [{"number": "74950000000", "type": None}],
            "workplaces": [{"workplace": "883140000000001", "name": "Склад"}],
            "terminals": [
                {"terminal": "883140000000002", "workplace": "883140000000001"}
            ],
        },
    )
    assert status == 200
    assert body["external_numbers"] == [{"number": "74950000000", "type": None}]
    await rig.settle()
    assert [p["result"]["eventType"] for p in rig.receiver.pushes] == [
        "numbersChanged",
        "workplacesChanged",
    ]
    _, terminals = await rig.api("GET", "/terminalsInfo")
    assert terminals == {
        "result": {
            "total": 1,
            "terminals_list": [
                {"terminal": "883140000000002", "workplace": "883140000000001"}
            ],
        }
    }


@pytest.mark.parametrize(
    "body",
    [
        {"external_numbers": "74950000000"},
        {"external_numbers": [{"type": None}]},
        {"workplaces": [{"name": "x"}]},
        {"terminals": [{"terminal": "1"}]},
        {"terminals": ["1"]},
    ],
)
async def test_directory_refusals(rig: Rig, body: dict[str, Any]) -> None:
    assert (await _control(rig, "PUT", "directory", body))[0] == 400
    await rig.settle()
    assert rig.receiver.pushes == []


async def test_expire_tokens(rig: Rig) -> None:
    assert (await _control(rig, "POST", "tokens/expire", {"kind": "nope"}))[0] == 400
    assert (await rig.api("GET", "/terminalsInfo"))[0] == 200
    assert await _control(rig, "POST", "tokens/expire", {"kind": "access"}) == (
        200,
        {"ok": True},
    )
    assert (await rig.api("GET", "/terminalsInfo"))[0] == 401
    form = {
        "grant_type": "refresh_token",
        "client_id": rig.client.client_id,
        "client_secret": rig.client.client_secret,
        "refresh_token": rig.refresh_token,
    }
    assert (await _control(rig, "POST", "tokens/expire", {"kind": "refresh"}))[0] == 200
    assert await rig.token(form) == (400, {"error": "invalid_grant"})


async def test_faults(rig: Rig) -> None:
    status, body = await _control(
        rig,
        "POST",
        "faults",
        {
            "api": {"status": 503, "count": 1, "methods": ["workplacesInfo"]},
            "push": {"duplicate": True, "delay": 0},
        },
    )
    assert status == 200
    assert body == {
        "api": {
            "methods": ["workplacesInfo"],
            "status": 503,
            "html": False,
            "timeout": None,
            "count": 1,
        },
        "push": {"delay": 0, "duplicate": True, "reorder": False, "drop": False},
        "records": None,
    }
    assert (await rig.api("GET", "/workPlacesInfo"))[0] == 200  # other spelling
    assert (await rig.api("GET", "/workplacesInfo"))[0] == 503
    assert (await rig.api("GET", "/workplacesInfo"))[0] == 200
    await rig.sim.edit_directory({"terminals": []})
    await rig.settle()
    assert len(rig.receiver.pushes) == 2
    assert (await _control(rig, "DELETE", "faults"))[0] == 200
    assert rig.sim.faults.api is None
    assert not rig.sim.faults.push.duplicate


@pytest.mark.parametrize(
    "body",
    [
        {"api": {"status": "503"}},
        {"api": {"status": 42}},
        {"api": {"html": "yes"}},
        {"api": {"timeout": -1}},
        {"api": {"count": 1.5}},
        {"api": {"methods": "makeCall"}},
        {"api": []},
        {"push": {"delay": "1"}},
        {"push": {"drop": 1}},
        {"push": True},
        {"records": {"status": "500"}},
        {"records": {"size": -1}},
        {"records": {"delay": -0.1}},
        {"records": {"chunk": 0}},
        {"records": {"chunked": 1}},
        {"records": {"count": 1.5}},
        {"records": {"colour": "red"}},
        {"records": []},
    ],
)
async def test_fault_refusals(rig: Rig, body: dict[str, Any]) -> None:
    assert (await _control(rig, "POST", "faults", body))[0] == 400
    assert rig.sim.faults.api is None
    assert rig.sim.faults.push.delay == 0
    assert rig.sim.faults.record is None


async def test_record_faults(rig: Rig) -> None:
    """Recording downloads can be spoilt through the control API, and cleared."""
    rig.sim.records.add("r1")
    status, body = await _control(
        rig, "POST", "faults", {"records": {"status": 500, "count": 1}}
    )
    assert status == 200
    assert body["records"] == {
        "status": 500,
        "size": None,
        "delay": 0.0,
        "chunked": False,
        "chunk": 4096,
        "count": 1,
    }
    async with rig.session.get(f"{rig.url}/records/r1.mp3") as response:
        assert response.status == 500
    async with rig.session.get(f"{rig.url}/records/r1.mp3") as response:
        assert response.status == 200
    await _control(rig, "POST", "faults", {"records": {"status": 404}})
    assert rig.sim.faults.record is not None
    status, body = await _control(rig, "POST", "faults", {"records": None})
    assert body["records"] is None
    await _control(rig, "POST", "faults", {"records": {"status": 404}})
    assert (await _control(rig, "DELETE", "faults"))[0] == 200
    assert rig.sim.faults.record is None


def test_demo_scenario() -> None:
    demo = Scenario.demo()
    assert (demo.login, demo.password) == ("demo", "demo")
    assert demo.external_numbers == [MAIN, SECOND]
    assert [w.name for w in demo.workplaces] == ["Ресепшн", "Менеджер Иван", ""]
    workplaces = {w.sip_id for w in demo.workplaces}
    assert len(demo.terminals) == 3
    assert all(t.workplace in workplaces for t in demo.terminals)
    assert not workplaces & {t.sip_id for t in demo.terminals}
    (client,) = demo.clients
    assert client.client_id == "ccb350cc-6218-40b0-b134-3d290f00b9e7"
    assert len(client.client_secret) == 22
    assert client.redirect_uri is None
    assert demo.access_token_lifetime == 7200
    assert demo.refresh_token_lifetime == 3 * 86400
    assert demo.code_lifetime == 60
    assert demo.parking_window == 5
    assert demo.answer_timeout == 60
    assert demo.push_delay == 0
    assert demo.variants == frozenset()


def test_scenario_from_dict_defaults_and_overrides() -> None:
    empty = Scenario.from_dict({})
    assert empty.external_numbers == []
    assert empty.parking_window == 5
    scenario = Scenario.from_dict(
        {
            "external_numbers": [{"number": 74950000000}],
            "workplaces": [{"workplace": "1", "name": None}],
            "routes": {"74950000000": "1"},
            "clients": [
                {"client_id": "a", "client_secret": "b", "redirect_uri": "http://x"}
            ],
            "lifetimes": {"access_token": 1, "refresh_token": 2, "code": 3},
            "parking_window": 0.1,
            "push_delay": 0.2,
            "record_calls": False,
            "variants": ["ring_group_hiding", "hiding_before_finished"],
        }
    )
    assert scenario.external_numbers == ["74950000000"]
    assert scenario.workplaces[0].name == ""
    assert scenario.routes == {"74950000000": "1"}
    assert scenario.clients[0].redirect_uri == "http://x"
    assert (
        scenario.access_token_lifetime,
        scenario.refresh_token_lifetime,
        scenario.code_lifetime,
    ) == (1, 2, 3)
    assert (scenario.parking_window, scenario.push_delay) == (0.1, 0.2)
    assert scenario.record_calls is False
    assert scenario.variants == {
        Variant.RING_GROUP_HIDING,
        Variant.HIDING_BEFORE_FINISHED,
    }
    assert empty.variants == frozenset()
    ring_group = Scenario.from_dict({"routes": {"1": ["2", 3], "4": 5}})
    assert ring_group.routes == {"1": ["2", "3"], "4": "5"}


@pytest.mark.parametrize(
    "text",
    [
        "{oops",
        "[]",
        '{"external_numbers": [{"nope": 1}]}',
        '{"workplaces": "x"}',
        '{"lifetimes": {"access_token": "long"}}',
        '{"clients": [{"client_id": "a"}]}',
        '{"variants": ["parking_hiding", "no_such_variant"]}',
        '{"variants": "parking_hiding"}',
        '{"variants": [null]}',
    ],
)
def test_bad_scenario_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError):
        Scenario.load(path)


def test_scenario_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(
        json.dumps({"external_numbers": [{"number": "1"}], "answer_timeout": 2}),
        encoding="utf-8",
    )
    loaded = Scenario.load(str(path))
    assert (loaded.external_numbers, loaded.answer_timeout) == (["1"], 2)


async def test_scenario_clients_with_a_redirect_uri_are_registered(
    socket_enabled: None,
) -> None:
    from .conftest import start_simulator

    scenario = Scenario.demo()
    scenario.clients[0].redirect_uri = "http://127.0.0.1:9/cb"
    sim, server, _ = await start_simulator(scenario)
    try:
        client = sim.oauth.clients["ccb350cc-6218-40b0-b134-3d290f00b9e7"]
        assert client.client_secret == "iNmTWpDLeYkyzkUTVuCQwa"
        assert client.redirect_uri == "http://127.0.0.1:9/cb"
        (again,) = sim.register_scenario_clients("http://127.0.0.1:9/other")
        assert again.redirect_uri == "http://127.0.0.1:9/cb"  # the file's own wins
    finally:
        await server.close()
