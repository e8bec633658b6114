"""Recorded calls in the media browser: days, calls, and what a call plays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time as daytime, timedelta
from pathlib import Path
import re
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

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.journal_record import JournalRecord, WorkplaceTalk
from custom_components.mtt_business.media_source import call_title, day_title
from custom_components.mtt_business.recording_archive import RecordingArchive
from mtt_simulator.app import SILENT_MP3

from .conftest import HomeAssistantServer, SimulatorServer, journal_call

RECEPTION = "883140777716581"
IVAN = "883140777828305"
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


def _day_title(offset: int, language: str = "en") -> str:
    return day_title(dt_util.now().date() + timedelta(days=offset), language)


async def test_day_titles_name_the_day_and_its_time_zone(hass: HomeAssistant) -> None:
    """A day as people read it, in Home Assistant's zone, which the title names."""
    await hass.config.async_set_time_zone("Europe/Moscow")
    assert day_title(date(2026, 12, 7), "en") == "7 December 2026 (UTC+3)"
    assert day_title(date(2026, 12, 7), "ru") == "7 декабря 2026 (UTC+3)"
    assert day_title(date(2026, 5, 1), "ru-RU") == "1 мая 2026 (UTC+3)"
    await hass.config.async_set_time_zone("Europe/Berlin")  # summer time counts
    assert day_title(date(2026, 1, 31), "en") == "31 January 2026 (UTC+1)"
    assert day_title(date(2026, 7, 31), "en") == "31 July 2026 (UTC+2)"
    await hass.config.async_set_time_zone("Asia/Kolkata")
    assert day_title(date(2026, 3, 8), "de") == "8 March 2026 (UTC+5:30)"
    await hass.config.async_set_time_zone("America/New_York")
    assert day_title(date(2026, 3, 5), "en") == "5 March 2026 (UTC-5)"
    await hass.config.async_set_time_zone("UTC")
    assert day_title(date(2026, 3, 5), "ru") == "5 марта 2026 (UTC)"


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
        (_day_title(-1), True),
        (_day_title(-2), True),
    ]
    assert root.children[0].media_content_id == (
        f"{ROOT}/{config_entry.entry_id}/{_day(-1)}"
    )
    day = await media_source.async_browse_media(hass, root.children[0].media_content_id)
    assert day.title == _day_title(-1)
    # the missed call has no recording: not listed
    assert [(c.title, c.can_play, c.can_expand) for c in day.children] == [
        ("11:30 Ресепшн → ООО «Ромашка», 1:02:05", True, False),
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
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.children[0].title == _day_title(-1, "ru")
    assert re.fullmatch(r"\d+ [а-я]+ \d{4} \(UTC[-+:\d]*\)", root.children[0].title)


@pytest.mark.usefixtures("browser")
async def test_only_calls_with_a_recording_are_listed(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Calls without a recording are left out, and so is a day with none of them."""
    journal = config_entry.runtime_data.journal
    journal.add(call(1, _local(-1, 9, 0), record_url=None))  # never recorded
    journal.add(call(2, _local(-1, 9, 30), missed=True, record_url=None))
    journal.add(call(3, _local(-2, 9, 0), record_url=None))
    archived = call(
        4, _local(-2, 10, 0), record_url=None, recording="mtt_business/x/4.mp3"
    )
    journal.add(archived)
    root = await media_source.async_browse_media(hass, ROOT)
    assert [c.title for c in root.children] == [_day_title(-2)]
    day = await media_source.async_browse_media(hass, root.children[0].media_content_id)
    assert [(c.title, c.can_play) for c in day.children] == [
        ("10:00 +7 916 123-45-67 → Ресепшн, 2:31", True)
    ]
    # a day whose calls have no recording, opened by its id: nothing to list
    nothing = await media_source.async_browse_media(
        hass, f"{ROOT}/{config_entry.entry_id}/{_day(-1)}"
    )
    assert nothing.children == []


@pytest.mark.usefixtures("browser")
async def test_a_transferred_call_names_each_workplace(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    started = _local(-1, 10, 42)
    talks = tuple(
        WorkplaceTalk(
            workplace=sip,
            workplace_name=name,
            answered=started + timedelta(seconds=at),
            seconds=seconds,
        )
        for sip, name, at, seconds in (
            (RECEPTION, "Ресепшн", 5, 40),
            (IVAN, "Менеджер Иван", 50, 111),
        )
    )
    transferred = call(
        1, started, workplace=IVAN, workplace_name="Менеджер Иван", talks=talks
    )
    config_entry.runtime_data.journal.add(transferred)
    day = await media_source.async_browse_media(
        hass, f"{ROOT}/{config_entry.entry_id}/{_day(-1)}"
    )
    assert [c.title for c in day.children] == [
        "10:42 +7 916 123-45-67 → Ресепшн → Менеджер Иван, 2:31"
    ]


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
    assert [c.title for c in days.children] == [_day_title(-1)]


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
@pytest.mark.parametrize("language", ["en", "ru"])
async def test_what_cannot_be_played(
    hass: HomeAssistant, config_entry: ConfigEntry, language: str
) -> None:
    """Each case its own translated message, in Home Assistant's language, no ids."""
    hass.config.language = language
    expired_start = dt_util.utcnow() - timedelta(days=90, minutes=1)  # still kept
    never = call(1, _local(-1, 9, 5), missed=True, record_url=None)
    expired = call(2, expired_start)
    archive_gone = call(3, expired_start, recording="mtt_business/gone/3.mp3")
    journal = config_entry.runtime_data.journal
    for record in (never, expired, archive_gone):
        journal.add(record)
    entry_id = config_entry.entry_id
    expired_day = dt_util.as_local(expired_start).date().isoformat()
    cases = {
        f"{entry_id}/{_day(-1)}/{never.call_id}": "call_not_recorded",
        f"{entry_id}/{expired_day}/{expired.call_id}": "recording_expired",
        f"{entry_id}/{expired_day}/{archive_gone.call_id}": "recording_archive_missing",
        f"{entry_id}/{_day(-1)}/no-such-call": "unknown_call_record",
        f"{entry_id}/{_day(-1)}": "media_not_found",
        f"{entry_id}/yesterday/x": "media_not_found",
        f"nope/{_day(-1)}/x": "media_unknown_entry",
    }
    messages: dict[str, str] = {}
    for identifier, key in cases.items():
        with pytest.raises(media_source.Unresolvable) as err:
            await media_source.async_resolve_media(hass, f"{ROOT}/{identifier}", None)
        assert err.value.translation_key == key, identifier
        messages[key] = str(err.value)
    with pytest.raises(BrowseError) as browse_err:
        await media_source.async_browse_media(hass, f"{ROOT}/{entry_id}/someday")
    assert browse_err.value.translation_key == "media_not_found"
    messages["browse"] = str(browse_err.value)

    assert await hass.config_entries.async_unload(entry_id)
    with pytest.raises(BrowseError) as browse_err:
        await media_source.async_browse_media(hass, f"{ROOT}/{entry_id}")
    assert browse_err.value.translation_key == "media_entry_not_loaded"
    messages["not_loaded"] = str(browse_err.value)
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.children == []

    label = (
        f"{_day_title(-1, language).split(' (')[0]} 09:05, +7 916 123-45-67 → Ресепшн"
    )
    assert label in messages["call_not_recorded"]
    assert config_entry.title in messages["not_loaded"]
    for key, message in messages.items():
        assert entry_id not in message, key
        assert not re.search(
            r"[0-9a-f]{16}|_[0-9A-F]{8}|nope|someday|yesterday", message
        )
        assert message != key and not message.startswith(("unknown_", "media_")), key
        if language == "ru":  # no English left (product names aside)
            names = {"Home", "Assistant", *re.findall(r"\w+", config_entry.title)}
            words = set(re.findall(r"[A-Za-z]+", message)) - names
            assert not words, (key, message)
    assert len(set(messages.values())) == len(messages) - 1  # browse: "no such" too
    if language == "en":
        assert messages["call_not_recorded"].startswith("The call “")
        assert "90 days" in messages["recording_expired"]
        assert "archived copy is missing" in messages["recording_archive_missing"]
    else:
        assert messages["call_not_recorded"].startswith("У вызова «")
        assert "90 дней" in messages["recording_expired"]
        assert "архивной копии нет" in messages["recording_archive_missing"]


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
