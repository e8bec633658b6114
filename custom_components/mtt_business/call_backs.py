"""The call-back lists of one entry: who called, was missed, and is still to be called.

One list for the PBX and one per workplace (where the missed call rang). A number
that called and was missed is one item of a list, however often it calls: a missed
call again while its item is open counts it (how many times, the last time); numbers
written `8…`, `7…` or `+7…` are one subscriber (`normalize_number`). An item is done
by itself when a later call with that number connects, an incoming call from it
answered or an outgoing call to it answered, in every list where it is open, and
says at which workplace and when; a person may tick one off, open it again, or
delete it. A done item stays (ticked) until deleted or pushed out by the bound.

Everything is decided when a call ends (`async_call_ended`, from the call history):
a push that ends no call costs nothing here. Each list keeps at most `MAX_ITEMS`
items, in the order of their last change: past it the oldest done item goes, else
the oldest open one. The lists are kept across restarts with Home Assistant's
Store, written at most `SAVE_DELAY` seconds after a change, off the event path; the
entities are told which lists changed (`SIGNAL_CALL_BACKS_CHANGED`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
import logging
from typing import Any, Final
from uuid import uuid4

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.storage import Store

from .api.models import CallDirection
from .api.phone_number import normalize_number
from .calls.view import CallView
from .const import DOMAIN
from .signals import SIGNAL_CALL_BACKS_CHANGED

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 10.0
"""Seconds after a change before the lists are written."""
MAX_ITEMS: Final = 500
"""Items a list keeps (done ones are dropped first, oldest first)."""
PBX: Final = ""
"""The scope of the PBX's own list (a workplace's is its SIP ID)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallBack:
    """One number to call back, in one list."""

    uid: str
    number: str
    """The number in international form (`+7…`)."""
    name: str | None = None
    """The caller's name, from the phone book or the provider, where known."""
    count: int = 1
    """How many missed calls from the number since the item was opened."""
    first: datetime
    last: datetime
    """When the last missed call started (aware, UTC)."""
    done: datetime | None = None
    """When it was called back or answered, or ticked off (None: still open)."""
    done_by: str | None = None
    """The name of the workplace that connected with the number (None: by hand)."""
    answered: bool = False
    """Done by an answered incoming call from the number, not by a call back."""

    def as_dict(self) -> dict[str, Any]:
        """The item as JSON-able values."""
        done = self.done
        return {
            "uid": self.uid,
            "number": self.number,
            "name": self.name,
            "count": self.count,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "done": done.isoformat() if done is not None else None,
            "done_by": self.done_by,
            "answered": self.answered,
        }

    @classmethod
    def from_dict(cls, data: Any) -> CallBack:
        """The item `as_dict` gave; ValueError or TypeError for anything else."""
        if not isinstance(data, Mapping):
            raise TypeError("an item is not an object")
        uid, number, count = data.get("uid"), data.get("number"), data.get("count")
        if not isinstance(uid, str) or not uid:
            raise ValueError("no uid")
        if not isinstance(number, str) or normalize_number(number) != number:
            raise ValueError(f"number {number!r}")
        if type(count) is not int or count < 1:
            raise ValueError(f"count {count!r}")
        done = data.get("done")
        return cls(
            uid=uid,
            number=number,
            name=_text(data.get("name")),
            count=count,
            first=_moment(data.get("first")),
            last=_moment(data.get("last")),
            done=_moment(done) if done is not None else None,
            done_by=_text(data.get("done_by")),
            answered=data.get("answered") is True,
        )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{value!r} is not a text")


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a moment")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment.astimezone(UTC)


