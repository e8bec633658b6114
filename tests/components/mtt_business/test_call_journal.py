"""The call journal: ended calls kept across restarts, bounded, paged newest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.mtt_business.call_journal import CallJournal
from custom_components.mtt_business.journal_record import (
    JournalRecord,
    WorkplaceTalk,
)

from .conftest import journal_call

ENTRY_ID = "01JOURNALENTRY"
KEY = f"mtt_business.journal.{ENTRY_ID}"
RECEPTION = "883140777716581"
T0 = datetime(2026, 3, 5, 7, 42, 17, tzinfo=UTC)
"""10:42:17 in Moscow."""


def call(n: int, *, at: datetime = T0, **changes: Any) -> JournalRecord:
    """Call number `n`: it starts `n` minutes after `at` and lasts 2:36."""
    return journal_call(n, at + timedelta(minutes=n), **changes)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def journal(
    hass: HomeAssistant, clock: Clock | None = None, **options: Any
) -> CallJournal:
    return CallJournal(
        hass, ENTRY_ID, clock=clock or Clock(T0 + timedelta(days=1)), **options
    )


async def _written(hass: HomeAssistant, seconds: float = 11) -> None:
    """Time passes: the delayed writes are done."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done()


def _ids(records: list[JournalRecord]) -> list[str]:
    return [r.call_id for r in records]


def _chunk_keys(hass_storage: dict[str, Any]) -> list[str]:
    return sorted(k for k in hass_storage if k.startswith(f"{KEY}."))


async def test_calls_are_kept_across_a_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """What was added is there, unchanged, after Home Assistant starts again."""
    first = journal(hass)
    await first.async_load()
    calls = [call(n) for n in range(3)]
    calls[1] = call(1, missed=True, answered=None, duration=0, record_url=None)
    calls[2] = call(
        2,
        direction="outgoing",
        caller=RECEPTION,
        routed_to=RECEPTION,
        callee="+79219462761",
        caller_name="Ресепшн",
        callee_name="ООО «Ромашка»",
        routing="transfer",
        recording="mtt_business/2026-03-05/10-44-17_79161234567_c.mp3",
    )
    for record in calls:
        first.add(record)
    assert KEY not in hass_storage  # nothing written on the event path
    await _written(hass)

    again = journal(hass)
    await again.async_load()
    assert len(again) == 3
    assert again.page() == (calls[::-1], None)
    assert again.get(calls[1].call_id) == calls[1]
    assert hass_storage[KEY]["data"]["chunks"] == [0]
    # the file holds each call as `as_dict` gives it, one per line
    assert hass_storage[f"{KEY}.0"]["data"]["calls"] == [r.as_dict() for r in calls]


IVAN = "883140777828305"


def transferred(n: int) -> JournalRecord:
    """Call `n`: 40 s at the reception, then 111 s at Ivan's (transferred)."""
    record = call(n)
    return call(
        n,
        workplace=IVAN,
        workplace_name="Менеджер Иван",
        talks=(
            WorkplaceTalk(
                workplace=RECEPTION,
                workplace_name="Ресепшн",
                answered=record.started + timedelta(seconds=5),
                seconds=40,
            ),
            WorkplaceTalk(
                workplace=IVAN,
                workplace_name="Менеджер Иван",
                answered=record.started + timedelta(seconds=45),
                seconds=111,
            ),
        ),
    )


