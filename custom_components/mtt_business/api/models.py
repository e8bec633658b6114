"""Typed values of the MTT Business Open API.

Everything here is read-only (frozen dataclasses; `CallNotification`, built for every
push, is `read_only`: see `read_only.py`) and carries no Home Assistant types, so that
the API package could be published as a library of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
import re

from .read_only import read_only

_LEG_SUFFIX = re.compile(r"~\d+[a-z]?$")


@lru_cache(maxsize=4096)
def _call_id(leg_id: str) -> str:
    return _LEG_SUFFIX.sub("", leg_id)


@dataclass(frozen=True, slots=True)
class ExternalNumber:
    """An external (public) number of the PBX, as `externalNumbersInfo` lists it."""

    number: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Workplace:
    """A workplace (рабочее место): a PBX user seat identified by its SIP ID."""

    sip_id: str
    name: str = ""

    @property
    def display_name(self) -> str:
        """The workplace's name, or its SIP ID where the portal has no name."""
        return self.name.strip() or self.sip_id


@dataclass(frozen=True, slots=True)
class Terminal:
    """A terminal (phone or location) bound to a workplace."""

    sip_id: str
    workplace: str


@dataclass(frozen=True, slots=True)
class PbxDirectory:
    """What the PBX is made of: its external numbers, workplaces and terminals."""

    external_numbers: tuple[ExternalNumber, ...] = ()
    workplaces: tuple[Workplace, ...] = ()
    terminals: tuple[Terminal, ...] = ()

    def workplace(self, sip_id: str) -> Workplace | None:
        """The workplace with this SIP ID, if the PBX has one."""
        for workplace in self.workplaces:
            if workplace.sip_id == sip_id:
                return workplace
        return None

    def terminals_of(self, workplace: str) -> tuple[Terminal, ...]:
        """The terminals bound to a workplace."""
        return tuple(t for t in self.terminals if t.workplace == workplace)


@dataclass(frozen=True, slots=True)
class Leg:
    """One leg of a call: the `call` object of a notification (`id`, `tag`).

    An incoming call to an external number is first parked on a leg ending in `~1o`;
    the leg that then reaches a workplace has the same prefix and another suffix
    (`~2o`). An outgoing call keeps one id through all its states.
    """

    id: str
    tag: str | None = None

    @property
    def is_parking(self) -> bool:
        """Whether this is the leg a parked incoming call waits on (`…~1o`)."""
        return self.id.endswith("~1o")

    @property
    def call_id(self) -> str:
        """The id of the call this leg belongs to: the leg id without its `~No` suffix."""
        return _call_id(self.id)


class CallState(StrEnum):
    """The `state` of a call notification."""

    TRYING = "trying"
    SHOWING = "showing"
    CONNECTED = "connected"
    HIDING = "hiding"
    FINISHED = "finished"
    RECORDED = "recorded"


class CallDirection(StrEnum):
    """The `type` of a call notification (documented both capitalised and not)."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


@dataclass(frozen=True, slots=True)
class Party:
    """Party A (`caller`) or party B (`callee`) of a call notification, as sent."""

    account_id: str | None = None
    display_id: str | None = None
    display_name: str | None = None
    id: str | None = None


@read_only
class CallNotification:
    """A `callNotifications` push: one state of one leg."""

    leg: Leg
    state: CallState
    direction: CallDirection | None = None
    caller: Party | None = None
    callee: Party | None = None
    start_time: datetime | None = None
    transport_id: str | None = None
    duration: int | None = None
    reason: str | None = None
    record_url: str | None = None
    account_id: str | None = None


class PbxChange(StrEnum):
    """The `eventType` of a `vpbxNotifications` push."""

    NUMBERS_CHANGED = "numbersChanged"
    WORKPLACES_CHANGED = "workplacesChanged"


@dataclass(frozen=True, slots=True)
class PbxNotification:
    """A `vpbxNotifications` push: the PBX's structure changed in the portal."""

    change: PbxChange | None
    """The change, or None for an event type this client does not know."""

    event_type: str = ""


@dataclass(frozen=True, slots=True)
class IgnoredNotification:
    """A well-formed push of a kind this client does not handle."""

    event: str
    extra: dict[str, object] = field(default_factory=dict, compare=False)


type Notification = CallNotification | PbxNotification | IgnoredNotification
