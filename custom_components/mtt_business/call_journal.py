"""The journal of ended calls of one entry, kept across restarts.

Each ended call becomes a `JournalRecord`: who called whom, at which workplace, when
it started, was answered and ended, whether it was missed, what routing did with it,
what each workplace talked when it talked at several (a transfer),
the provider's link to its recording (`urlRecord`, a `recorded` push that may come
after the call ended) and, once archived, the local copy.

The journal keeps the calls of the last 90 days (the provider keeps recordings that
long), at most 10,000: the oldest are dropped when a call is added and when the
journal is loaded.

Adding a call runs once per ended call, on the event path: it does no I/O and costs
the same whatever the journal holds. The record joins the newest chunk of the
journal, and that chunk is written a little later (changes gathered for at most
`SAVE_DELAY` seconds, serialized and written off the event loop). The journal is
stored in chunks of `CHUNK_SIZE` calls, each a private file in Home Assistant's
storage (`mtt_business.journal.<entry_id>.<n>`), listed by an index
(`mtt_business.journal.<entry_id>`): a write rewrites the newest chunk, not the
whole journal (10,000 calls are about 5 MB), which matters on a Raspberry Pi's SD
card and for the CPU a call costs. A chunk holds one call per line, as
`JournalRecord.as_dict` gives it (a field added since defaults when a call stored
before lacks it). Stored calls that cannot be read are skipped (logged once per
load).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from itertools import chain
import logging
import sys
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.json import json_bytes, json_fragment
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api.models import CallDirection
from .call_tracker import Talk
from .call_view import CallView, RoutingAction, RoutingDecision
from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10
"""Seconds to gather changes before a chunk is written."""
MAX_CALLS: Final = 10_000
KEEP: Final = timedelta(days=90)
"""How long a call is kept (the provider keeps its recording as long)."""
CHUNK_SIZE: Final = 250
"""Calls per stored chunk: what one write rewrites at most."""

DIRECTIONS: Final = frozenset(direction.value for direction in CallDirection)
ROUTINGS: Final = frozenset(action.value for action in RoutingAction)
"""What personal-manager routing did with a call (`routing` of the call event)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkplaceTalk:
    """What a call talked at one workplace (one of its legs)."""

    workplace: str | None
    """The workplace's SIP ID (None: a leg at no known workplace)."""
    workplace_name: str | None = None
    answered: datetime
    seconds: int

    def as_dict(self) -> dict[str, Any]:
        """The talk as JSON-able values."""
        return {
            "workplace": self.workplace,
            "workplace_name": self.workplace_name,
            "answered": self.answered.isoformat(),
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: Any) -> WorkplaceTalk:
        """The talk `as_dict` gave; ValueError or TypeError for anything else."""
        if not isinstance(data, Mapping):
            raise TypeError("a talk is not an object")
        seconds = data.get("seconds")
        if type(seconds) is not int or seconds < 0:
            raise ValueError(f"seconds {seconds!r}")
        answered = _moment(data, "answered")
        if answered is None:
            raise ValueError("a talk without its start")
        return cls(
            workplace=_shared_text(data, "workplace"),
            workplace_name=_shared_text(data, "workplace_name"),
            answered=answered,
            seconds=seconds,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalRecord:
    """One ended call."""

    call_id: str
    direction: str | None
    """`incoming`, `outgoing`, or None when the PBX did not say."""
    caller: str | None
    """A number (`+7…`), or the workplace's SIP ID for an outgoing call."""
    callee: str | None
    caller_name: str | None = None
    """The caller's name from a phone book, when one knows the number."""
    callee_name: str | None = None
    workplace: str | None = None
    """The SIP ID of the workplace the call was at."""
    workplace_name: str | None = None
    started: datetime
    """Aware, UTC (as are the other moments)."""
    answered: datetime | None = None
    ended: datetime
    duration: int | None = None
    """Seconds of talk, as the PBX counts them."""
    missed: bool = False
    routing: str | None = None
    """`transfer`, `released` or `none` when routing decided on the call."""
    routed_to: str | None = None
    record_url: str | None = None
    """The provider's link to the recording (kept there 90 days)."""
    recording: str | None = None
    """The archived copy: its path in Home Assistant's media folder."""
    talks: tuple[WorkplaceTalk, ...] = ()
    """What each workplace talked, in order, for a call that talked at more than
    one (answered at one, transferred to another) or elsewhere than `workplace`;
    empty: all of `duration` was talked at `workplace`. `duration` is their sum."""

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-able values (moments in ISO 8601)."""
        answered = self.answered
        return {
            "call_id": self.call_id,
            "direction": self.direction,
            "caller": self.caller,
            "callee": self.callee,
            "caller_name": self.caller_name,
            "callee_name": self.callee_name,
            "workplace": self.workplace,
            "workplace_name": self.workplace_name,
            "started": self.started.isoformat(),
            "answered": answered.isoformat() if answered is not None else None,
            "ended": self.ended.isoformat(),
            "duration": self.duration,
            "missed": self.missed,
            "routing": self.routing,
            "routed_to": self.routed_to,
            "record_url": self.record_url,
            "recording": self.recording,
            "talks": [talk.as_dict() for talk in self.talks],
        }

    @classmethod
    def from_dict(cls, data: Any) -> JournalRecord:
        """The record `as_dict` gave; ValueError or TypeError for anything else.

        Texts that repeat from call to call (numbers, workplaces, names) are shared,
        so that a loaded journal keeps one copy of each.
        """
        if not isinstance(data, Mapping):
            raise TypeError("a call is not an object")
        call_id = data.get("call_id")
        if not isinstance(call_id, str) or not call_id:
            raise ValueError("no call_id")
        direction = _shared_text(data, "direction")
        if direction is not None and direction not in DIRECTIONS:
            raise ValueError(f"direction {direction!r}")
        routing = _shared_text(data, "routing")
        if routing is not None and routing not in ROUTINGS:
            raise ValueError(f"routing {routing!r}")
        duration = data.get("duration")
        if duration is not None and (
            type(duration) is not int or duration < 0  # bool is not a duration
        ):
            raise ValueError(f"duration {duration!r}")
        missed = data.get("missed", False)
        if not isinstance(missed, bool):
            raise TypeError(f"missed {missed!r}")
        started = _moment(data, "started")
        ended = _moment(data, "ended")
        if started is None or ended is None:
            raise ValueError("no start or end")
        talks = data.get("talks", [])  # not stored before talks were kept
        if not isinstance(talks, list):
            raise TypeError("talks is not a list")
        return cls(
            call_id=call_id,
            direction=direction,
            caller=_shared_text(data, "caller"),
            callee=_shared_text(data, "callee"),
            caller_name=_shared_text(data, "caller_name"),
            callee_name=_shared_text(data, "callee_name"),
            workplace=_shared_text(data, "workplace"),
            workplace_name=_shared_text(data, "workplace_name"),
            started=started,
            answered=_moment(data, "answered"),
            ended=ended,
            duration=duration,
            missed=missed,
            routing=routing,
            routed_to=_shared_text(data, "routed_to"),
            record_url=_text(data, "record_url"),
            recording=_text(data, "recording"),
            talks=tuple(WorkplaceTalk.from_dict(talk) for talk in talks),
        )


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{key} is not a text")


def _shared_text(data: Mapping[str, Any], key: str) -> str | None:
    value = _text(data, key)
    return sys.intern(value) if value is not None else None


def _moment(data: Mapping[str, Any], key: str) -> datetime | None:
    value = _text(data, key)
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{key} has no time zone")
    return moment.astimezone(UTC)


def journal_record(
    view: CallView,
    *,
    ended: datetime | None = None,
    routing: RoutingDecision | None = None,
    workplace_name: Callable[[str], str | None] | None = None,
) -> JournalRecord:
    """The record of a call that has just ended (a view with `finished`).

    `ended` defaults to now; `routing` is the decision routing made when the call
    was parked (earlier than its end); `workplace_name` names the workplaces of a
    call that talked at several. The PBX does not say when a call was answered: it
    is taken as the end less the talk time of a call answered at one workplace, and
    as the first leg's `connected` of one that talked at several.
    """
    call = view.call
    ended = (ended or dt_util.utcnow()).astimezone(UTC)
    duration = call.duration
    talks = _talks(call.talks, call.workplace, workplace_name)
    if talks:
        answered: datetime | None = talks[0].answered
    elif call.answered and duration is not None:
        answered = ended - timedelta(seconds=duration)
    else:
        answered = None
    return JournalRecord(
        call_id=call.call_id,
        direction=call.direction.value if call.direction is not None else None,
        caller=call.caller,
        callee=call.callee,
        caller_name=view.caller_name,
        callee_name=view.callee_name,
        workplace=call.workplace,
        workplace_name=view.workplace_name,
        started=call.started.astimezone(UTC),
        answered=answered,
        ended=ended,
        duration=duration,
        missed=view.missed,
        routing=routing.action.value if routing is not None else None,
        routed_to=routing.workplace if routing is not None else None,
        record_url=call.record_url,
        talks=talks,
    )


def _talks(
    talks: tuple[Talk, ...],
    workplace: str | None,
    name_of: Callable[[str], str | None] | None,
) -> tuple[WorkplaceTalk, ...]:
    """The talks a record keeps: none when the call talked only at `workplace`."""
    if not talks or (len(talks) == 1 and talks[0].workplace == workplace):
        return ()
    return tuple(
        WorkplaceTalk(
            workplace=talk.workplace,
            workplace_name=(
                name_of(talk.workplace)
                if name_of is not None and talk.workplace is not None
                else None
            ),
            answered=talk.answered.astimezone(UTC),
            seconds=talk.seconds,
        )
        for talk in talks
    )


@dataclass(eq=False, slots=True)
class _Chunk:
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
        self._hass = hass
        self._key = f"{DOMAIN}.journal.{entry_id}"
        self._max_calls = max_calls
        self._keep = keep
        self._chunk_size = chunk_size
        self._save_delay = save_delay
        self._clock = clock
        self._index: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, self._key, private=True
        )
        self._chunks: deque[_Chunk] = deque()
        self._where: dict[str, tuple[_Chunk, int]] = {}
        """Each call's chunk and place in it (counting the calls dropped from it)."""
        self._next_number = 0
        self._dirty: set[_Chunk] = set()
        """Chunks changed since the last flush."""
        self._index_dirty = False
        self._on_disk = True
        """False when the stored journal cannot be read: nothing is written."""
        self._unread: list[int] = []
        """Chunks whose file could not be read (left as they are)."""
        self._removals: set[asyncio.Task[None]] = set()
        self._closed = False

    def _store(self, number: int) -> Store[dict[str, Any]]:
        return Store(
            self._hass,
            STORAGE_VERSION,
            f"{self._key}.{number}",
            private=True,
            serialize_in_event_loop=False,
        )

    async def async_load(self) -> None:
        """Read the stored journal (then drop what is past the bounds).

        What cannot be read is left out and logged: the entry starts anyway.
        """
        try:
            index = await self._index.async_load()
        except HomeAssistantError as err:
            # What is stored is left as it is: this session's calls are not kept.
            _LOGGER.warning(
                "The call journal (%s) cannot be read: it starts empty and keeps "
                "calls until Home Assistant stops: %s",
                self._key,
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
        for number, store, (records, skipped) in zip(
            numbers, stores, read, strict=True
        ):
            if number in self._unread:
                continue
            unreadable += skipped
            chunk = _Chunk(number, store)
            for record in records:
                if record.call_id in self._where:
                    unreadable += 1  # a call stored twice: the first is kept
                    continue
                self._where[record.call_id] = (chunk, len(chunk.records))
                chunk.records.append(record)
            if chunk.records:
                self._chunks.append(chunk)
            else:
                self._remove_store(store)
        if unreadable:
            _LOGGER.warning(
                "The call journal (%s) skipped %s stored calls it cannot read",
                self._key,
                unreadable,
            )
        if len(self._chunks) + len(self._unread) != len(numbers):
            self._save_index()
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
        chunks = self._chunks
        if chunks and len(chunks[-1].records) < self._chunk_size:
            chunk = chunks[-1]
        else:
            chunk = _Chunk(self._next_number, self._store(self._next_number))
            self._next_number += 1
            chunks.append(chunk)
            self._save_index()
        self._where[record.call_id] = (chunk, chunk.dropped + len(chunk.records))
        chunk.records.append(record)
        self._touch(chunk)
        self._drop_old()

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

    def _find(self, call_id: str) -> tuple[_Chunk, int] | None:
        """Where a call to change is (None: not kept, or the journal is closed)."""
        if self._closed:
            _LOGGER.debug("The call journal is closed: call %s not changed", call_id)
            return None
        return self._locate(call_id)

    def _locate(self, call_id: str) -> tuple[_Chunk, int] | None:
        """A call's chunk and position in it."""
        if (where := self._where.get(call_id)) is None:
            return None
        chunk, place = where
        return chunk, place - chunk.dropped

    def _update(self, chunk: _Chunk, at: int, new: JournalRecord) -> JournalRecord:
        if new == chunk.records[at]:
            return new
        return self._replace(chunk, at, new)

    def _replace(self, chunk: _Chunk, at: int, new: JournalRecord) -> JournalRecord:
        chunk.records[at] = new
        self._touch(chunk)
        return new

    def _touch(self, chunk: _Chunk) -> None:
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

    def _drop_old(self) -> None:
        """Drop the oldest calls past the bounds (number of calls, age).

        Their chunk's file is not rewritten for that (at the bound, every call would
        rewrite it): it keeps them until it is written for another change, or is
        removed once all its calls are dropped; reading the journal drops them again.
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
            del records[:drop]
            first.dropped += drop
            if records:
                return
            chunks.popleft()
            self._dirty.discard(first)
            self._remove_store(first.store)
            self._save_index()

    def _remove_store(self, store: Store[dict[str, Any]]) -> None:
        if not self._on_disk:
            return
        task = self._hass.async_create_background_task(
            _async_remove_store(store), f"{self._key} remove {store.key}"
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
            "chunks": sorted([*self._unread, *(c.number for c in self._chunks)]),
            "next": self._next_number,
        }

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

    def _records(self) -> Iterator[JournalRecord]:
        return chain.from_iterable(chunk.records for chunk in self._chunks)

    # --- the entry's life -------------------------------------------------------

    async def async_flush(self) -> None:
        """Write every change now (the entry unloads): no change is taken after."""
        self._closed = True
        dirty, self._dirty = self._dirty, set()
        saves = [chunk.store.async_save(chunk.stored()) for chunk in dirty]
        if self._index_dirty:
            self._index_dirty = False
            saves.append(self._index.async_save(self._index_data()))
        await asyncio.gather(*saves)
        await asyncio.gather(*self._removals, return_exceptions=True)

    async def async_remove(self) -> None:
        """Forget the journal and its files (the entry was removed)."""
        self._closed = True
        try:
            index = await self._index.async_load()
        except HomeAssistantError:
            index = None  # the chunks it listed are not known: left behind
        numbers, _ = _chunk_numbers(index)
        loaded = {chunk.number: chunk.store for chunk in self._chunks}
        stores = [loaded.get(number) or self._store(number) for number in numbers]
        stores.extend(
            store for number, store in loaded.items() if number not in numbers
        )
        await asyncio.gather(*self._removals, return_exceptions=True)
        await asyncio.gather(*(store.async_remove() for store in stores))
        await self._index.async_remove()
        self._chunks.clear()
        self._where.clear()
        self._dirty.clear()


async def _async_remove_store(store: Store[dict[str, Any]]) -> None:
    """Remove a chunk's file, after any write of it that is due or under way."""
    await store.async_save({"calls": []})
    await store.async_remove()


def _chunk_index(chunks: deque[_Chunk], chunk: _Chunk) -> int:
    for index in range(len(chunks) - 1, -1, -1):
        if chunks[index] is chunk:
            return index
    raise LookupError(chunk.number)
