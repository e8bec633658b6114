"""Recordings archived into Home Assistant's media folder, downloaded from the simulator."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time as daytime, timedelta
import logging
from pathlib import Path
import time
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.mtt_business.journal_record import JournalRecord
from custom_components.mtt_business.recording_archive import (
    CONF_ARCHIVE_RECORDINGS,
    RecordingArchive,
    recording_file,
    recording_name,
)
from mtt_simulator.app import SILENT_MP3
from mtt_simulator.faults import RecordFault

from .conftest import SimulatorServer, journal_call

RECEPTION = "883140777716581"
EXTERNAL = "74996497803"
FAST = (0.05, 0.1, 0.1)


@pytest.fixture
def media(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's "local" media folder, in the test's own folder."""
    folder = tmp_path / "media"
    hass.config.media_dirs = {"local": str(folder)}
    return folder


@pytest.fixture
async def archiving(hass: HomeAssistant, config_entry: ConfigEntry) -> ConfigEntry:
    """The entry with archiving turned on, as a user does: Configure → Recordings."""
    assert not config_entry.options.get(CONF_ARCHIVE_RECORDINGS, False)
    flow = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert "recordings" in flow["menu_options"]
    form = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "recordings"}
    )
    assert form["step_id"] == "recordings"
    await hass.config_entries.options.async_configure(
        form["flow_id"], {CONF_ARCHIVE_RECORDINGS: True}
    )
    assert config_entry.options[CONF_ARCHIVE_RECORDINGS] is True
    return config_entry


def _archive(
    hass: HomeAssistant, entry: ConfigEntry, **options: Any
) -> RecordingArchive:
    return RecordingArchive(hass, entry.entry_id, **({"retry_delays": FAST} | options))


def _started() -> datetime:
    """Yesterday at 10:42:17, local time."""
    yesterday = dt_util.now().date() - timedelta(days=1)
    local = datetime.combine(
        yesterday, daytime(10, 42, 17), dt_util.get_default_time_zone()
    )
    return local.astimezone(UTC)


def _record(simulator: SimulatorServer, name: str = "r1") -> JournalRecord:
    """A call yesterday whose recording the simulator serves."""
    simulator.simulator.records.add(name)
    return journal_call(
        1,
        _started(),
        call_id="7NKe6!8fa1FMS1c6ypZdb1GSV6ZN@10.133.51.137",
        record_url=f"{simulator.url}/records/{name}.mp3",
    )


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


async def _archived(
    hass: HomeAssistant,
    entry: ConfigEntry,
    archive: RecordingArchive,
    record: JournalRecord,
) -> JournalRecord | None:
    """Archive in the background as the integration does; the call as then kept.

    The call history writes the path the download gives into the journal (as it
    does for a real call: `test_a_call_through_the_pbx`).
    """
    journal = entry.runtime_data.journal
    journal.add(record)
    download = archive.async_archive_in_background(entry, record)
    if download is not None and (recording := await download) is not None:
        journal.set_recording(record.call_id, recording)
    await hass.async_block_till_done(wait_background_tasks=True)
    kept: JournalRecord | None = journal.get(record.call_id)
    return kept


async def test_recording_is_archived(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
) -> None:
    """The mp3 lands in the media folder under the call's day; the journal points at it."""
    record = _record(simulator)
    kept = await _archived(hass, archiving, _archive(hass, archiving), record)
    day = dt_util.as_local(record.started).date().isoformat()
    name = (
        f"mtt_business/{day}/"
        "10-42-17_79161234567_7NKe6_8fa1FMS1c6ypZdb1GSV6ZN_10.133.51.137.mp3"
    )
    assert recording_name(record) == name
    assert kept is not None
    assert kept.recording == name
    assert _files(media) == [media / name]
    assert (media / name).read_bytes() == SILENT_MP3
    assert recording_file(hass, name) == media / name


async def test_off_unless_the_entry_says_so(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
) -> None:
    kept = await _archived(
        hass, config_entry, _archive(hass, config_entry), _record(simulator)
    )
    assert kept is not None
    assert kept.recording is None
    assert not await hass.async_add_executor_job(media.exists)


async def test_without_local_media_folder(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    tmp_path: Path,
) -> None:
    """No "local" media directory configured: Home Assistant's config/media."""
    hass.config.media_dirs = {}
    hass.config.config_dir = str(tmp_path)
    record = _record(simulator)
    kept = await _archived(hass, archiving, _archive(hass, archiving), record)
    assert kept is not None
    assert kept.recording is not None
    path = tmp_path / "media" / kept.recording
    assert await hass.async_add_executor_job(path.read_bytes) == SILENT_MP3


