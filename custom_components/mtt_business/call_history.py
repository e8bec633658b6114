"""The history of an entry's calls: ended calls into the journal, recordings archived.

Each ended call goes into the journal, and its recording into the archive when the
entry archives recordings. A `CallMonitor` listener: it acts when a call ends (once, for a call seen to start)
and when its recording is ready; routing's decision, taken while the call was parked,
is kept until then (for at most `MAX_ROUTED` calls in flight).
"""

from __future__ import annotations

from collections import OrderedDict

from homeassistant.core import callback

from .call_journal import CallJournal
from .call_tracker import CallEvent
from .call_view import CallView, RoutingDecision
from .data import MttBusinessConfigEntry
from .journal_record import journal_record
from .recording_archive import RecordingArchive

MAX_ROUTED = 1000


class CallHistory:
    """Writes the ended calls of one entry into its journal and archive."""

    def __init__(
        self,
        entry: MttBusinessConfigEntry,
        journal: CallJournal,
        archive: RecordingArchive,
    ) -> None:
        """Keep the history of `entry`'s calls."""
        self._entry = entry
        self._journal = journal
        self._archive = archive
        self._routing: OrderedDict[str, RoutingDecision] = OrderedDict()

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
                workplace_name=self._entry.runtime_data.call_monitor.workplace_name,
            )
            self._journal.add(record)
        elif CallEvent.RECORDED in view.events and view.call.record_url:
            record_or_none = self._journal.set_record_url(call_id, view.call.record_url)
            if record_or_none is None:
                return
            record = record_or_none
        else:
            return
        self._archive.async_archive_in_background(self._entry, self._journal, record)