class CallBackList:
    """One list: its items in the order of their last change, newest last."""

    __slots__ = ("_items", "_max_items", "_newest", "_open", "version")

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        """An empty list of at most `max_items` items."""
        self._items: OrderedDict[str, CallBack] = OrderedDict()
        self._open: dict[str, str] = {}
        """Each number with an open item → its uid."""
        self._max_items = max_items
        self.version = 0
        """Counts the list's changes (whoever shows the list keeps what it built)."""
        self._newest: tuple[int, int, list[CallBack]] = (-1, 0, [])

    def __len__(self) -> int:
        """How many items the list holds."""
        return len(self._items)

    def items(self) -> list[CallBack]:
        """The items, newest change first."""
        return list(reversed(self._items.values()))

    def get(self, uid: str) -> CallBack | None:
        """An item by its uid."""
        return self._items.get(uid)

    def newest_open(self, limit: int) -> list[CallBack]:
        """Up to `limit` open items, newest change first (kept until a change)."""
        version, kept_limit, kept = self._newest
        if version != self.version or kept_limit != limit:
            kept = []
            for item in reversed(self._items.values()):
                if len(kept) == limit:
                    break
                if item.done is None:
                    kept.append(item)
            self._newest = (self.version, limit, kept)
        return kept

    def open_items(self) -> int:
        """How many items are still to be called back."""
        return len(self._open)

    def _put(self, item: CallBack) -> None:
        items = self._items
        items[item.uid] = item
        items.move_to_end(item.uid)
        if item.done is None:
            self._open.setdefault(item.number, item.uid)
        elif self._open.get(item.number) == item.uid:
            del self._open[item.number]
        while len(items) > self._max_items:
            self._drop_one()
        self.version += 1

    def _drop_one(self) -> None:
        """The oldest done item, else the oldest open one."""
        items = self._items
        uid = next(
            (uid for uid, item in items.items() if item.done is not None),
            next(iter(items)),
        )
        item = items.pop(uid)
        if self._open.get(item.number) == uid:
            del self._open[item.number]

    def missed(self, number: str, name: str | None, when: datetime) -> None:
        """A missed call from `number`: its open item counts it, else a new one."""
        if (uid := self._open.get(number)) is not None:
            item = self._items[uid]
            self._put(
                replace(
                    item,
                    name=name or item.name,
                    count=item.count + 1,
                    last=max(item.last, when),
                )
            )
            return
        self._put(
            CallBack(uid=uuid4().hex, number=number, name=name, first=when, last=when)
        )

    def connected(
        self, number: str, when: datetime, workplace: str | None, *, answered: bool
    ) -> bool:
        """A call with `number` connected: its open item is done; whether one was."""
        if (uid := self._open.get(number)) is None:
            return False
        item = self._items[uid]
        self._put(replace(item, done=when, done_by=workplace, answered=answered))
        return True

    def set_done(self, uid: str, when: datetime | None) -> bool:
        """A person ticked an item off (`when`) or opened it again (None).

        False: no such item. An item opened again while the number has another
        open item stays done.
        """
        if (item := self._items.get(uid)) is None:
            return False
        if (item.done is None) == (when is None):
            return True
        if when is None and item.number in self._open:
            return True
        self._put(replace(item, done=when, done_by=None, answered=False))
        return True

    def delete(self, uids: list[str]) -> list[str]:
        """Delete these items; returns the uids it did not have."""
        unknown = [uid for uid in uids if uid not in self._items]
        if unknown:
            return unknown
        for uid in uids:
            item = self._items.pop(uid)
            if self._open.get(item.number) == uid:
                del self._open[item.number]
        self.version += 1
        return []

    def as_list(self) -> list[dict[str, Any]]:
        """The items as JSON-able values, oldest change first."""
        return [item.as_dict() for item in self._items.values()]

    def load(self, stored: Any) -> None:
        """Items as `as_list` gave them (what cannot be read is logged, left out)."""
        if not isinstance(stored, list):
            raise TypeError("a list is not a list")
        for data in stored:
            try:
                item = CallBack.from_dict(data)
            except (TypeError, ValueError) as err:
                _LOGGER.warning("A call-back item cannot be read (%s): left out", err)
                continue
            if item.done is None and item.number in self._open:
                continue  # a second open item of a number: the first one counts
            self._put(item)


