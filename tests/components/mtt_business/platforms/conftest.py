"""The fast layer: one platform of an entry, without the simulator or any HTTP.

The entry is a `MockConfigEntry` signed in with a valid OAuth token; the API client
that setup builds (`auth.create_client`) is replaced by an autospec of
`MttBusinessClient` that answers with the simulator's demo directory, built from the
demo scenario with the API's models. Pushes are fed to the function the push
receiver hands every parsed push to (`async_dispatch_notification`), so everything
from the parsed push on runs as in production: the platform under test is never
mocked. The parent folder's autouse fixtures apply here too (every entity enabled,
summaries written per push).

The simulator suite beside this folder stays as the integration tests (real HTTP,
OAuth, the documented sequences under every variant); this layer tests one platform
in seconds.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from functools import partial
import time
from typing import Any
from unittest.mock import AsyncMock, create_autospec, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.mtt_business import PLATFORMS
from custom_components.mtt_business.api import MttBusinessClient, parse_notification
from custom_components.mtt_business.api.models import (
    ExternalNumber,
    PbxDirectory,
    Terminal,
    Workplace,
)
from custom_components.mtt_business.config_flow import account_title
from custom_components.mtt_business.const import CONF_REDIRECT_URI, DOMAIN
from custom_components.mtt_business.push_receiver import async_dispatch_notification
from custom_components.mtt_business.redirect_uri import async_get_redirect_uri
from mtt_simulator.scenario import Scenario

START = "2026-03-02T09:00:00+00:00"
"""The frozen clock's start (a Monday, 12:00 in Moscow), as the simulator suite's."""

CLIENT_ID = "ccb350cc-6218-40b0-b134-3d290f00b9e7"
"""The demo scenario's client id: the entry's unique id."""

CALLER = "79161234567"
EXTERNAL = "74996497803"
RECEPTION = "883140777716581"
CALL_ID = "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7"
TRANSPORT = "10.133.33.136:5073"
RECORD_URL = "https://records.example/c166e238a4c211ea9d37.mp3"


def demo_directory() -> PbxDirectory:
    """What the simulator's demo PBX answers to the directory's three reads."""
    demo = Scenario.demo()
    return PbxDirectory(
        external_numbers=tuple(ExternalNumber(n) for n in demo.external_numbers),
        workplaces=tuple(Workplace(w.sip_id, w.name) for w in demo.workplaces),
        terminals=tuple(Terminal(t.sip_id, t.workplace) for t in demo.terminals),
    )


type SnapshotEntities = Callable[[], Awaitable[None]]
"""Matches every entity of the entry (registry entry and state) with the snapshots."""


@pytest.fixture
def platforms(request: pytest.FixtureRequest) -> list[Platform]:
    """The test file's `PLATFORM` only (every platform where it names none)."""
    platform: Platform | None = getattr(request.module, "PLATFORM", None)
    return PLATFORMS if platform is None else [platform]


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot extension, written to this folder's `snapshots/`."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def client() -> AsyncMock:
    """The API client: of `MttBusinessClient`'s spec, answering the demo PBX."""
    mock = create_autospec(MttBusinessClient, instance=True)
    mock.directory.return_value = demo_directory()
    mock.make_call.return_value = "SDa1b2c3-0123456789abcdef@127.0.0.1"
    return mock


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    client: AsyncMock,
    platforms: list[Platform],
) -> AsyncIterator[MockConfigEntry]:
    """The demo PBX's entry, loaded with `platforms` only (signed in at `START`)."""
    freezer.move_to(START)
    hass.config.external_url = "https://ha.example.org"
    assert await async_setup_component(hass, DOMAIN, {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(CLIENT_ID, "secret", "Demo"), DOMAIN
    )
    redirect_uri = (await async_get_redirect_uri(hass)).url(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=account_title(demo_directory()),
        unique_id=CLIENT_ID,
        data={
            "auth_implementation": DOMAIN,
            "token": {
                "access_token": "access-token",
                "refresh_token": "refresh-token",
                "token_type": "Bearer",
                "expires_in": 7200,
                "expires_at": time.time() + 7200,
            },
            CONF_REDIRECT_URI: redirect_uri,
        },
    )
    entry.add_to_hass(hass)
    with (
        patch("custom_components.mtt_business.PLATFORMS", platforms),
        patch(
            "custom_components.mtt_business.create_client", return_value=client
        ) as create_client,
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        create_client.assert_called_once()
        yield entry


async def async_push(hass: HomeAssistant, payload: dict[str, Any]) -> None:
    """One push as the receiver hands it on once parsed, then handled and written.

    The summary sensors write through a `Debouncer` (cooldown 0 in tests) whose
    timer never fires while the clock stands still: it is fired here.
    """
    async_dispatch_notification(hass, parse_notification(payload))
    await hass.async_block_till_done()
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


def _leg(
    number: int, state: str, callee: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A documented incoming call's push: leg `~<number>o` of `CALL_ID` in `state`."""
    info = {
        "call": {"id": f"{CALL_ID}~{number}o", "tag": f"tag{number}____.o"},
        "callee": callee,
        "caller": {
            "accountId": f"{CALLER}@pstn",
            "displayId": CALLER,
            "forwarderList": [],
            "id": CALLER,
        },
        "startTime": "2026-03-02 12:00:00",
        "state": state,
        "transportId": TRANSPORT,
        "type": "incoming",
    }
    return {"event": "callNotifications", "result": {"callInfo": info | extra}}


def _reception(name_key: str = "displayName") -> dict[str, Any]:
    """Reception as the callee of the workplace leg (`display_name` when finished)."""
    return {
        "accountId": RECEPTION,
        "centrexId": "67821426",
        "displayId": RECEPTION,
        name_key: EXTERNAL,
        "forwarderList": [],
        "id": RECEPTION,
    }


async def async_answered_incoming_call(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The documented answered incoming call, as the simulator plays it by default.

    The caller dials the external number (parking leg `~1o`: `trying`), Reception
    rings (`~2o`: `showing`), answers 5 s later (`connected`), hangs up 42 s later
    (`finished`), and the recording arrives (`recorded`).
    """
    external = {
        "accountId": EXTERNAL,
        "centrexId": "67821426",
        "displayId": EXTERNAL,
        "displayName": "",
        "forwarderList": [],
        "id": EXTERNAL,
    }
    await async_push(hass, _leg(1, "trying", external))
    await async_push(hass, _leg(2, "showing", _reception()))
    freezer.tick(timedelta(seconds=5))
    await async_push(hass, _leg(2, "connected", _reception()))
    freezer.tick(timedelta(seconds=42))
    finished = _leg(
        2,
        "finished",
        _reception("display_name"),
        duration=42,
        reason="Answer leg disconnected",
        reasonCode=None,
    )
    del finished["result"]["callInfo"]["startTime"]
    await async_push(hass, finished)
    recorded = {
        "accountId": RECEPTION,
        "call": {"id": f"{CALL_ID}~2o"},
        "state": "recorded",
        "urlRecord": RECORD_URL,
    }
    await async_push(
        hass, {"event": "callNotifications", "result": {"callInfo": recorded}}
    )


@pytest.fixture
def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    entry: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> SnapshotEntities:
    """Core's `snapshot_platform` for the entry (its one platform)."""
    return partial(snapshot_platform, hass, entity_registry, snapshot, entry.entry_id)


def entry_states(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, State | None]:
    """The state of each of the entry's entities, by entity id."""
    registered = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    return {
        entity_id: hass.states.get(entity_id)
        for entity_id in sorted(e.entity_id for e in registered)
    }


@pytest.fixture
async def states_after_answered_call(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> dict[str, State | None]:
    """Each entity's state, by entity id, once the answered call has been played."""
    await async_answered_incoming_call(hass, freezer)
    return entry_states(hass, entry)
