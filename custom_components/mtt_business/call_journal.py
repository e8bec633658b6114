"""The journal of ended calls of one entry, kept across restarts: its queries.

The journal keeps each ended call's `JournalRecord` (`journal_record.py`) for the
last 90 days (the provider keeps recordings that long), at most 10,000: the oldest
are dropped when a call is added and when the journal is loaded. It is stored in
chunks by `JournalStore` (`journal_store.py`); this module finds calls in it (by
call id, a page before a cursor, the days that have calls, the calls of a day) and
changes them (a call added, its recording's link or archived copy set).

Adding a call runs once per ended call, on the event path: it does no I/O and costs
the same whatever the journal holds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import chain
import logging
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .journal_record import JournalRecord
from .journal_store import CHUNK_SIZE, SAVE_DELAY, JournalChunk, JournalStore

_LOGGER = logging.getLogger(__name__)

MAX_CALLS: Final = 10_000
KEEP: Final = timedelta(days=90)
"""How long a call is kept (the provider keeps its recording as long)."""


class CallJournal:
    """The ended calls of one entry, newest last."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        max_calls: int = MAX_CALLS,
        keep: timedelta = KEEP,
        chunk_size: int = CHUNK_SIZE,
        save_delay: float = SAVE_DELAY,
        clock: Callable[[], datetime] = dt_util.utcnow,
    ) -> None:
        """The journal of entry `entry_id` (empty until loaded)."""
        self._store = JournalStore(hass, entry_id, chunk_size, save_delay)
        self._chunks = self._store.chunks
        self._max_calls = max_calls
        self._keep = keep
        self._clock = clock
        self._where: dict[str, tuple[JournalChunk, int]] = {}
        """Each call's chunk and place in it (counting the calls dropped from it)."""
        self._closed = False
        self._today: date | None = None
        """The local date `_calls_today` counts (None: not counted yet)."""
        self._calls_today: dict[str, int] = {}
        """Incoming calls that started on `_today`, per caller."""

    async def async_load(self) -> None:
        """Read the stored journal (then drop what is past the bounds).

        What cannot be read is left out and logged: the entry starts anyway.
        """
        await self._store.async_load()
        where = self._where
        for chunk in self._chunks:
            for place, record in enumerate(chunk.records):
                where[record.call_id] = (chunk, place)
        self._drop_old()

    # --- changes ----------------------------------------------------------------

    @callback
    def add(self, record: JournalRecord) -> None:
        """Keep an ended call (written a little later, off the event path).

        A call already in the journal is updated in place; a link or archived copy
        it had is kept if the new record has none.
        """
        if self._closed:
            _LOGGER.debug(
                "The call journal is closed: call %s not kept", record.call_id
            )
            return
        if (found := self._locate(record.call_id)) is not None:
            chunk, at = found
            old = chunk.records[at]
            self._update(
                chunk,
                at,
                replace(
                    record,
                    record_url=record.record_url or old.record_url,
                    recording=record.recording or old.recording,
                ),
            )
            return
        self._where[record.call_id] = self._store.append(record)
        self._drop_old()
        if self._today is not None and _incoming_on(record, self._today):
            caller = record.caller or ""
            self._calls_today[caller] = self._calls_today.get(caller, 0) + 1

    @callback
    def set_record_url(self, call_id: str, url: str) -> JournalRecord | None:
        """The provider's recording of a call is ready; the call as now kept.

        None when the call is not in the journal.
        """
        return self._relink(call_id, lambda old: replace(old, record_url=url))

    @callback
    def set_recording(self, call_id: str, recording: str) -> JournalRecord | None:
        """The recording of a call was archived at `recording` (a media path)."""
        return self._relink(call_id, lambda old: replace(old, recording=recording))

    def _relink(
        self, call_id: str, relinked: Callable[[JournalRecord], JournalRecord]
    ) -> JournalRecord | None:
        """A kept call with another link or archived copy (None: not kept)."""
        if (found := self._find(call_id)) is None:
            return None
        chunk, at = found
        return self._update(chunk, at, relinked(chunk.records[at]))

    def _find(self, call_id: str) -> tuple[JournalChunk, int] | None:
        """Where a call to change is (None: not kept, or the journal is closed)."""
        if self._closed:
            _LOGGER.debug("The call journal is closed: call %s not changed", call_id)
            return None
        return self._locate(call_id)

    def _locate(self, call_id: str) -> tuple[JournalChunk, int] | None:
        """A call's chunk and position in it."""
        if (where := self._where.get(call_id)) is None:
            return None
        chunk, place = where
        return chunk, place - chunk.dropped

    def _update(
        self, chunk: JournalChunk, at: int, new: JournalRecord
    ) -> JournalRecord:
        if new != chunk.records[at]:
            self._store.replace(chunk, at, new)
        return new

    def _drop_old(self) -> None:
        """Drop the oldest calls past the bounds (number of calls, age).

        The store keeps them on disk until their chunk is written for another
        change, or removed; reading the journal drops them again.
        """
        cutoff = self._clock() - self._keep
        chunks = self._chunks
        while chunks:
            first = chunks[0]
            records = first.records
            kept = len(self._where)
            drop = 0
            while drop < len(records) and (
                kept - drop > self._max_calls or records[drop].ended < cutoff
            ):
                drop += 1
            if not drop:
                return
            for record in records[:drop]:
                del self._where[record.call_id]
            self._store.drop_oldest(drop)
            if records:
                return

    # --- reading ----------------------------------------------------------------

    def __len__(self) -> int:
        """How many calls the journal holds."""
        return len(self._where)

    def get(self, call_id: str) -> JournalRecord | None:
        """A call of the journal."""
        if (found := self._locate(call_id)) is None:
            return None
        chunk, at = found
        return chunk.records[at]

    def page(
        self, before: str | None = None, limit: int = 50
    ) -> tuple[list[JournalRecord], str | None]:
        """Up to `limit` calls, newest first, and the cursor of the next page.

        `before` is the cursor a page gave (opaque: the page continues after that
        call); None starts with the newest call. The next page's cursor is None when
        no older call is left. A cursor of a call dropped since gives an empty page.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        chunks = self._chunks
        if not chunks:
            return [], None
        if before is None:
            at = len(chunks) - 1
            end = len(chunks[at].records)
        else:
            if (found := self._locate(before)) is None:
                return [], None
            chunk, end = found
            at = _chunk_index(chunks, chunk)
        calls: list[JournalRecord] = []
        while True:
            records = chunks[at].records
            start = max(0, end - (limit - len(calls)))
            calls.extend(reversed(records[start:end]))
            older = start > 0 or at > 0  # every chunk kept holds a call
            if not older:
                return calls, None
            if len(calls) == limit:
                return calls, calls[-1].call_id
            at -= 1
            end = len(chunks[at].records)

    def days(self, having: Callable[[JournalRecord], bool] | None = None) -> list[date]:
        """The local dates that have calls (`having`: such calls), newest first."""
        as_local = dt_util.as_local
        return sorted(
            {
                as_local(record.started).date()
                for record in self._records()
                if having is None or having(record)
            },
            reverse=True,
        )

    def records_on(self, day: date) -> list[JournalRecord]:
        """The calls that started on a local date, newest first."""
        as_local = dt_util.as_local
        return sorted(
            (r for r in self._records() if as_local(r.started).date() == day),
            key=lambda r: r.started,
            reverse=True,
        )

    def calls_today_from(self, caller: str | None) -> int:
        """How many incoming calls from `caller` the journal has that started today.

        Counted once a day over the journal, then kept up as calls are added: a
        lookup per push, whatever the journal holds.
        """
        today = dt_util.now().date()
        if self._today != today:
            self._today = today
            counts: dict[str, int] = {}
            for record in self._records():
                if _incoming_on(record, today):
                    key = record.caller or ""
                    counts[key] = counts.get(key, 0) + 1
            self._calls_today = counts
        return self._calls_today.get(caller or "", 0)

    def _records(self) -> Iterator[JournalRecord]:
        return chain.from_iterable(chunk.records for chunk in self._chunks)

    # --- the entry's life -------------------------------------------------------

    async def async_flush(self) -> None:
        """Write every change now (the entry unloads): no change is taken after."""
        self._closed = True
        await self._store.async_flush()

    async def async_remove(self) -> None:
        """Forget the journal and its files (the entry was removed)."""
        self._closed = True
        await self._store.async_remove()
        self._where.clear()


def _incoming_on(record: JournalRecord, day: date) -> bool:
    return (
        record.direction == "incoming"
        and dt_util.as_local(record.started).date() == day
    )


def _chunk_index(chunks: deque[JournalChunk], chunk: JournalChunk) -> int:
    for index in range(len(chunks) - 1, -1, -1):
        if chunks[index] is chunk:
            return index
    raise LookupError(chunk.number)
