"""The Call back lists: a todo entity on the PBX and one on each workplace.

Each shows one list of `call_backs.py` (the PBX's, or the workplace's: the missed
calls that rang there), newest change first. An item reads as people read a
caller: the name where known, else the formatted number; its description says the
number, how many times it called and when last, and, once done, who called back or
answered and when. Its `due` is the last missed call's start, so that Home
Assistant's to-do list shows it in the profile's time format (an open item is
"overdue" from then on: it waits to be called back). A person can tick an item off,
open it again or delete it; items are not created by hand.

The workplaces' lists are disabled by default: Home Assistant's logbook writes a
line for every state change of a todo entity (its count of open items), and the
logbook keeps one line per call step (issue 21); the PBX's list has them all.
The items are built when a list changes, not when it is read or written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, override

from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api.models import Workplace
from .api.phone_number import format_number
from .call_backs import PBX, CallBack, CallBacks
from .compat import TodoItem, TodoListEntity
from .coordinator import DirectoryCoordinator
from .data import MttBusinessConfigEntry
from .entity import PushFedEntity, async_add_workplace_entities
from .errors import translated
from .signals import SIGNAL_CALL_BACKS_CHANGED

PARALLEL_UPDATES = 0

PBX_CALL_BACKS = EntityDescription(key="call_backs", translation_key="call_backs")
WORKPLACE_CALL_BACKS = EntityDescription(
    key="call_backs",
    translation_key="call_backs",
    entity_registry_enabled_default=False,
)

ITEM_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "one": "called once",
        "many": "called {count} times",
        "last": "last on {when}",
        "called_back": "Called back: {workplace}, {when}",
        "answered": "Answered: {workplace}, {when}",
        "ticked": "Done: {when}",
        "when": "{day} {month} at {time}",
    },
    "ru": {
        "one": "звонили 1 раз",
        "few": "звонили {count} раза",
        "many": "звонили {count} раз",
        "last": "последний раз {when}",
        "called_back": "Перезвонил: {workplace}, {when}",
        "answered": "Ответил: {workplace}, {when}",
        "ticked": "Отмечено: {when}",
        "when": "{day} {month} в {time}",
    },
}
"""An item's description, per language (Home Assistant translates no item text)."""
MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """The PBX's Call back list, and each workplace's (disabled by default)."""
    data = entry.runtime_data
    call_backs = data.call_backs
    assert call_backs is not None
    directory = data.directory
    async_add_entities([CallBackListEntity(directory, call_backs, PBX_CALL_BACKS)])
    async_add_workplace_entities(
        directory,
        async_add_entities,
        lambda workplace: [
            CallBackListEntity(directory, call_backs, WORKPLACE_CALL_BACKS, workplace)
        ],
    )


class CallBackListEntity(PushFedEntity, TodoListEntity):
    """The numbers to call back of the PBX, or of one workplace."""

    _attr_supported_features = (
        TodoListEntityFeature.UPDATE_TODO_ITEM | TodoListEntityFeature.DELETE_TODO_ITEM
    )

    def __init__(
        self,
        coordinator: DirectoryCoordinator,
        call_backs: CallBacks,
        description: EntityDescription,
        workplace: Workplace | None = None,
    ) -> None:
        """Show the list of the PBX, or of `workplace`."""
        super().__init__(coordinator, description, workplace)
        self._call_backs = call_backs
        self._scope = self.sip_id or PBX
        self._built = -1
        self._async_build()

    @override
    async def async_added_to_hass(self) -> None:
        """Show the list anew when it changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                SIGNAL_CALL_BACKS_CHANGED.format(
                    self.coordinator.config_entry.entry_id
                ),
                self._async_lists_changed,
            )
        )

    @callback
    def _async_lists_changed(self, scopes: set[str]) -> None:
        if self._scope in scopes:
            self._async_build()
            self.async_write_ha_state()

    @callback
    def _async_build(self) -> None:
        """The list's items as todo items (once per change of the list)."""
        found = self._call_backs.list_of(self._scope)
        if found.version == self._built:
            return
        self._built = found.version
        language = self.coordinator.hass.config.language
        self._attr_todo_items = [item_of(entry, language) for entry in found.items()]

    @override
    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Tick an item off, or open it again; nothing else of it can change."""
        uid = item.uid or ""
        known = self._call_backs.list_of(self._scope).get(uid)
        if known is None:
            raise translated(ServiceValidationError, "call_back_not_found", item=uid)
        shown = item_of(known, self.hass.config.language)
        if item.summary != shown.summary or item.description != shown.description:
            raise translated(
                ServiceValidationError, "call_back_read_only", item=shown.summary or ""
            )
        when = dt_util.utcnow() if item.status == TodoItemStatus.COMPLETED else None
        self._call_backs.async_set_done(self._scope, uid, when)

    @override
    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete items (none is when one of them is unknown)."""
        if unknown := self._call_backs.async_delete(self._scope, uids):
            raise translated(
                ServiceValidationError, "call_back_not_found", item=", ".join(unknown)
            )


def item_of(call_back: CallBack, language: str) -> TodoItem:
    """A call-back as a todo item, its description in `language` (else English)."""
    code = language.split("-", maxsplit=1)[0].lower()
    texts = ITEM_TEXTS.get(code, ITEM_TEXTS["en"])
    months = MONTHS.get(code, MONTHS["en"])
    number = format_number(call_back.number)
    count = call_back.count
    if count == 1:
        times = texts["one"]
    elif "few" in texts and count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        times = texts["few"].format(count=count)
    else:
        times = texts["many"].format(count=count)
    last = texts["last"].format(when=_when(call_back.last, texts, months))
    lines = [f"{number} · {times}, {last}"]
    done = call_back.done
    if done is not None:
        when = _when(done, texts, months)
        if call_back.done_by is None:
            lines.append(texts["ticked"].format(when=when))
        else:
            key = "answered" if call_back.answered else "called_back"
            lines.append(texts[key].format(workplace=call_back.done_by, when=when))
    return TodoItem(
        summary=call_back.name or number,
        uid=call_back.uid,
        status=TodoItemStatus.NEEDS_ACTION
        if done is None
        else TodoItemStatus.COMPLETED,
        due=dt_util.as_local(call_back.last),
        description="\n".join(lines),
        completed=done,
    )


def _when(moment: datetime, texts: dict[str, str], months: tuple[str, ...]) -> str:
    """A moment in Home Assistant's time zone: `7 December at 10:42`."""
    local = dt_util.as_local(moment)
    return texts["when"].format(
        day=local.day, month=months[local.month - 1], time=f"{local:%H:%M}"
    )
