"""Snapshots of what users see: diagnostics, entities, devices and a call's states.

They guard "behaviour unchanged": a refactoring that changes a name, a unique id,
a device class, a translation key, an option, a state or an attribute fails here.
Regenerate with `pytest --snapshot-update` only for a change that is meant, and
read the diff of `snapshots/test_snapshots.ambr` before committing it.

Values that differ from run to run are made stable: the clock is frozen (and moved
on by hand between the steps of a call), and the random values of a run (the OAuth
client id that the entry's unique id is, the call id, the PBX's leg tag and
transport id, the recording's address) are written as `<placeholders>` by
`_Placeholders`. Entry, device and entity registry ids are left out by Home
Assistant's own snapshot extension.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.types import PropertyPath

from .conftest import HomeAssistantServer, SimulatorServer

CALLER = "79161234567"
EXTERNAL = "74996497803"
START = "2026-03-02T09:00:00+00:00"
"""The frozen clock's start (a Monday, 12:00 in Moscow)."""

# Frozen from before Home Assistant starts (the marker makes `freezer` the first
# fixture), so the OAuth token's expiry and every timestamp are the same each run.
# aiohttp's access log reads the real clock: frozen, it cannot tell its time zone.
pytestmark = pytest.mark.freeze_time(START, ignore=["aiohttp.web_log"])


@dataclass
class _Placeholders:
    """A syrupy matcher: each random value of the run, wherever it appears in a
    string, is written as its placeholder (`<call_id>`, …)."""

    values: dict[str, str]
    """Random value -> placeholder."""

    def __call__(self, *, data: Any, path: PropertyPath) -> Any:
        if not isinstance(data, str):
            return data
        replaced = data
        for value in sorted(self.values, key=len, reverse=True):
            replaced = replaced.replace(value, self.values[value])
        return data if replaced == data else replaced


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot extension (states, registry entries, `snapshots/`).

    The plugin's own `snapshot` fixture of that name loses to syrupy's.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
async def diagnostics_component(hass: HomeAssistant) -> None:
    """Set up diagnostics before Home Assistant's HTTP server starts.

    Its views cannot be registered once the server runs (`ha_server` starts it).
    """
    assert await async_setup_component(hass, "diagnostics", {})


@pytest.fixture
async def entry(diagnostics_component: None, config_entry: ConfigEntry) -> ConfigEntry:
    """The demo PBX's entry (signed in at `START`), with diagnostics available."""
    return config_entry


async def _settle(hass: HomeAssistant, simulator: SimulatorServer) -> None:
    """The pushes sent, handled, and the summary sensors written.

    A summary sensor writes through a `Debouncer` (cooldown 0 in tests), whose timer
    the event loop never fires while the clock stands still: it is fired here.
    """
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _placeholders(entry: ConfigEntry, **values: object) -> _Placeholders:
    """The entry's OAuth client id (its unique id) and the given random values.

    `call_id="…"` is written `<call_id>`; a value that is not a string (a key that
    is missing, None) is left out.
    """
    known = {str(entry.unique_id): "<client_id>"}
    known.update(
        {value: f"<{name}>" for name, value in values.items() if isinstance(value, str)}
    )
    return _Placeholders(known)


def _state(hass: HomeAssistant, entity_id: str) -> State:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state


def _entry_states(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, entry: ConfigEntry
) -> dict[str, State | None]:
    """Every entity's state of the entry, by entity id."""
    return {
        registered.entity_id: hass.states.get(registered.entity_id)
        for registered in sorted(
            er.async_entries_for_config_entry(entity_registry, entry.entry_id),
            key=lambda registered: registered.entity_id,
        )
    }


