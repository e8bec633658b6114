"""Where the call journal of one entry is stored: chunks of calls, and their index.

The journal is stored in chunks of `CHUNK_SIZE` calls, each a private file in Home
Assistant's storage (`mtt_business.journal.<entry_id>.<n>`), listed by an index
(`mtt_business.journal.<entry_id>`): a write rewrites the newest chunk, not the
whole journal (10,000 calls are about 5 MB), which matters on a Raspberry Pi's SD
card and for the CPU a call costs. A chunk holds one call per line, as
`JournalRecord.as_dict` gives it. Stored calls that cannot be read are skipped
(logged once per load); a chunk whose file cannot be read is left on disk, and in
the index, to be read again at the next start.

Adding a call does no I/O: the record joins the newest chunk, and that chunk is
written a little later (changes gathered for at most `SAVE_DELAY` seconds,
serialized and written off the event loop).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
import logging
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.json import json_bytes, json_fragment
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .journal_record import JournalRecord

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10
"""Seconds to gather changes before a chunk is written."""
CHUNK_SIZE: Final = 250
"""Calls per stored chunk: what one write rewrites at most."""


@dataclass(eq=False, slots=True)
class JournalChunk:
    """Calls stored together, oldest first."""

    number: int
    store: Store[dict[str, Any]]
    records: list[JournalRecord] = field(default_factory=list)
    dropped: int = 0
    """Calls dropped from its front so far (a call's place in the chunk, counting
    them, does not change)."""
    scheduled: bool = False
    """A write of the chunk is due (it will write every change made until then)."""

    def stored(self) -> dict[str, Any]:
        """What the chunk's file holds: one call per line.

        Called off the event loop when the write is due: a change made from now on
        schedules the next write; the list is copied in one step, and the records
        themselves never change.
        """
        self.scheduled = False
        return {
            "calls": [
                json_fragment(json_bytes(record)) for record in tuple(self.records)
            ]
        }


def _chunk_numbers(index: Any) -> tuple[list[int], int]:
    """The chunks an index lists (ascending) and the next chunk's number."""
    if not isinstance(index, dict):
        return [], 0
    chunks = index.get("chunks")
    numbers = sorted(
        {n for n in chunks if type(n) is int and n >= 0}
        if isinstance(chunks, list)
        else set()
    )
    following = index.get("next")
    if type(following) is not int:
        following = 0
    return numbers, max([following, *(n + 1 for n in numbers)])


def _read_chunks(
    contents: list[dict[str, Any] | None],
) -> list[tuple[list[JournalRecord], int]]:
    """The records of each stored chunk and how many could not be read."""
    read: list[tuple[list[JournalRecord], int]] = []
    for content in contents:
        rows = content.get("calls") if isinstance(content, dict) else None
        records: list[JournalRecord] = []
        unreadable = 0
        for row in rows if isinstance(rows, list) else ():
            try:
                records.append(JournalRecord.from_dict(row))
            except ValueError, TypeError:
                unreadable += 1
        read.append((records, unreadable))
    return read


