"""Recordings of calls in Home Assistant's media browser.

    MTT Business
      → the entry (only when several are loaded)
        → a day (the local dates of the call journal, newest first)
          → a call: "10:42 +7 916 123-45-67 → Ресепшн, 2:31" (newest first; a
            missed call says so instead of its length)

A call plays its archived copy when there is one (served by the archive's view, to
signed-in users and signed links), else the provider's link while MTT keeps
the recording (90 days from the call). A call with neither is listed but does not
play. Media ids: `media-source://mtt_business/<entry id>/<YYYY-MM-DD>/<call id>`.
"""

from __future__ import annotations

from datetime import date
from typing import Final, override

from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api.phone_number import format_number
from .call_journal import KEEP, CallJournal, JournalRecord
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .recording_archive import (
    ARCHIVE_FOLDER,
    MIME_TYPE,
    RECORDINGS_URL,
    media_folder,
    recording_file,
)
from .url_guard import playable_url

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {"missed": "missed"},
    "ru": {"missed": "пропущен"},
}
"""Words of the calls' titles, by Home Assistant's language (English otherwise)."""


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The recordings of MTT Business calls as a media source."""
    return CallRecordingsSource(hass)


def call_title(record: JournalRecord, language: str) -> str:
    """How a call is listed: local time, who → whom, its length or "missed"."""
    texts = TEXTS.get(language.split("-", maxsplit=1)[0].lower(), TEXTS["en"])
    workplace = record.workplace_name or record.workplace
    if record.direction == "outgoing":
        source = workplace or _party(record.caller, record.caller_name)
        target = _party(record.callee, record.callee_name)
    else:
        source = _party(record.caller, record.caller_name)
        target = workplace or _party(record.callee, record.callee_name)
    title = f"{dt_util.as_local(record.started):%H:%M} {source} → {target}"
    if record.missed:
        return f"{title}, {texts['missed']}"
    if record.duration is not None:
        return f"{title}, {_length(record.duration)}"
    return title


def _party(number: str | None, name: str | None) -> str:
    if name:
        return name
    return format_number(number) if number else "?"


def _length(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def _error[E: HomeAssistantError](kind: type[E], key: str, **placeholders: str) -> E:
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


class CallRecordingsSource(MediaSource):
    """The recorded calls of every loaded MTT Business entry."""

    name = "MTT Business"

    def __init__(self, hass: HomeAssistant) -> None:
        """Browse the calls of `hass`'s entries."""
        super().__init__(DOMAIN)
        self.hass = hass

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """A level of the tree: the root, an entry, a day, or a call."""
        if not item.identifier:
            return self._root()
        entry_id, day, call_id = self._parse(item.identifier, BrowseError)
        entry = self._entry(entry_id, BrowseError)
        if day is None:
            return self._days(entry)
        if call_id is None:
            return self._calls(entry, day)
        record = self._record(entry, call_id, BrowseError)
        return self._call(entry, record)

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A call's archived copy if there is one, else the provider's link."""
        entry_id, _, call_id = self._parse(item.identifier, Unresolvable)
        if call_id is None:
            raise _error(Unresolvable, "media_not_found", identifier=item.identifier)
        record = self._record(
            self._entry(entry_id, Unresolvable), call_id, Unresolvable
        )
        path = (
            recording_file(self.hass, record.recording)
            if record.recording is not None
            else None
        )
        if path is not None and await self.hass.async_add_executor_job(path.is_file):
            archived = path.relative_to(media_folder(self.hass) / ARCHIVE_FOLDER)
            return PlayMedia(
                f"{RECORDINGS_URL}/{archived.as_posix()}", MIME_TYPE, path=path
            )
        link = playable_url(self.hass, record.record_url)
        if link is not None and self._provider_keeps(record):
            return PlayMedia(link, MIME_TYPE)
        raise _error(Unresolvable, "recording_unavailable", call_id=call_id)

    # --- the tree ---------------------------------------------------------------

    def _root(self) -> BrowseMediaSource:
        entries: list[MttBusinessConfigEntry] = (
            self.hass.config_entries.async_loaded_entries(DOMAIN)
        )
        if len(entries) == 1:
            children = self._day_nodes(entries[0])
        else:
            children = [self._node(entry.entry_id, entry.title) for entry in entries]
        return self._node("", self.name or DOMAIN, children)

    def _days(self, entry: MttBusinessConfigEntry) -> BrowseMediaSource:
        return self._node(entry.entry_id, entry.title, self._day_nodes(entry))

    def _day_nodes(self, entry: MttBusinessConfigEntry) -> list[BrowseMediaSource]:
        journal: CallJournal = entry.runtime_data.journal
        return [
            self._node(f"{entry.entry_id}/{day.isoformat()}", day.isoformat())
            for day in journal.days()
        ]

    def _calls(self, entry: MttBusinessConfigEntry, day: date) -> BrowseMediaSource:
        calls = entry.runtime_data.journal.records_on(day)
        node = self._node(
            f"{entry.entry_id}/{day.isoformat()}",
            day.isoformat(),
            [self._call(entry, record) for record in calls],
        )
        node.children_media_class = MediaClass.MUSIC
        return node

    def _call(
        self, entry: MttBusinessConfigEntry, record: JournalRecord
    ) -> BrowseMediaSource:
        day = dt_util.as_local(record.started).date().isoformat()
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=f"{entry.entry_id}/{day}/{record.call_id}",
            media_class=MediaClass.MUSIC,
            media_content_type=MIME_TYPE,
            title=call_title(record, self.hass.config.language),
            can_play=record.recording is not None
            or (
                playable_url(self.hass, record.record_url) is not None
                and self._provider_keeps(record)
            ),
            can_expand=False,
        )

    def _node(
        self,
        identifier: str,
        title: str,
        children: list[BrowseMediaSource] | None = None,
    ) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier,
            media_class=MediaClass.DIRECTORY,
            media_content_type="",
            title=title,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY,
        )

    @staticmethod
    def _provider_keeps(record: JournalRecord) -> bool:
        return dt_util.utcnow() - record.started < KEEP

    # --- identifiers ------------------------------------------------------------

    @staticmethod
    def _parse[E: HomeAssistantError](
        identifier: str, kind: type[E]
    ) -> tuple[str, date | None, str | None]:
        """Entry id, day and call id of a media id (what it names of them)."""
        entry_id, _, rest = identifier.partition("/")
        if not rest:
            return entry_id, None, None
        day, _, call_id = rest.partition("/")
        try:
            return entry_id, date.fromisoformat(day), call_id or None
        except ValueError as err:
            raise _error(kind, "media_not_found", identifier=identifier) from err

    def _entry[E: HomeAssistantError](
        self, entry_id: str, kind: type[E]
    ) -> MttBusinessConfigEntry:
        entry: MttBusinessConfigEntry | None = self.hass.config_entries.async_get_entry(
            entry_id
        )
        if entry is None or entry.domain != DOMAIN:
            raise _error(kind, "unknown_entry", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise _error(kind, "entry_not_loaded", entry_id=entry_id)
        return entry

    @staticmethod
    def _record[E: HomeAssistantError](
        entry: MttBusinessConfigEntry, call_id: str, kind: type[E]
    ) -> JournalRecord:
        record = entry.runtime_data.journal.get(call_id)
        if record is None:
            raise _error(kind, "unknown_call_record", call_id=call_id)
        return record
