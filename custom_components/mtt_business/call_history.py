"""The history of an entry's calls: ended calls into the journal, recordings archived.

Each ended call goes into the journal, and its recording into the archive when the
entry archives recordings; when the archive's download gives the path it saved the
recording at, that path goes into the journal. It follows the entry's
`SIGNAL_CALL_CHANGED`: it acts when a call ends (once, for a call seen to start) and when its recording is ready;
routing's decision, taken while the call was parked, is kept until then (for at
most `MAX_ROUTED` calls in flight).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from functools import partial

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .call_backs import CallBacks
from .call_journal import CallJournal
from .calls.tracker import CallEvent
from .calls.view import CallView, RoutingDecision
from .data import MttBusinessConfigEntry
from .journal_record import journal_record
from .recording_archive import RecordingArchive
from .signals import SIGNAL_CALL_CHANGED

MAX_ROUTED = 1000


class CallHistory:
    """Writes the ended calls of one entry into its journal and archive."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        journal: CallJournal,
        archive: RecordingArchive,
        workplace_name: Callable[[str | None], str | None],
        *,
        call_backs: CallBacks | None = None,
    ) -> None:
        """Keep the history of `entry`'s calls; `workplace_name` names workplaces.

        `call_backs` is told of each ended call, as journaled.
        """
        self._hass = hass
        self._entry = entry
        self._journal = journal
        self._archive = archive
        self._workplace_name = workplace_name
        self._call_backs = call_backs
        self._routing: OrderedDict[str, RoutingDecision] = OrderedDict()

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the entry's calls; returns the callback that stops it."""
        return async_dispatcher_connect(
            self._hass,
            SIGNAL_CALL_CHANGED.format(self._entry.entry_id),
            self.async_on_call,
        )

    @callback
    def async_on_call(self, view: CallView | None) -> None:
        """A call changed (None: calls were dropped, nothing ended)."""
        if view is None:
            return
        call_id = view.call.call_id
        if view.routing is not None:
            self._routing[call_id] = view.routing
            if len(self._routing) > MAX_ROUTED:
                self._routing.popitem(last=False)
        if CallEvent.FINISHED in view.events:
            routing = self._routing.pop(call_id, None)
            if not view.call.seen_start:
                return
            record = journal_record(
                view,
                routing=routing,
                workplace_name=self._workplace_name,
            )
            self._journal.add(record)
            if self._call_backs is not None:
                talks = record.talks
                self._call_backs.async_call_ended(
                    view,
                    talks[0].workplace_name if talks else record.workplace_name,
                    record.answered,
                )
        elif CallEvent.RECORDED in view.events and view.call.record_url:
            record_or_none = self._journal.set_record_url(call_id, view.call.record_url)
            if record_or_none is None:
                return
            record = record_or_none
        else:
            return
        download = self._archive.async_archive_in_background(self._entry, record)
        if download is not None:
            download.add_done_callback(partial(self._async_archived, call_id))

    @callback
    def _async_archived(self, call_id: str, download: asyncio.Task[str | None]) -> None:
        """A download ended: the journal points at the file it saved, if any."""
        if download.cancelled():
            return  # the entry unloads
        if (recording := download.result()) is not None:
            self._journal.set_recording(call_id, recording)
