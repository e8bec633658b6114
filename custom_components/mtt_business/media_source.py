"""Recordings of calls in Home Assistant's media browser.

    MTT Business
      → the entry (only when several are loaded)
        → a day: "7 December 2026 (UTC+3)", the local dates (Home Assistant's time
          zone, which the title names) that have a recording, newest first
          → a call: "10:42 +7 916 123-45-67 → Ресепшн, 2:31" (newest first; a
            transferred call names each workplace it talked at)

Only calls that can play are listed: one with an archived copy (served by the
archive's view, to signed-in users and signed links), or with the provider's link
while MTT keeps the recording (90 days from the call). A day without one is not
listed. Titles and errors speak Home Assistant's language (the media browser's
requests do not say the user's) and name calls by time, names and formatted numbers,
never by ids. Media ids: `media-source://mtt_business/<entry id>/<YYYY-MM-DD>/<call
id>`.
"""

from __future__ import annotations

from datetime import date, datetime, time as daytime, timedelta
from functools import partial
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
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .api.phone_number import format_number
from .call_journal import KEEP, CallJournal
from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .entries import EntryLookupError, async_loaded_entry
from .errors import translated
from .journal_record import JournalRecord
from .recording_archive import (
    ARCHIVE_FOLDER,
    MIME_TYPE,
    RECORDINGS_URL,
    media_folder,
    recording_file,
)
from .url_guard import playable_url

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "missed": "missed",
        "months": "January February March April May June July August September "
        "October November December",
    },
    "ru": {
        "missed": "пропущен",
        "months": "января февраля марта апреля мая июня июля августа сентября "
        "октября ноября декабря",
    },
}
"""Words of the titles, by Home Assistant's language (English otherwise)."""


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The recordings of MTT Business calls as a media source."""
    return CallRecordingsSource(hass)


def _texts(language: str) -> dict[str, str]:
    return TEXTS.get(language.split("-", maxsplit=1)[0].lower(), TEXTS["en"])


def day_title(day: date, language: str) -> str:
    """A day as people read it, with the time zone its times are in.

    `7 December 2026 (UTC+3)`; the offset is Home Assistant's time zone's on that
    day (summer time included).
    """
    month = _texts(language)["months"].split()[day.month - 1]
    noon = datetime.combine(day, daytime(12), dt_util.get_default_time_zone())
    return f"{day.day} {month} {day.year} ({_offset(noon.utcoffset())})"


def _offset(offset: timedelta | None) -> str:
    minutes = round((offset or timedelta()).total_seconds() / 60)
    if not minutes:
        return "UTC"
    hours, minutes = divmod(abs(minutes), 60)
    sign = "+" if offset and offset > timedelta() else "-"
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def call_title(record: JournalRecord, language: str) -> str:
    """How a call is listed: local time, who → whom, its length or "missed"."""
    title = f"{dt_util.as_local(record.started):%H:%M} {_parties(record)}"
    if record.missed:
        return f"{title}, {_texts(language)['missed']}"
    if record.duration is not None:
        return f"{title}, {_length(record.duration)}"
    return title


def call_label(record: JournalRecord, language: str) -> str:
    """A call in a sentence: `7 December 2026 10:42, +7 916 123-45-67 → Ресепшн`."""
    started = dt_util.as_local(record.started)
    day = day_title(started.date(), language).rsplit(" (", 1)[0]
    return f"{day} {started:%H:%M}, {_parties(record)}"


def _parties(record: JournalRecord) -> str:
    """Who → whom: names, else formatted numbers; each workplace a transfer reached."""
    workplaces = [talk.workplace_name or talk.workplace for talk in record.talks] + [
        record.workplace_name or record.workplace
    ]
    at = " → ".join(
        dict.fromkeys(w for w in workplaces if w)  # in order, each once
    )
    if record.direction == "outgoing":
        source = at or _party(record.caller, record.caller_name)
        target = _party(record.callee, record.callee_name)
    else:
        source = _party(record.caller, record.caller_name)
        target = at or _party(record.callee, record.callee_name)
    return f"{source} → {target}"


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


def _provider_keeps(record: JournalRecord) -> bool:
    return record.record_url is not None and dt_util.utcnow() - record.started < KEEP


def playable(hass: HomeAssistant, record: JournalRecord) -> bool:
    """Whether a call can play: archived, or kept by MTT at a link for browsers."""
    return record.recording is not None or (
        _provider_keeps(record) and playable_url(hass, record.record_url) is not None
    )


class CallRecordingsSource(MediaSource):
    """The recorded calls of every loaded MTT Business entry."""

    name = "MTT Business"

    def __init__(self, hass: HomeAssistant) -> None:
        """Browse the calls of `hass`'s entries."""
        super().__init__(DOMAIN)
        self.hass = hass

    @property
    def _language(self) -> str:
        return self.hass.config.language

    @override
    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """A level of the tree: the root, an entry, a day, or a call."""
        try:
            return self._browse(item)
        except BrowseError as err:
            raise await self._translated(err) from err

    @override
    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A call's archived copy if there is one, else the provider's link."""
        try:
            return await self._resolve(item)
        except Unresolvable as err:
            raise await self._translated(err) from err

    def _browse(self, item: MediaSourceItem) -> BrowseMediaSource:
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

    async def _resolve(self, item: MediaSourceItem) -> PlayMedia:
        entry_id, _, call_id = self._parse(item.identifier, Unresolvable)
        if call_id is None:
            raise translated(Unresolvable, "media_not_found")
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
        if link is not None and _provider_keeps(record):
            return PlayMedia(link, MIME_TYPE)
        call = call_label(record, self._language)
        if record.recording is not None:
            raise translated(Unresolvable, "recording_archive_missing", call=call)
        if record.record_url is not None:
            raise translated(Unresolvable, "recording_expired", call=call)
        raise translated(Unresolvable, "call_not_recorded", call=call)

    async def _translated[E: HomeAssistantError](self, err: E) -> E:
        """The error with its message in Home Assistant's language.

        Home Assistant writes the messages of translated errors in English, and the
        media browser shows the message as it is; the key travels along.
        """
        key = err.translation_key
        if err.translation_domain != DOMAIN or key is None:
            return err
        placeholders = err.translation_placeholders or {}
        messages = await async_get_translations(
            self.hass, self._language, "exceptions", [DOMAIN]
        )
        template = messages.get(f"component.{DOMAIN}.exceptions.{key}.message")
        try:
            message = template.format(**placeholders).rstrip(".") if template else ""
        except KeyError, IndexError:
            message = ""
        if not message:
            return err
        return type(err)(
            message,
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )

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
            self._node(
                f"{entry.entry_id}/{day.isoformat()}", day_title(day, self._language)
            )
            for day in journal.days(partial(playable, self.hass))
        ]

    def _calls(self, entry: MttBusinessConfigEntry, day: date) -> BrowseMediaSource:
        calls = entry.runtime_data.journal.records_on(day)
        node = self._node(
            f"{entry.entry_id}/{day.isoformat()}",
            day_title(day, self._language),
            [
                self._call(entry, record)
                for record in calls
                if playable(self.hass, record)
            ],
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
            title=call_title(record, self._language),
            can_play=playable(self.hass, record),
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
            raise translated(kind, "media_not_found") from err

    def _entry[E: HomeAssistantError](
        self, entry_id: str, kind: type[E]
    ) -> MttBusinessConfigEntry:
        try:
            return async_loaded_entry(self.hass, entry_id)
        except EntryLookupError as err:
            if err.entry is None:
                raise translated(kind, "media_unknown_entry") from err
            raise translated(
                kind, "media_entry_not_loaded", title=err.entry.title
            ) from err

    @staticmethod
    def _record[E: HomeAssistantError](
        entry: MttBusinessConfigEntry, call_id: str, kind: type[E]
    ) -> JournalRecord:
        record = entry.runtime_data.journal.get(call_id)
        if record is None:
            raise translated(kind, "unknown_call_record")
        return record
