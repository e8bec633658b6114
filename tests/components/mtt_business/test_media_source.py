"""Recorded calls in the media browser: days, calls, and what a call plays."""

from __future__ import annotations

from datetime import UTC, datetime, time as daytime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.components import media_source
from homeassistant.components.media_player import async_process_play_media_url
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mtt_business.call_journal import JournalRecord
from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.media_source import call_title
from custom_components.mtt_business.recording_archive import RecordingArchive
from mtt_simulator.app import SILENT_MP3

from .conftest import HomeAssistantServer, SimulatorServer, journal_call

RECEPTION = "883140777716581"
ROOT = "media-source://mtt_business"


@pytest.fixture
async def browser(hass: HomeAssistant, tmp_path: Path) -> None:
    """The media browser, and Home Assistant's "local" media folder.

    Set up before Home Assistant's HTTP server starts (the tests' server takes no
    new routes once started; Home Assistant's own does).
    """
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    assert await async_setup_component(hass, "media_source", {})


def _local(day_offset: int, hour: int, minute: int) -> datetime:
    """A local time `day_offset` days from today, in UTC."""
    day = dt_util.now().date() + timedelta(days=day_offset)
    moment = datetime.combine(
        day, daytime(hour, minute), dt_util.get_default_time_zone()
    )
    return moment.astimezone(UTC)


def call(n: int, started: datetime, **changes: Any) -> JournalRecord:
    """Call number `n` (its id without a leg) at `started`."""
    return journal_call(
        n, started, **({"call_id": f"c166e238a4c211ea9d37_{n:08X}"} | changes)
    )


def _day(offset: int) -> str:
    return (dt_util.now().date() + timedelta(days=offset)).isoformat()


@pytest.mark.usefixtures("browser")
async def test_days_and_calls(hass: HomeAssistant, config_entry: ConfigEntry) -> None:
    """Root → days, newest first → calls, newest first, each titled for people."""
    journal = config_entry.runtime_data.journal
    answered = call(1, _local(-2, 10, 42))
    missed = call(
        2, _local(-1, 9, 5), missed=True, answered=None, duration=0, record_url=None
    )
    outgoing = call(
        3,
        _local(-1, 11, 30),
        direction="outgoing",
        caller=RECEPTION,
        callee="+79219462761",
        callee_name="ООО «Ромашка»",
        duration=3725,
    )
    for record in (answered, missed, outgoing):
        journal.add(record)

    root = await media_source.async_browse_media(hass, ROOT)
    assert (root.title, root.media_content_id) == ("MTT Business", ROOT)
    assert [(c.title, c.can_expand) for c in root.children] == [
        (_day(-1), True),
        (_day(-2), True),
    ]
    day = await media_source.async_browse_media(hass, root.children[0].media_content_id)
    assert [(c.title, c.can_play, c.can_expand) for c in day.children] == [
        ("11:30 Ресепшн → ООО «Ромашка», 1:02:05", True, False),
        ("09:05 +7 916 123-45-67 → Ресепшн, missed", False, False),
    ]
    assert day.children[0].media_content_id == (
        f"{ROOT}/{config_entry.entry_id}/{_day(-1)}/{outgoing.call_id}"
    )
    assert day.children[0].media_content_type == "audio/mpeg"
    item = await media_source.async_browse_media(hass, day.children[0].media_content_id)
    assert item.title == day.children[0].title

    other = await media_source.async_browse_media(
        hass, root.children[1].media_content_id
    )
    assert [c.title for c in other.children] == [
        "10:42 +7 916 123-45-67 → Ресепшн, 2:31"
    ]

    hass.config.language = "ru"
    assert call_title(missed, hass.config.language) == (
        "09:05 +7 916 123-45-67 → Ресепшн, пропущен"
    )


@pytest.mark.usefixtures("browser")
async def test_several_entries(hass: HomeAssistant, config_entry: ConfigEntry) -> None:
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", title="Other office")
    other.add_to_hass(hass)
    other.mock_state(hass, ConfigEntryState.LOADED)
    config_entry.runtime_data.journal.add(call(1, _local(-1, 10, 0)))
    root = await media_source.async_browse_media(hass, ROOT)
    assert sorted(c.title for c in root.children) == sorted(
        [config_entry.title, "Other office"]
    )
    mine = next(c for c in root.children if c.title == config_entry.title)
    days = await media_source.async_browse_media(hass, mine.media_content_id)
    assert [c.title for c in days.children] == [_day(-1)]