async def test_talks_per_workplace_are_kept_and_older_records_read(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A transfer's talks survive a restart; a call stored before talks has none."""
    record = transferred(1)
    data = record.as_dict()
    assert data["talks"][0] == {
        "workplace": RECEPTION,
        "workplace_name": "Ресепшн",
        "answered": "2026-03-05T07:43:22+00:00",
        "seconds": 40,
    }
    assert JournalRecord.from_dict(data) == record

    before = call(2).as_dict()
    del before["talks"]  # as the journal stored calls before it kept talks
    hass_storage[KEY] = {"version": 1, "data": {"chunks": [0], "next": 1}}
    hass_storage[f"{KEY}.0"] = {
        "version": 1,
        "data": {
            "calls": [
                before,
                data,
                dict(data, call_id="a", talks="40 s"),
                dict(data, call_id="b", talks=[{"workplace": RECEPTION}]),
                dict(data, call_id="c", talks=[dict(data["talks"][0], seconds=-1)]),
            ]
        },
    }
    kept = journal(hass)
    await kept.async_load()
    assert kept.page()[0] == [record, call(2)]
    old = kept.get(call(2).call_id)
    assert old is not None
    assert old.talks == ()  # all of its 2:31 at its workplace


async def test_pages_newest_first_with_a_cursor(hass: HomeAssistant) -> None:
    """Pages cover every call once, newest first, across stored chunks."""
    kept = journal(hass, chunk_size=3)
    await kept.async_load()
    calls = [call(n) for n in range(10)]
    for record in calls:
        kept.add(record)
    newest_first = _ids(calls[::-1])

    seen: list[str] = []
    cursor: str | None = None
    sizes = []
    while True:
        page, cursor = kept.page(cursor, 4)
        seen += _ids(page)
        sizes.append(len(page))
        if cursor is None:
            break
    assert sizes == [4, 4, 2]
    assert seen == newest_first
    # a page that ends exactly at the oldest call says there is no more
    assert kept.page(newest_first[5], 4) == (calls[3::-1], None)
    assert kept.page(None, 10) == (calls[::-1], None)
    assert kept.page(newest_first[-1], 4) == ([], None)
    assert kept.page("no such call", 4) == ([], None)
    with pytest.raises(ValueError, match="limit"):
        kept.page(None, 0)


async def test_empty_journal(hass: HomeAssistant) -> None:
    kept = journal(hass)
    await kept.async_load()
    assert len(kept) == 0
    assert kept.page() == ([], None)
    assert kept.days() == []
    assert kept.get("x") is None
    assert kept.set_record_url("x", "https://r/x.mp3") is None


async def test_at_most_max_calls(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """The oldest calls go; emptied chunks leave the disk too."""
    kept = journal(hass, max_calls=5, chunk_size=2)
    await kept.async_load()
    calls = [call(n) for n in range(12)]
    for record in calls:
        kept.add(record)
    assert len(kept) == 5
    assert kept.page(None, 50) == (calls[:6:-1], None)
    assert kept.get(calls[0].call_id) is None
    await _written(hass)
    # calls 7..11 are in chunks 3 (7), 4 (8, 9), 5 (10, 11)
    assert _chunk_keys(hass_storage) == [f"{KEY}.3", f"{KEY}.4", f"{KEY}.5"]
    assert hass_storage[KEY]["data"] == {"chunks": [3, 4, 5], "next": 6}

    again = journal(hass, max_calls=3, chunk_size=2)
    await again.async_load()  # a lower bound applies on load
    assert _ids(again.page()[0]) == _ids(calls[:8:-1])


async def test_at_most_90_days(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    clock = Clock(T0 + timedelta(days=1))
    kept = journal(hass, clock, chunk_size=2)
    await kept.async_load()
    old = [call(n) for n in range(3)]
    for record in old:
        kept.add(record)
    clock.now = T0 + timedelta(days=90, minutes=4)
    recent = call(100, at=clock.now - timedelta(minutes=100))
    kept.add(recent)  # the first two calls are now past 90 days
    assert _ids(kept.page()[0]) == _ids([recent, old[2]])
    await _written(hass)

    clock.now = T0 + timedelta(days=90, minutes=5)
    again = journal(hass, clock, chunk_size=2)
    await again.async_load()  # so is the third, when the journal is loaded
    assert again.page() == ([recent], None)
    await _written(hass)
    assert hass_storage[KEY]["data"]["chunks"] == [1]


async def test_a_write_rewrites_only_the_newest_chunk(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Adding a call to a long journal writes one short file, not the journal.

    Also at the bound, where each call drops the oldest: the oldest chunk's file is
    left as it is, and the dropped call stays dropped when the journal is read.
    """
    kept = journal(hass, chunk_size=10, max_calls=95)
    await kept.async_load()
    calls = [call(n) for n in range(96)]
    for record in calls[:95]:
        kept.add(record)
    await _written(hass)
    before = {key: hass_storage[key] for key in _chunk_keys(hass_storage)}
    assert len(before) == 10

    kept.add(calls[95])  # drops call 0
    await _written(hass)
    rewritten = [key for key, data in before.items() if hass_storage[key] is not data]
    assert rewritten == [f"{KEY}.9"]
    assert len(hass_storage[f"{KEY}.9"]["data"]["calls"]) == 6

    again = journal(hass, chunk_size=10, max_calls=95)
    await again.async_load()
    assert again.page(None, 100) == (calls[:0:-1], None)


async def test_a_busy_pbx_does_not_put_the_write_off(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A call ending every few seconds still gets written within the delay."""
    kept = journal(hass, save_delay=10)
    await kept.async_load()
    kept.add(call(0))
    for n in range(1, 4):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3 * n))
        await hass.async_block_till_done()
        kept.add(call(n))
    assert f"{KEY}.0" not in hass_storage
    await _written(hass, 10.5)
    assert len(hass_storage[f"{KEY}.0"]["data"]["calls"]) >= 1


async def test_recording_link_and_archived_copy(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """A late `recorded` push and the archive finishing are kept with the call."""
    kept = journal(hass)
    await kept.async_load()
    record = call(1, record_url=None)
    kept.add(record)
    assert kept.set_record_url("unknown call", "https://r/x.mp3") is None
    updated = kept.set_record_url(record.call_id, "https://r/1.mp3")
    assert updated is not None
    assert updated.record_url == "https://r/1.mp3"
    path = "mtt_business/2026-03-05/10-43-17_79161234567_c.mp3"
    assert kept.set_recording(record.call_id, path) is not None
    # the same call added again (a repeated end) keeps its link and copy
    kept.add(call(1, record_url=None, duration=152))
    await _written(hass)

    again = journal(hass)
    await again.async_load()
    stored = again.get(record.call_id)
    assert stored is not None
    assert (stored.record_url, stored.recording, stored.duration) == (
        "https://r/1.mp3",
        path,
        152,
    )
    assert len(again) == 1


async def test_unreadable_calls_are_skipped_and_logged_once(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = [call(n).as_dict() for n in range(3)]
    hass_storage[KEY] = {"version": 1, "data": {"chunks": [0, 1, 7], "next": 8}}
    hass_storage[f"{KEY}.0"] = {
        "version": 1,
        "data": {
            "calls": [
                good[0],
                {"call_id": "x"},  # no times
                dict(good[1], started="yesterday"),
                dict(good[1], direction="sideways"),
                dict(good[1], duration=True),
                dict(good[1], started="2026-03-05T10:00:00"),  # no time zone
                "not a call",
                good[1],
                good[1],  # twice
            ]
        },
    }
    hass_storage[f"{KEY}.1"] = {"version": 1, "data": {"calls": [good[2], 5]}}
    hass_storage[f"{KEY}.7"] = {"version": 1, "data": "not a chunk"}
    kept = journal(hass)
    with caplog.at_level(logging.WARNING):
        await kept.async_load()
    assert [r.as_dict() for r in kept.page()[0]] == good[::-1]
    warnings = [r for r in caplog.records if "journal" in r.getMessage()]
    assert len(warnings) == 1
    assert "skipped 8 stored calls" in warnings[0].getMessage()
    await hass.async_block_till_done()
    assert f"{KEY}.7" not in hass_storage  # nothing readable was left in it


async def test_a_newer_journal_is_left_alone(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Written by a newer version (then downgraded): read what can be, destroy none.

    An unreadable chunk stays on disk and in the index; an unreadable index means
    this session's calls are kept in memory only.
    """
    good = call(1).as_dict()
    newer = {"version": 2, "data": {"calls": [call(2).as_dict()]}}
    hass_storage[KEY] = {"version": 1, "data": {"chunks": [0, 1], "next": 2}}
    hass_storage[f"{KEY}.0"] = newer
    hass_storage[f"{KEY}.1"] = {"version": 1, "data": {"calls": [good]}}
    kept = journal(hass, chunk_size=1)
    await kept.async_load()
    assert [r.as_dict() for r in kept.page()[0]] == [good]
    assert "Part of the call journal cannot be read" in caplog.text
    kept.add(call(3))
    await _written(hass)
    assert hass_storage[KEY]["data"] == {"chunks": [0, 1, 2], "next": 3}
    assert hass_storage[f"{KEY}.0"] == newer

    hass_storage[KEY] = newer_index = {"version": 2, "data": {"chunks": [0]}}
    again = journal(hass)
    await again.async_load()
    assert len(again) == 0
    again.add(call(4))
    assert len(again) == 1
    await _written(hass)
    await again.async_flush()
    assert hass_storage[KEY] == newer_index
    assert hass_storage[f"{KEY}.0"] == newer
    assert "keeps calls until Home Assistant stops" in caplog.text


async def test_days_and_calls_of_a_day_in_local_time(hass: HomeAssistant) -> None:
    await hass.config.async_set_time_zone("Europe/Moscow")
    kept = journal(hass)
    await kept.async_load()
    evening = datetime(2026, 3, 4, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    calls = [call(0, at=evening), call(45, at=evening), call(60 * 26, at=evening)]
    for record in calls:
        kept.add(record)
    assert kept.days() == [date(2026, 3, 6), date(2026, 3, 5), date(2026, 3, 4)]
    assert kept.records_on(date(2026, 3, 5)) == [calls[1]]
    assert kept.records_on(date(2026, 3, 4)) == [calls[0]]
    assert kept.records_on(date(2026, 3, 1)) == []


async def test_removed_with_the_entry(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    kept = journal(hass, chunk_size=2)
    await kept.async_load()
    for n in range(5):
        kept.add(call(n))
    await _written(hass)
    assert len(_chunk_keys(hass_storage)) == 3
    await journal(hass).async_remove()  # as async_remove_entry does
    assert not [k for k in hass_storage if k.startswith(KEY)]


async def test_flush_writes_at_once_and_closes(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Unloading writes what is pending; a change after it is not taken."""
    kept = journal(hass, chunk_size=2)
    await kept.async_load()
    for n in range(3):
        kept.add(call(n))
    await kept.async_flush()
    assert hass_storage[KEY]["data"]["chunks"] == [0, 1]
    assert len(hass_storage[f"{KEY}.1"]["data"]["calls"]) == 1
    kept.add(call(3))
    assert kept.set_recording(call(0).call_id, "x.mp3") is None
    await _written(hass)
    assert len(hass_storage[f"{KEY}.1"]["data"]["calls"]) == 1


# --- a record from the call tracker ---------------------------------------------
