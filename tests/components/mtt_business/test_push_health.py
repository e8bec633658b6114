"""Knowing that pushes arrive: the Redirect URI's page, push figures, repair issues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_mock_restore_state_shutdown_restart,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.push_health import PUSH_HEALTH_WRITE_COOLDOWN

from .conftest import HomeAssistantServer, SimulatorServer, async_settle, entity_id_of

RECEPTION = "883140777716581"


def _issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def _advance(hass: HomeAssistant, seconds: float) -> None:
    """Run what is due `seconds` from now (the clock is not frozen: tokens work).

    Not cumulative: each call counts from the real time of the call.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_the_redirect_uri_answers_the_portals_check(
    hass: HomeAssistant, ha_server: HomeAssistantServer, method: str
) -> None:
    """The portal checks that the Redirect URI answers before it accepts it."""
    path = URL(ha_server.redirect_uri).path
    response = await ha_server.client.request(method, path)
    assert response.status == 200
    if method == "GET":
        page = await response.text()
        assert "MTT Business address (Redirect URI)" in page
        assert "Это адрес MTT Business" in page
    wrong = path[:-4] + "xxxx"
    assert (await ha_server.client.request(method, wrong)).status == 404


async def test_push_figures_follow_the_pushes(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """Pushes received counts the entry's pushes; Last push says when; both in steps."""
    pushes = entity_id_of(hass, config_entry, "sensor", "pushes_received")
    last = entity_id_of(hass, config_entry, "sensor", "last_push")
    problem = entity_id_of(hass, config_entry, "binary_sensor", "push_problem")
    assert hass.states.get(pushes).state == "0"
    assert hass.states.get(last).state == "unknown"
    assert hass.states.get(problem).state == STATE_OFF

    sim = simulator.simulator
    sim.scenario.ring_timeout = 10**6
    call_id = await sim.start_incoming_call("79161234567", "74996497803")
    await sim.wait_pushed()
    await hass.async_block_till_done()
    # The first push is shown at once...
    assert hass.states.get(pushes).state != "0"
    assert hass.states.get(last).state != "unknown"
    first = hass.states.get(last).state
    shown = int(hass.states.get(pushes).state)
    # ...the next ones at the end of the cool-down, all counted.
    await sim.answer(call_id)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(pushes).state == str(shown)
    await _advance(hass, PUSH_HEALTH_WRITE_COOLDOWN + 1)
    assert hass.states.get(pushes).state == str(len(sim.pushes))
    assert hass.states.get(last).state >= first  # (a timestamp in whole seconds)


@pytest.mark.freeze_time("2026-03-02T09:00:00+00:00", ignore=["aiohttp.web_log"])
async def test_last_push_is_written_once_a_minute_and_kept_across_restarts(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Last push changes with every push: it is written at once after a quiet
    minute, else at the end of the minute with the newest time; and after a restart
    it shows the push from before, not Unknown."""
    last = entity_id_of(hass, config_entry, "sensor", "last_push")
    start = dt_util.utcnow()
    written: list[str] = []

    @callback
    def _written(event: Event[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None:
            written.append(state.state)

    async_track_state_change_event(hass, [last], _written)

    async def _tick(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()

    sim = simulator.simulator
    sim.scenario.ring_timeout = 10**6
    call_id = await sim.start_incoming_call("79161234567", "74996497803")
    await async_settle(hass, simulator)
    assert written == [start.isoformat()]  # the first push: at once

    await _tick(20)
    await sim.answer(call_id)
    await async_settle(hass, simulator)
    await _tick(PUSH_HEALTH_WRITE_COOLDOWN + 1)
    assert written == [start.isoformat()]  # 31 s after the last write: not yet
    await _tick(30)
    answered = (start + timedelta(seconds=20)).isoformat()
    assert written == [start.isoformat(), answered]  # the newest, after the minute

    await _tick(120)  # a quiet minute (and more): the next push is written at once
    await sim.hang_up(call_id)
    await async_settle(hass, simulator)
    ended = (start + timedelta(seconds=181)).isoformat()
    assert written == [start.isoformat(), answered, ended]

    # A restart: the states saved at the stop are loaded at the start.
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await async_mock_restore_state_shutdown_restart(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(last).state == ended
    pushes = entity_id_of(hass, config_entry, "sensor", "pushes_received")
    assert hass.states.get(pushes).state == "0"  # (since Home Assistant started)


async def test_a_call_without_pushes_raises_a_repair_that_clears(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    ha_server: HomeAssistantServer,
) -> None:
    """make_call with no push within a minute: problem on, repair; a push clears both."""
    problem = entity_id_of(hass, config_entry, "binary_sensor", "push_problem")
    issue_id = f"pushes_not_arriving_{config_entry.entry_id}"
    sim = simulator.simulator
    sim.faults.push.drop = True
    await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": RECEPTION, "callee_id": "89219462761"},
        blocking=True,
        return_response=True,
    )
    await sim.wait_pushed()
    await _advance(hass, 59)
    assert hass.states.get(problem).state == STATE_OFF
    assert _issue(hass, issue_id) is None
    await _advance(hass, 61)
    assert hass.states.get(problem).state == STATE_ON
    assert hass.states.get(problem).attributes["reasons"] == ["no_push_after_call"]
    issue = _issue(hass, issue_id)
    assert issue is not None
    assert issue.translation_key == "pushes_not_arriving"
    # The text names what to check: the Redirect URI and the portal.
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["redirect_uri"] == ha_server.redirect_uri
    assert issue.translation_placeholders["portal"] == "https://lk.mtt.ru"

    sim.faults.push.drop = False
    await sim.start_incoming_call("79161234567", "74996497803")
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get(problem).state == STATE_OFF
    assert _issue(hass, issue_id) is None


async def test_a_call_with_pushes_raises_nothing(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """The usual case: the call's pushes come, and a minute later all is quiet."""
    problem = entity_id_of(hass, config_entry, "binary_sensor", "push_problem")
    await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": RECEPTION, "callee_id": "89219462761"},
        blocking=True,
        return_response=True,
    )
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    await _advance(hass, 120)
    assert hass.states.get(problem).state == STATE_OFF
    assert _issue(hass, f"pushes_not_arriving_{config_entry.entry_id}") is None


async def _fix(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, issue_id: str
) -> dict[str, Any]:
    """Run an issue's fix flow as the frontend does: open it, then submit."""
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200, await response.text()
    form = await response.json()
    assert form["step_id"] == "confirm"
    response = await client.post(f"/api/repairs/issues/fix/{form['flow_id']}", json={})
    assert response.status == 200, await response.text()
    return form


async def test_a_changed_redirect_uri_is_repaired(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    hass_client: ClientSessionGenerator,
) -> None:
    """A new host: problem on, a repair shows the new Redirect URI; fixed when pasted."""
    problem = entity_id_of(hass, config_entry, "binary_sensor", "push_problem")
    issue_id = f"redirect_uri_changed_{config_entry.entry_id}"
    assert config_entry.data["redirect_uri"] == ha_server.redirect_uri
    assert _issue(hass, issue_id) is None

    await hass.config.async_update(external_url="https://new.example.com")
    await hass.async_block_till_done()
    new = "https://new.example.com" + URL(ha_server.redirect_uri).path
    issue = _issue(hass, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["redirect_uri"] == new
    assert issue.translation_placeholders["registered"] == ha_server.redirect_uri
    assert hass.states.get(problem).state == STATE_ON
    assert hass.states.get(problem).attributes["reasons"] == ["redirect_uri_changed"]

    # Going back to the registered address clears it by itself.
    await hass.config.async_update(external_url=ha_server.url)
    await hass.async_block_till_done()
    assert _issue(hass, issue_id) is None
    assert hass.states.get(problem).state == STATE_OFF

    # The user moves for good, pastes the new one in the portal and confirms.
    await hass.config.async_update(external_url="https://new.example.com")
    await hass.async_block_till_done()
    form = await _fix(hass, hass_client, issue_id)
    assert form["description_placeholders"]["redirect_uri"] == new
    await hass.async_block_till_done()
    assert config_entry.data["redirect_uri"] == new
    assert _issue(hass, issue_id) is None
    assert hass.states.get(problem).state == STATE_OFF


async def test_a_failing_refresh_near_the_tokens_end_is_raised(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
) -> None:
    """Renewal keeps failing and the refresh token ends within a day: a repair says so."""
    issue_id = f"refresh_token_expiring_{config_entry.entry_id}"
    sim = simulator.simulator
    sim.faults.set_api_fault(methods=["token"], status=503)
    directory = config_entry.runtime_data.directory

    def tokens_issued(ago: timedelta) -> None:
        """As if Home Assistant had last renewed its tokens `ago` (off since)."""
        token = config_entry.data["token"]
        issued = dt_util.utcnow().timestamp() - ago.total_seconds()
        hass.config_entries.async_update_entry(
            config_entry,
            data={
                **config_entry.data,
                "token": {**token, "expires_in": 7200, "expires_at": issued + 7200},
            },
        )

    # Three hours after a renewal the refresh token has days left: no issue.
    tokens_issued(timedelta(hours=3))
    await directory.async_refresh()
    assert not directory.last_update_success
    assert _issue(hass, issue_id) is None

    # Two and a half days after it, it ends within a day: the issue names when.
    tokens_issued(timedelta(days=2.5))
    await directory.async_refresh()
    issue = _issue(hass, issue_id)
    assert issue is not None
    assert issue.translation_key == "refresh_token_expiring"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["expires"]

    # The token endpoint works again: the renewal clears the issue.
    sim.faults.api = None
    await directory.async_refresh()
    assert directory.last_update_success
    assert _issue(hass, issue_id) is None
