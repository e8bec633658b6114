"""What Home Assistant shows of a call: one typed, read-only view per change.

The call monitor builds one `CallView` for each change the call tracker reports
(with the routing decision, when routing acted) and hands that same object to the
`mtt_business_call` event, the logbook (through the event's data), the event
entities, the sensors and diagnostics. This module is the only place a call becomes
a dict, so a key means the same thing wherever users meet it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from ..api.models import Leg
from ..api.phone_number import format_number
from ..api.read_only import read_only
from .tracker import CallEvent, CallUpdate, TrackedCall

EVENT_CALL: Final = "mtt_business_call"
"""The bus event announcing every change of a call (automations, logbook)."""

ROUTING_FAILED: Final = "routing_failed"
"""The `state` of a second `mtt_business_call` event: the provider refused routing."""

LISTED_CALLS_LIMIT: Final = 50
"""Calls listed in the Active calls sensor's `calls` attribute, oldest first."""


class RoutingAction(StrEnum):
    """What personal-manager routing did with a parked call."""

    TRANSFER = "transfer"
    """Transferred to the workplace of the caller's personal manager."""
    RELEASED = "released"
    """No route: handed back to the PBX at once (the parking leg was ended)."""
    NONE = "none"
    """No route: left to the PBX after its parking window."""


def party_display(
    value: str | None, name: str | None, workplace_names: Mapping[str, str]
) -> str | None:
    """A party of a call as people read it, the same on every surface.

    A workplace's SIP ID is its name (`workplace_names`: SIP ID → name); else the
    phone book's or the provider's `name`; else the number, formatted
    (`+7 916 123-45-67`). None when the call has no such party.
    """
    if value and (workplace := workplace_names.get(value)):
        return workplace
    if name:
        return name
    return format_number(value) if value else None


def number_display(value: str | None, workplace_names: Mapping[str, str]) -> str | None:
    """A party's number, formatted (`+7 916 123-45-67`).

    None for a workplace (its SIP ID means nothing to people) or a missing party.
    """
    if not value or value in workplace_names:
        return None
    return format_number(value)