async def test_5xx_then_success(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider failing twice: the third attempt keeps the recording."""
    simulator.simulator.faults.record = RecordFault(status=500, count=2)
    kept = await _archived(
        hass, archiving, _archive(hass, archiving), _record(simulator)
    )
    assert kept is not None
    assert kept.recording is not None
    assert (media / kept.recording).read_bytes() == SILENT_MP3
    assert simulator.simulator.faults.record.count == 0
    assert "not archived" not in caplog.text


async def test_gives_up_after_the_retries(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.simulator.faults.record = RecordFault(status=503, count=10)
    with caplog.at_level(logging.WARNING):
        kept = await _archived(
            hass, archiving, _archive(hass, archiving), _record(simulator)
        )
    assert kept is not None
    assert kept.recording is None
    assert simulator.simulator.faults.record.count == 6  # 1 + 3 retries
    warnings = [
        r.getMessage() for r in caplog.records if "not archived" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert "HTTP 503 at each of 4 attempts" in warnings[0]
    assert _files(media) == []


@pytest.mark.parametrize("status", [404, 410, 403])
async def test_gone_is_not_asked_again(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    simulator.simulator.faults.record = RecordFault(status=status, count=5)
    kept = await _archived(
        hass, archiving, _archive(hass, archiving), _record(simulator)
    )
    assert kept is not None
    assert kept.recording is None
    assert simulator.simulator.faults.record.count == 4  # one download only
    assert f"HTTP {status}" in caplog.text
    assert _files(media) == []


async def test_not_a_recording_is_not_kept(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A link to something else than audio (pushes are not authenticated)."""
    record = replace(_record(simulator), record_url=f"{simulator.url}/control/state")
    kept = await _archived(hass, archiving, _archive(hass, archiving), record)
    assert kept is not None
    assert kept.recording is None
    assert "not a recording: application/json" in caplog.text
    assert _files(media) == []


@pytest.mark.parametrize("chunked", [True, False])
async def test_oversized_recording_is_not_kept(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
    caplog: pytest.LogCaptureFixture,
    chunked: bool,
) -> None:
    """Over the bound, with or without a Content-Length: nothing left on disk."""
    simulator.simulator.faults.record = RecordFault(
        size=400_000, chunked=chunked, count=5
    )
    archive = _archive(hass, archiving, max_bytes=150_000)
    kept = await _archived(hass, archiving, archive, _record(simulator))
    assert kept is not None
    assert kept.recording is None
    assert "larger than 150000 bytes" in caplog.text
    assert simulator.simulator.faults.record.count == 4  # not asked again
    assert _files(media) == []


async def test_unload_during_download_leaves_no_file(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
) -> None:
    simulator.simulator.faults.record = RecordFault(
        size=400_000, delay=0.05, chunk=16_384
    )
    journal = archiving.runtime_data.journal
    record = _record(simulator)
    journal.add(record)
    download = _archive(hass, archiving).async_archive_in_background(archiving, record)
    assert download is not None
    deadline = time.monotonic() + 5
    while not await hass.async_add_executor_job(_files, media):
        assert time.monotonic() < deadline, "the download did not start"
        await asyncio.sleep(0.02)
    (part,) = await hass.async_add_executor_job(_files, media)
    assert part.name.startswith(".") and part.name.endswith(".mp3.part")
    assert await hass.config_entries.async_unload(archiving.entry_id)
    assert await hass.async_add_executor_job(_files, media) == []
    assert download.cancelled()  # no path to write into the journal
    assert journal.get(record.call_id).recording is None


async def test_a_call_through_the_pbx(
    hass: HomeAssistant,
    archiving: ConfigEntry,
    simulator: SimulatorServer,
    media: Path,
) -> None:
    """A real call through the PBX: journaled when it ends, archived when recorded."""
    journal = archiving.runtime_data.journal
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await sim.answer(call_id)
    await sim.hang_up(call_id)
    await sim.wait_pushed()
    await hass.async_block_till_done(wait_background_tasks=True)

    (kept,) = journal.page()[0]
    assert (kept.caller, kept.workplace_name, kept.missed) == (
        "+79161234567",
        "Ресепшн",
        False,
    )
    assert kept.record_url is not None
    assert kept.record_url.startswith(f"{simulator.url}/records/")
    assert kept.recording is not None
    assert (media / kept.recording).read_bytes() == SILENT_MP3


async def test_file_names_are_safe(hass: HomeAssistant, media: Path) -> None:
    """Whatever the push said, the name stays in the archive's folder."""
    started = datetime(2026, 3, 5, 18, 42, 17, tzinfo=UTC)  # 10:42:17 US/Pacific
    hostile = JournalRecord(
        call_id="../../.storage/auth~1o/..",
        direction=None,
        caller=None,
        callee=None,
        started=started,
        ended=started,
    )
    name = recording_name(hostile)
    assert name == "mtt_business/2026-03-05/10-42-17_unknown_storage_auth_1o.mp3"
    assert recording_file(hass, name) == media / name
    for path in (
        "../secrets.yaml",
        "mtt_business/2026-03-05/../../secrets.mp3",
        "mtt_business/2026-03-05/.hidden.mp3",
        "/etc/passwd",
        "mtt_business/2026-03-05/x.wav",
        "other/2026-03-05/x.mp3",
    ):
        assert recording_file(hass, path) is None, path