class JournalStore:
    """The stored chunks of one entry's journal, oldest first (`chunks`)."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, chunk_size: int, save_delay: float
    ) -> None:
        """The store of entry `entry_id`'s journal (empty until loaded).

        `chunk_size` calls per chunk; a change is written `save_delay` seconds later.
        """
        self._hass = hass
        self.key: Final = f"{DOMAIN}.journal.{entry_id}"
        self._chunk_size = chunk_size
        self._save_delay = save_delay
        self._index: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, self.key, private=True
        )
        self.chunks: Final[deque[JournalChunk]] = deque()
        """The chunks that hold calls, oldest first."""
        self._next_number = 0
        self._dirty: set[JournalChunk] = set()
        """Chunks changed since the last flush."""
        self._index_dirty = False
        self._on_disk = True
        """False when the stored journal cannot be read: nothing is written."""
        self._unread: list[int] = []
        """Chunks whose file could not be read (left as they are)."""
        self._removals: set[asyncio.Task[None]] = set()

    def _store(self, number: int) -> Store[dict[str, Any]]:
        return Store(
            self._hass,
            STORAGE_VERSION,
            f"{self.key}.{number}",
            private=True,
            serialize_in_event_loop=False,
        )

    async def async_load(self) -> None:
        """Read the stored chunks (a call stored twice: the first is kept).

        What cannot be read is left out and logged: the entry starts anyway.
        """
        try:
            index = await self._index.async_load()
        except HomeAssistantError as err:
            # What is stored is left as it is: this session's calls are not kept.
            _LOGGER.warning(
                "The call journal (%s) cannot be read: it starts empty and keeps "
                "calls until Home Assistant stops: %s",
                self.key,
                err,
            )
            self._on_disk = False
            return
        numbers, self._next_number = _chunk_numbers(index)
        stores = [self._store(number) for number in numbers]
        loads = await asyncio.gather(
            *(store.async_load() for store in stores), return_exceptions=True
        )
        for number, content in zip(numbers, loads, strict=True):
            if isinstance(content, HomeAssistantError):
                # Kept on disk and in the index: read again at the next start.
                _LOGGER.warning("Part of the call journal cannot be read: %s", content)
                self._unread.append(number)
            elif isinstance(content, BaseException):
                raise content
        contents = [None if isinstance(c, BaseException) else c for c in loads]
        read = await self._hass.async_add_executor_job(_read_chunks, contents)
        unreadable = 0
        seen: set[str] = set()
        for number, store, (records, skipped) in zip(
            numbers, stores, read, strict=True
        ):
            if number in self._unread:
                continue
            unreadable += skipped
            chunk = JournalChunk(number, store)
            for record in records:
                if record.call_id in seen:
                    unreadable += 1  # a call stored twice: the first is kept
                    continue
                seen.add(record.call_id)
                chunk.records.append(record)
            if chunk.records:
                self.chunks.append(chunk)
            else:
                self._remove_store(store)
        if unreadable:
            _LOGGER.warning(
                "The call journal (%s) skipped %s stored calls it cannot read",
                self.key,
                unreadable,
            )
        if len(self.chunks) + len(self._unread) != len(numbers):
            self._save_index()

    # --- changes ----------------------------------------------------------------

    def append(self, record: JournalRecord) -> tuple[JournalChunk, int]:
        """Store a new call in the newest chunk; its chunk and place in it.

        The place counts the calls dropped from the chunk: it does not change.
        """
        chunks = self.chunks
        if chunks and len(chunks[-1].records) < self._chunk_size:
            chunk = chunks[-1]
        else:
            chunk = JournalChunk(self._next_number, self._store(self._next_number))
            self._next_number += 1
            chunks.append(chunk)
            self._save_index()
        place = chunk.dropped + len(chunk.records)
        chunk.records.append(record)
        self._touch(chunk)
        return chunk, place

    def replace(self, chunk: JournalChunk, at: int, new: JournalRecord) -> None:
        """Store another record of a call in its place (`at`: in `records`)."""
        chunk.records[at] = new
        self._touch(chunk)

    def drop_oldest(self, count: int) -> None:
        """Drop the first `count` calls of the oldest chunk.

        Its file is not rewritten for that (at the bound, every call would rewrite
        it): it keeps them until it is written for another change, or is removed
        once all its calls are dropped.
        """
        first = self.chunks[0]
        del first.records[:count]
        first.dropped += count
        if first.records:
            return
        self.chunks.popleft()
        self._dirty.discard(first)
        self._remove_store(first.store)
        self._save_index()

    def _touch(self, chunk: JournalChunk) -> None:
        """The chunk changed: write it at most `save_delay` seconds later.

        Once per write, not per change: Home Assistant's delayed save would put the
        write off again at each change, and a busy PBX could keep it off for hours.
        """
        if not self._on_disk:
            return
        self._dirty.add(chunk)
        if not chunk.scheduled:
            chunk.scheduled = True
            chunk.store.async_delay_save(chunk.stored, self._save_delay)

    def _remove_store(self, store: Store[dict[str, Any]]) -> None:
        if not self._on_disk:
            return
        task = self._hass.async_create_background_task(
            _async_remove_store(store), f"{self.key} remove {store.key}"
        )
        self._removals.add(task)
        task.add_done_callback(self._removals.discard)

    def _save_index(self) -> None:
        if not self._on_disk:
            return
        self._index_dirty = True
        self._index.async_delay_save(self._index_data, 0)

    def _index_data(self) -> dict[str, Any]:
        return {
            "chunks": sorted([*self._unread, *(c.number for c in self.chunks)]),
            "next": self._next_number,
        }

    # --- the entry's life -------------------------------------------------------

    async def async_flush(self) -> None:
        """Write every change now."""
        dirty, self._dirty = self._dirty, set()
        saves = [chunk.store.async_save(chunk.stored()) for chunk in dirty]
        if self._index_dirty:
            self._index_dirty = False
            saves.append(self._index.async_save(self._index_data()))
        await asyncio.gather(*saves)
        await asyncio.gather(*self._removals, return_exceptions=True)

    async def async_remove(self) -> None:
        """Remove every file of the journal (the entry was removed)."""
        try:
            index = await self._index.async_load()
        except HomeAssistantError:
            index = None  # the chunks it listed are not known: left behind
        numbers, _ = _chunk_numbers(index)
        loaded = {chunk.number: chunk.store for chunk in self.chunks}
        stores = [loaded.get(number) or self._store(number) for number in numbers]
        stores.extend(
            store for number, store in loaded.items() if number not in numbers
        )
        await asyncio.gather(*self._removals, return_exceptions=True)
        await asyncio.gather(*(store.async_remove() for store in stores))
        await self._index.async_remove()
        self.chunks.clear()
        self._dirty.clear()


async def _async_remove_store(store: Store[dict[str, Any]]) -> None:
    """Remove a chunk's file, after any write of it that is due or under way."""
    await store.async_save({"calls": []})
    await store.async_remove()