def display_fields(
    caller: str | None,
    callee: str | None,
    names: tuple[str | None, str | None],
    workplace_names: Mapping[str, str],
) -> dict[str, str | None]:
    """The display keys of a call's parties (`caller_display`, `caller_number`…)."""
    caller_name, callee_name = names
    return {
        "caller_display": party_display(caller, caller_name, workplace_names),
        "caller_number": number_display(caller, workplace_names),
        "callee_display": party_display(callee, callee_name, workplace_names),
        "callee_number": number_display(callee, workplace_names),
    }


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Routing's decision on a parked call, and the provider's refusal if any."""

    action: RoutingAction
    workplace: str | None = None
    """The SIP ID of the workplace the call was transferred to."""
    error: str | None = None
    """Why the provider refused the command (then the call follows the PBX)."""


@read_only
class CallView:
    """A call after one change, as every part of the integration shows it."""

    entry_id: str
    call: TrackedCall
    workplace_name: str | None
    """The name of the call's workplace in the PBX's directory (else its SIP ID)."""
    caller_name: str | None
    """The caller's name: from the phone book, else as the provider sent it."""
    callee_name: str | None
    state: str
    """What the change means for the call: a `CallEvent` (a leg's `finished` that
    does not end the call is `hiding`), or `routing_failed`."""
    events: tuple[CallEvent, ...] = ()
    """The event entities' events, in order (`finished` then `missed`); empty when
    nothing users see changed."""
    workplaces: frozenset[str] = frozenset()
    """Workplaces whose call state may have changed, or that the change names."""
    leg: Leg | None = None
    """The leg the push was about."""
    transport_id: str | None = None
    routing: RoutingDecision | None = None
    ghost: bool = False
    """An unanswered call that rang too briefly to be missed (no `missed` event)."""
    person: str | None = None
    """The person entity of the call's workplace (options: workplaces of people)."""
    calls_today_from_caller: int | None = None
    """An incoming call: the calls from its caller that started today, this one
    included (the journal's count); None for other calls."""

    @classmethod
    def of_update(
        cls,
        entry_id: str,
        update: CallUpdate,
        workplace_name: str | None,
        names: tuple[str | None, str | None],
        routing: RoutingDecision | None = None,
        *,
        state: str | None = None,
        ghost: bool = False,
        person: str | None = None,
        calls_today_from_caller: int | None = None,
    ) -> CallView:
        """The view of one change the tracker reported (`state`: another meaning).

        `names`: the caller's and the callee's names (`CallMonitor.names`); `ghost`:
        the missed call is a ghost call (`ghost_calls.py`), so not missed.
        """
        notification = update.notification
        events = update.events
        if ghost:
            events = tuple(event for event in events if event is not CallEvent.MISSED)
        return cls(
            entry_id,
            update.call,
            workplace_name,
            *names,
            state or update.state.value,
            events,
            update.workplaces,
            notification.leg,
            notification.transport_id,
            routing,
            ghost,
            person,
            calls_today_from_caller,
        )

    @classmethod
    def of_call(
        cls,
        entry_id: str,
        call: TrackedCall,
        workplace_name: str | None,
        names: tuple[str | None, str | None] = (None, None),
    ) -> CallView:
        """The view of a call as it is now (listing the active calls)."""
        return cls(
            entry_id, call, workplace_name, *names, call.state.value, leg=call.leg
        )

    @property
    def missed(self) -> bool:
        """An incoming call that ended unanswered (see `tracker`)."""
        return CallEvent.MISSED in self.events

    def event_data(self) -> dict[str, Any]:
        """The data of the `mtt_business_call` event."""
        call = self.call
        leg = self.leg or call.leg
        routing = self.routing
        data: dict[str, Any] = {
            "entry_id": self.entry_id,
            "call_id": call.call_id,
            "leg_id": leg.id,
            "tag": leg.tag,
            "transport_id": self.transport_id,
            "state": self.state,
            "missed": self.missed,
            "seen_start": call.seen_start,
            **self._parties(),
            "workplace_name": self.workplace_name,
            **self._outcome(),
            "external_number": call.external_number,
            "person": self.person,
            "calls_today_from_caller": self.calls_today_from_caller,
        }
        if self.ghost:
            data["ghost"] = True
        if routing is not None:
            data["routing"] = routing.action.value
            data["routed_to"] = routing.workplace
            if routing.error is not None:
                data["routing_error"] = routing.error
        return data

    def event_attributes(self) -> dict[str, Any]:
        """The attributes of a Call event entity's event."""
        return {"call_id": self.call.call_id, **self._parties(), **self._outcome()}

    def _parties(self) -> dict[str, Any]:
        """Who called whom, and where: shared by the event's data and attributes."""
        call = self.call
        return {
            "direction": call.direction.value if call.direction else None,
            "caller": call.caller,
            "callee": call.callee,
            "caller_name": self.caller_name,
            "callee_name": self.callee_name,
            "workplace": call.workplace,
        }

    def _outcome(self) -> dict[str, Any]:
        """How the call ended: shared by the event's data and attributes."""
        call = self.call
        return {
            "duration": call.duration,
            "reason": call.reason,
            "record_url": call.record_url,
        }

    def listing(
        self, workplace_names: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The call as listed by the Active calls sensor (one shape for every call).

        Besides the raw values, the parties as people read them (`party_display`):
        `caller_display`/`callee_display` (a workplace's name, else the contact's,
        else the formatted number) and `caller_number`/`callee_number` (formatted,
        None for a workplace). `workplace_names` (SIP ID → name) names the PBX's
        workplaces; without it only the call's own workplace is known by name.
        """
        call = self.call
        if workplace_names is None:
            workplace_names = (
                {call.workplace: self.workplace_name}
                if call.workplace and self.workplace_name
                else {}
            )
        return {
            "direction": call.direction.value if call.direction else None,
            "caller": call.caller,
            "callee": call.callee,
            "caller_name": self.caller_name,
            "callee_name": self.callee_name,
            "state": call.state.value,
            "workplace": call.workplace,
            "workplace_name": self.workplace_name or call.workplace,
            "started": call.started.isoformat(),
            **display_fields(
                call.caller,
                call.callee,
                (self.caller_name, self.callee_name),
                workplace_names,
            ),
        }

    def summary(self) -> dict[str, Any]:
        """An ended call as the Last call sensor shows it: its listing and its end."""
        call = self.call
        return self.listing() | {
            "call_id": call.call_id,
            "missed": self.missed,
            "duration": call.duration,
            "reason": call.reason,
        }


EVENT_ATTRIBUTES: Final = (
    "call_id",
    "direction",
    "caller",
    "callee",
    "caller_name",
    "callee_name",
    "workplace",
    "duration",
    "reason",
    "record_url",
)
"""The keys of `CallView.event_attributes` (kept out of the recorder)."""
SUMMARY_ATTRIBUTES: Final = (
    "direction",
    "caller",
    "callee",
    "caller_name",
    "callee_name",
    "state",
    "workplace",
    "workplace_name",
    "started",
    "caller_display",
    "caller_number",
    "callee_display",
    "callee_number",
    "call_id",
    "missed",
    "duration",
    "reason",
)
"""The keys of `CallView.summary` (restored by the Last call sensor)."""
