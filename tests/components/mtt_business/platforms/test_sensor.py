"""The sensors of the demo PBX, at rest and after an answered call."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from syrupy.assertion import SnapshotAssertion

from .conftest import SnapshotEntities

PLATFORM = Platform.SENSOR


async def test_sensors(snapshot_entities: SnapshotEntities) -> None:
    """Every sensor: its registry entry and its state at rest."""
    await snapshot_entities()


async def test_sensors_after_an_answered_call(
    hass: HomeAssistant,
    states_after_answered_call: dict[str, State | None],
    snapshot: SnapshotAssertion,
) -> None:
    """Reception answered, talked 42 s, hung up: counted, timed, Last call shows it.

    As the simulator suite's `test_states_of_an_answered_incoming_call[ended]`
    (but Pushes received: it is written at most every 10 s, see push_health.py).
    """
    assert hass.states.get("sensor.resepshn_call_state").state == "idle"
    assert hass.states.get("sensor.resepshn_talk_time_today").state == "42"
    assert states_after_answered_call == snapshot