@pytest.mark.usefixtures("browser")
async def test_plays_the_archived_copy(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    ha_server: HomeAssistantServer,
    tmp_path: Path,
) -> None:
    """Archived: played from Home Assistant (a signed link), not from MTT."""
    simulator.simulator.records.add("r1")
    record = call(1, _local(-1, 10, 42), record_url=f"{simulator.url}/records/r1.mp3")
    journal = config_entry.runtime_data.journal
    journal.add(record)
    archive = RecordingArchive(hass, config_entry.entry_id)
    recording = await archive.async_archive(record)
    assert recording is not None
    journal.set_recording(record.call_id, recording)
    media_id = f"{ROOT}/{config_entry.entry_id}/{_day(-1)}/{record.call_id}"

    played = await media_source.async_resolve_media(hass, media_id, None)
    assert played.mime_type == "audio/mpeg"
    assert played.url == (
        f"/api/mtt_business/recordings/{recording.removeprefix('mtt_business/')}"
    )
    assert played.path == tmp_path / "media" / recording
    signed = async_process_play_media_url(hass, played.url, allow_relative_url=True)
    response = await ha_server.client.get(signed)
    assert response.status == 200
    assert response.content_type == "audio/mpeg"
    assert await response.read() == SILENT_MP3
    assert (await ha_server.client.get(played.url)).status == 401  # not signed

    # the copy deleted by hand: MTT's link again
    await hass.async_add_executor_job((tmp_path / "media" / recording).unlink)
    played = await media_source.async_resolve_media(hass, media_id, None)
    assert played.url == record.record_url


@pytest.mark.usefixtures("browser")
async def test_plays_the_provider_link(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    record = call(1, _local(-1, 10, 42))
    config_entry.runtime_data.journal.add(record)
    played = await media_source.async_resolve_media(
        hass, f"{ROOT}/{config_entry.entry_id}/{_day(-1)}/{record.call_id}", None
    )
    assert (played.url, played.mime_type) == (record.record_url, "audio/mpeg")


@pytest.mark.usefixtures("browser")
async def test_what_cannot_be_played(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    missed = call(2, _local(-1, 9, 5), missed=True, record_url=None)
    config_entry.runtime_data.journal.add(missed)
    entry_id = config_entry.entry_id
    cases = {
        f"{entry_id}/{_day(-1)}/{missed.call_id}": "recording_unavailable",
        f"{entry_id}/{_day(-1)}/no-such-call": "unknown_call_record",
        f"{entry_id}/{_day(-1)}": "media_not_found",
        f"{entry_id}/yesterday/x": "media_not_found",
        f"nope/{_day(-1)}/x": "unknown_entry",
    }
    for identifier, key in cases.items():
        with pytest.raises(media_source.Unresolvable) as err:
            await media_source.async_resolve_media(hass, f"{ROOT}/{identifier}", None)
        assert err.value.translation_key == key, identifier
    with pytest.raises(BrowseError) as browse_err:
        await media_source.async_browse_media(hass, f"{ROOT}/{entry_id}/someday")
    assert browse_err.value.translation_key == "media_not_found"

    assert await hass.config_entries.async_unload(entry_id)
    with pytest.raises(BrowseError) as browse_err:
        await media_source.async_browse_media(hass, f"{ROOT}/{entry_id}")
    assert browse_err.value.translation_key == "entry_not_loaded"
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.children == []


@pytest.mark.usefixtures("browser")
async def test_the_view_serves_only_archived_recordings(
    hass: HomeAssistant, ha_server: HomeAssistantServer
) -> None:
    await media_source.async_browse_media(hass, ROOT)  # the view is registered
    for path in (
        "2026-03-05/missing.mp3",
        "2026-03-05/..%2F..%2Fsecrets.yaml",
        "..%2F.storage/auth",
    ):
        signed = async_process_play_media_url(
            hass, f"/api/mtt_business/recordings/{path}", allow_relative_url=True
        )
        assert (await ha_server.client.get(signed)).status == 404, path
