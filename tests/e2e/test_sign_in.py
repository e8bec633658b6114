"""A newcomer's path, end to end, through real processes on loopback.

Starts the simulator and a real `hass`, logs in to Home Assistant, adds MTT Business
through the REST config-flow API, signs in on the simulator's login page as a browser
would, and checks that the entry is loaded and the PBX and its workplaces exist as
devices. The processes are ended whatever happens.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from running_instance import RunningInstance


@pytest.mark.timeout(300)
async def test_sign_in_and_see_the_pbx(tmp_path: Path, socket_enabled: None) -> None:
    async with (
        RunningInstance(tmp_path) as running,
        aiohttp.ClientSession() as session,
    ):
        await running.login(session)
        result = await running.add_integration(session)
        assert result["type"] == "create_entry", result
        entry = result["result"]
        assert entry["title"].startswith("MTT Business +7")
        assert entry["state"] == "loaded"

        devices = await running.websocket(
            session, {"type": "config/device_registry/list"}
        )
        ours = [d for d in devices if entry["entry_id"] in d["config_entries"]]
        state = await _simulator_state(session, running)
        workplaces = state["directory"]["workplaces"]
        names = {d["name"] for d in ours}
        assert entry["title"] in names
        for workplace in workplaces:
            assert (workplace.get("name") or workplace["workplace"]) in names
        assert len(ours) == len(workplaces) + 1

    for process_log in ("simulator.log", "homeassistant.log"):
        assert (tmp_path / process_log).exists()


async def _simulator_state(
    session: aiohttp.ClientSession, running: RunningInstance
) -> dict[str, object]:
    assert running.instance is not None
    async with session.get(f"{running.instance.simulator_url}/control/state") as resp:
        state: dict[str, object] = await resp.json()
        return state