class CallBacks:
    """The call-back lists of one entry (the PBX's and each workplace's)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        max_items: int | None = None,
        save_delay: float = SAVE_DELAY,
    ) -> None:
        """The lists of entry `entry_id` (empty until loaded).

        Each list keeps at most `max_items` items (default `MAX_ITEMS`).
        """
        self._hass = hass
        self._signal = SIGNAL_CALL_BACKS_CHANGED.format(entry_id)
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.call_backs.{entry_id}", private=True
        )
        self._max_items = MAX_ITEMS if max_items is None else max_items
        self._save_delay = save_delay
        self._lists: dict[str, CallBackList] = {}
        self._closed = False

    def list_of(self, scope: str = PBX) -> CallBackList:
        """The list of the PBX (`PBX`) or of a workplace (its SIP ID)."""
        if (found := self._lists.get(scope)) is None:
            found = self._lists[scope] = CallBackList(self._max_items)
        return found

    async def async_load(self) -> None:
        """Read the stored lists (what cannot be read is logged, left out)."""
        try:
            stored = await self._store.async_load()
        except (ValueError, OSError) as err:
            _LOGGER.warning(
                "The call-back lists cannot be read (%s): started empty", err
            )
            return
        lists = stored.get("lists") if isinstance(stored, dict) else None
        if not isinstance(lists, dict):
            return
        for scope, items in lists.items():
            try:
                self.list_of(str(scope)).load(items)
            except TypeError as err:
                _LOGGER.warning("A call-back list cannot be read (%s): left out", err)

    @callback
    def async_call_ended(
        self, view: CallView, workplace_name: str | None, connected_at: datetime | None
    ) -> None:
        """A call ended (seen from its start): the lists learn of it.

        A missed one is added to the lists of the PBX and of the workplaces it rang
        at; a connected one completes the number's open items (`workplace_name`:
        where it connected, at `connected_at`).
        """
        if self._closed:
            return
        call = view.call
        incoming = call.direction is not CallDirection.OUTGOING
        number = normalize_number(call.caller if incoming else call.callee)
        if number is None or not number.startswith("+"):
            return  # no outside number (a workplace, an extension)
        changed: set[str] = set()
        if view.missed:
            when = call.started.astimezone(UTC)
            rang = set(view.workplaces)
            if call.workplace is not None:
                rang.add(call.workplace)
            for scope in (PBX, *sorted(rang)):
                self.list_of(scope).missed(number, view.caller_name, when)
                changed.add(scope)
        elif call.answered:
            when = (connected_at or call.started).astimezone(UTC)
            for scope, found in self._lists.items():
                if found.connected(number, when, workplace_name, answered=incoming):
                    changed.add(scope)
        if changed:
            self._async_changed(changed)

    @callback
    def async_set_done(self, scope: str, uid: str, when: datetime | None) -> bool:
        """A person ticked an item off or opened it again; False: no such item."""
        found = self.list_of(scope)
        before = found.version
        if not found.set_done(uid, when):
            return False
        if found.version != before:
            self._async_changed({scope})
        return True

    @callback
    def async_delete(self, scope: str, uids: list[str]) -> list[str]:
        """Delete items of a list; returns the uids it did not have (then none is)."""
        if unknown := self.list_of(scope).delete(uids):
            return unknown
        self._async_changed({scope})
        return []

    @callback
    def _async_changed(self, scopes: set[str]) -> None:
        if not self._closed:
            self._store.async_delay_save(self._data, self._save_delay)
        async_dispatcher_send(self._hass, self._signal, scopes)

    def _data(self) -> dict[str, Any]:
        return {
            "lists": {scope: found.as_list() for scope, found in self._lists.items()}
        }

    async def async_flush(self) -> None:
        """Write the lists now (the entry unloads): no change is taken after."""
        self._closed = True
        await self._store.async_save(self._data())

    async def async_remove(self) -> None:
        """Forget the lists (the entry was removed)."""
        self._closed = True
        await self._store.async_remove()
