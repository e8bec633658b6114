"""A burst of pushes: every change is announced, the summaries are written in steps.

The active-calls, call-state and last-call sensors write a change at once when they
have been quiet, and at most every `SUMMARY_WRITE_COOLDOWN` seconds during a burst, so
a flood of pushes does not become a flood of recorded states. The events lose nothing.
"""

from __future__ import annotations

import asyncio

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
import pytest

from custom_components.mtt_business.sensor import SUMMARY_WRITE_COOLDOWN

from .conftest import HomeAssistantServer, collect_call_events, reception_push

pytestmark = pytest.mark.production_cooldown

ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
LAST = "sensor.mtt_business_7_499_649_78_03_last_call"
PBX_EVENT = "event.mtt_business_7_499_649_78_03_call"
RECEPTION_STATE = "sensor.resepshn_call_state"


def _written(hass: HomeAssistant, entity_ids: set[str]) -> dict[str, list[str]]:
    """The states written to each entity from now on."""
    written: dict[str, list[str]] = {entity_id: [] for entity_id in entity_ids}

    @callback
    def _listener(event: Event[EventStateChangedData]) -> None:
        if (entity_id := event.data["entity_id"]) in written and (
            new := event.data["new_state"]
        ):
            written[entity_id].append(new.state)

    hass.bus.async_listen(EVENT_STATE_CHANGED, _listener)
    return written


async def test_a_burst_is_summed_up_and_every_event_announced(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
) -> None:
    """20 calls ring and end in a burst: 40 events, a few summaries, the right end."""
    events_path = ha_server.events_path
    call_events = collect_call_events(hass)
    written = _written(hass, {ACTIVE, RECEPTION_STATE, PBX_EVENT, LAST})
    bodies = [reception_push(n, "showing") for n in range(20)]
    bodies += [reception_push(n, "finished") for n in range(20)]

    # The first change after a quiet spell is written at once.
    response = await ha_server.client.post(events_path, json=bodies[0])
    assert response.status == 200
    assert hass.states.get(ACTIVE).state == "1"
    assert hass.states.get(RECEPTION_STATE).state == "ringing"

    for body in bodies[1:]:
        response = await ha_server.client.post(events_path, json=body)
        assert response.status == 200
    await hass.async_block_till_done()
    await asyncio.sleep(SUMMARY_WRITE_COOLDOWN * 2)
    await hass.async_block_till_done()

    # Every push is announced, as the event and on the event entity.
    assert len(call_events) == 40
    # Per call: trying and showing (the call is new), finished and missed.
    assert len(written[PBX_EVENT]) == 20 * 4
    # The summaries end right, in a few writes rather than one per push.
    assert hass.states.get(ACTIVE).state == "0"
    assert hass.states.get(RECEPTION_STATE).state == "idle"
    assert written[ACTIVE][-1] == "0"
    assert 2 <= len(written[ACTIVE]) <= 5
    assert written[RECEPTION_STATE][-1] == "idle"
    assert len(written[RECEPTION_STATE]) <= 5
    # Last call: the first call's end at once, then the newest in a few writes.
    assert 2 <= len(written[LAST]) <= 5
    assert hass.states.get(LAST).attributes["caller"] == "+79160000019"

    # Quiet again: the next change is written at once.
    response = await ha_server.client.post(
        events_path, json=reception_push(99, "showing")
    )
    assert response.status == 200
    assert hass.states.get(ACTIVE).state == "1"
    assert hass.states.get(RECEPTION_STATE).state == "ringing"


async def test_pending_summary_is_dropped_with_the_entry(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    ha_server: HomeAssistantServer,
) -> None:
    """Unloading during a burst leaves no write behind."""
    events_path = ha_server.events_path
    for n in range(3):
        response = await ha_server.client.post(
            events_path, json=reception_push(n, "showing")
        )
        assert response.status == 200
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await asyncio.sleep(SUMMARY_WRITE_COOLDOWN * 2)
    await hass.async_block_till_done()
    assert hass.states.get(ACTIVE).state == "unavailable"