async def test_diagnostics_during_a_call(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    simulator: SimulatorServer,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """The diagnostics of an entry while an answered call goes on."""
    call_id = await simulator.simulator.start_incoming_call(CALLER, EXTERNAL)
    await _settle(hass, simulator)
    freezer.tick(timedelta(seconds=5))
    await simulator.simulator.answer(call_id)
    await _settle(hass, simulator)

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    text = json.dumps(diagnostics)
    secret = ha_server.redirect_uri.rsplit("/", 1)[1]
    assert secret not in text
    token = entry.data["token"]
    assert token["access_token"] not in text
    assert token["refresh_token"] not in text
    assert CALLER not in text  # the caller's number is personal data
    (call,) = diagnostics["active_calls"]
    assert diagnostics == snapshot(
        matcher=_placeholders(entry, call_id=call_id, leg_tag=call["leg"]["tag"])
    )


async def test_diagnostics_redact_the_redirect_uri_secret(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    entry: ConfigEntry,
    ha_server: HomeAssistantServer,
    snapshot: SnapshotAssertion,
) -> None:
    """Wherever the Redirect URI turns up (here in an option), its secret is hidden.

    Nothing the integration stores holds the Redirect URI today, so it is put into
    the entry's options to show that it would be redacted.
    """
    events_path = ha_server.events_path
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "note": f"pushes go to {events_path}"}
    )
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert diagnostics["entry"] == snapshot


@pytest.mark.default_entities
async def test_entities_and_devices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every entity (event, sensor, switch) and device of the demo PBX, at rest,
    as a fresh install registers them (some disabled: they have no state).

    As `snapshot_platform` does, for all the entry's platforms at once.
    """
    matching = snapshot.with_defaults(matcher=_placeholders(entry))
    registered = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert {r.domain for r in registered} == {
        "binary_sensor",
        "button",
        "event",
        "sensor",
        "switch",
        "todo",
    }
    for entity_entry in registered:
        assert entity_entry == matching(name=f"{entity_entry.entity_id}-entry")
        if entity_entry.disabled_by is not None:
            assert hass.states.get(entity_entry.entity_id) is None
            continue
        state = _state(hass, entity_entry.entity_id)
        assert state == matching(name=f"{entity_entry.entity_id}-state")

    devices = sorted(
        dr.async_entries_for_config_entry(device_registry, entry.entry_id),
        key=lambda device: (device.via_device_id is not None, device.name or ""),
    )
    assert devices == matching(name="devices")


async def test_states_of_an_answered_incoming_call(
    hass: HomeAssistant,
    entry: ConfigEntry,
    simulator: SimulatorServer,
    entity_registry: er.EntityRegistry,
    freezer: FrozenDateTimeFactory,
    snapshot: SnapshotAssertion,
) -> None:
    """A caller dials the PBX's number, Reception answers, talks, hangs up.

    The states are taken while Reception rings, once it answered (5 s later), and
    after it hung up (42 s later) and the recording arrived: then Last call shows it.
    """
    sim = simulator.simulator
    call_id = await sim.start_incoming_call(CALLER, EXTERNAL)
    await _settle(hass, simulator)
    assert _state(hass, "sensor.resepshn_call_state").state == "ringing"

    ringing = _entry_states(hass, entity_registry, entry)
    assert ringing == snapshot(
        name="ringing", matcher=_placeholders(entry, call_id=call_id)
    )

    freezer.tick(timedelta(seconds=5))
    await sim.answer(call_id)
    await _settle(hass, simulator)
    assert _state(hass, "sensor.resepshn_call_state").state == "talking"

    answered = _entry_states(hass, entity_registry, entry)
    assert answered == snapshot(
        name="answered", matcher=_placeholders(entry, call_id=call_id)
    )

    freezer.tick(timedelta(seconds=42))
    await sim.hang_up(call_id, "workplace")
    await _settle(hass, simulator)
    event = _state(hass, "event.resepshn_call")
    assert event.attributes["event_type"] == "recorded"
    record_url = event.attributes["record_url"]
    assert record_url.startswith(simulator.url)

    ended = _entry_states(hass, entity_registry, entry)
    assert ended == snapshot(
        name="ended",
        matcher=_placeholders(entry, call_id=call_id, record_url=record_url),
    )
