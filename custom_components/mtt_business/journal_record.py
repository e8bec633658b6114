"""The record of one ended call, as the call journal keeps it.

Each ended call becomes a `JournalRecord`: who called whom, at which workplace, when
it started, was answered and ended, whether it was missed, what routing did with it,
what each workplace talked when it talked at several (a transfer), the external
number an incoming call dialled, whether it was a ghost call (rang too briefly to be
missed),
the provider's link to its recording (`urlRecord`, a `recorded` push that may come
after the call ended) and, once archived, the local copy.

A record is stored as `JournalRecord.as_dict` gives it and read back with
`JournalRecord.from_dict`, which refuses (ValueError, TypeError) anything it did not
give; a field added since defaults when a call stored before lacks it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import sys
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .api.models import CallDirection
from .calls.tracker import Talk
from .calls.view import CallView, RoutingAction, RoutingDecision

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
    external_number: str | None = None
    """Of an incoming call, the PBX's external number it dialled (`+7…`)."""
    ghost: bool = False
    """Unanswered, but rang too briefly to be missed (`ghost_calls.py`)."""
    person: str | None = None
    """The person entity of `workplace` when the call ended (workplaces of people)."""

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
            "external_number": self.external_number,
            "ghost": self.ghost,
            "person": self.person,
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
        ghost = data.get("ghost", False)  # not stored before ghost calls
        if not isinstance(ghost, bool):
            raise TypeError(f"ghost {ghost!r}")
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
            external_number=_shared_text(data, "external_number"),
            ghost=ghost,
            person=_shared_text(data, "person"),  # None: stored before people were
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
        external_number=call.external_number,
        ghost=view.ghost,
        person=view.person,
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
