"""Ghost calls: incoming calls that rang so briefly that they are not missed.

A caller who hangs up at once, or a number the PBX blocks, makes a call nobody
could have answered. With the option `CONF_GHOST_SECONDS` (**Configure → Missed
calls**: "a call that rang less than N seconds is not missed"; 0, the default,
changes nothing) such an unanswered call is not missed: the `mtt_business_call`
event says `missed: false` and `ghost: true`, no `missed` event is fired, the
counters and the answer rate leave it out, and the journal keeps it marked
`ghost`. How long it rang: from its start (`startTime`, as the journal shows it) to
its end.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from .calls.tracker import TrackedCall

CONF_GHOST_SECONDS: Final = "ghost_seconds"
GHOST_SECONDS_MAX: Final = 60


def ghost_seconds(options: Mapping[str, Any]) -> int:
    """The option's N (0: no call is a ghost)."""
    value = options.get(CONF_GHOST_SECONDS, 0)
    return value if isinstance(value, int) and value > 0 else 0


def is_ghost(call: TrackedCall, options: Mapping[str, Any], now: datetime) -> bool:
    """Whether an unanswered call that just ended rang less than the option's N s."""
    if not (limit := ghost_seconds(options)):
        return False
    return (now - call.started).total_seconds() < limit
