r"""Parsing the provider's pushes (SPEC §4), accepting every documented variant.

A push is unauthenticated input: every value is validated and bounded here, while it
is parsed, before it can reach a state, an event or a log line. The bounds:

- Ids (`call.id`, `call.tag`, `transportId`, `accountId`, a party's ids,
  `forwarderList` ids, `reasonCode`, the `event` name and `eventType`): at most
  `MAX_ID_LENGTH` (128) characters. Documented ids are at most ~60. An id sent as a
  JSON number is taken when it is an integer from 0 to `MAX_ID_NUMBER` (20 digits).
- Free text (`displayName`, `reason`): at most `MAX_TEXT_LENGTH` (1,000) characters;
  `urlRecord`: at most `MAX_URL_LENGTH` (2,048), and an `http` or `https` link
  (`javascript:`, `data:` or any other scheme is dropped; which links are fetched
  or offered to a browser is `url_guard`'s business).
- Every string: no lone surrogates (`"\ud800"` in JSON decodes to one, and it
  cannot be encoded as UTF-8 for the recorder, the API or a log) and no NUL; ids
  and `urlRecord` must be printable (no line breaks or other control characters,
  which could forge log lines).
- `duration`: whole seconds from 0 to `MAX_DURATION` (one week); a JSON number like
  `1e30` (a float) or `1` followed by 400 zeros (an int) is out of range.
- `startTime`: a Moscow wall time of a year from 2000 to 2100.

A required value that breaks a bound (`event`, `call.id`, `state`) rejects the push
(`InvalidNotificationError`, the receiver answers 400); an optional one is dropped
(None) and the push is still understood. A JSON integer
of more than 4,300 digits cannot even be decoded (Python's limit): the body is not
JSON. The messages of `InvalidNotificationError` quote at most `QUOTE_LENGTH` (20)
characters of a value, ASCII-escaped, so that a rejection can be logged and answered
safely.
"""

from __future__ import annotations

from datetime import datetime
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from .errors import InvalidNotificationError
from .models import (
    CallDirection,
    CallNotification,
    CallState,
    IgnoredNotification,
    Leg,
    Notification,
    Party,
    PbxChange,
    PbxNotification,
)

MOSCOW = ZoneInfo("Europe/Moscow")

MAX_ID_LENGTH = 128
MAX_ID_NUMBER = 10**20 - 1
MAX_TEXT_LENGTH = 1_000
MAX_URL_LENGTH = 2_048
MAX_DURATION = 7 * 24 * 3600
MIN_YEAR = 2000
MAX_YEAR = 2100
QUOTE_LENGTH = 20
_LINK_SCHEMES = frozenset({"http", "https"})


def quote(value: object) -> str:
    """A short, ASCII-only quotation of a value for a message or a log line."""
    text = value if isinstance(value, str) else type(value).__name__
    if len(text) > QUOTE_LENGTH:
        return ascii(text[:QUOTE_LENGTH]) + "..."
    return ascii(text)


def _clean(text: str) -> bool:
    """Whether a string can be stored and shown: valid UTF-8 once encoded, no NUL."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _object_with_plain_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as Python's `json` decodes it, its keys stripped."""
    return {key.strip(): value for key, value in pairs}


def _plain(value: Any) -> Any:
    """An object whose keys are read: with its keys stripped, when one needs it.

    Only the objects a push is read from pass here, not the whole tree. Keys that are
    identifiers (every documented key) have no white space to strip.
    """
    if type(value) is dict and not all(map(str.isidentifier, value)):
        return {(k.strip() if isinstance(k, str) else k): v for k, v in value.items()}
    return value


def _str(value: Any, limit: int = MAX_ID_LENGTH) -> str | None:
    """An id: printable, within `limit` characters, or sent as a whole number."""
    kind = type(value)
    if kind is str:
        # isprintable() is False for line breaks, NUL and lone surrogates alike.
        return value if len(value) <= limit and value.isprintable() else None
    if kind is int and 0 <= value <= MAX_ID_NUMBER:
        return str(value)
    return None


def _link(value: Any) -> str | None:
    """A link: an id-like string of at most `MAX_URL_LENGTH`, `http(s)://` only."""
    link = _str(value, MAX_URL_LENGTH) if type(value) is str else None
    if link is None:
        return None
    scheme, sep, rest = link.partition("://")
    return link if sep and rest and scheme.lower() in _LINK_SCHEMES else None


def _text(value: Any, limit: int = MAX_TEXT_LENGTH) -> str | None:
    """Free text: within `limit` characters, encodable, no NUL (line breaks are)."""
    if type(value) is str:
        return value if len(value) <= limit and _clean(value) else None
    return _str(value)


def _int(value: Any) -> int | None:
    """A duration: whole seconds within 0..`MAX_DURATION`."""
    kind = type(value)
    if kind is int:
        return value if 0 <= value <= MAX_DURATION else None
    if kind is float:
        number = value
    elif kind is str and len(value) <= 32:
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    # NaN fails both comparisons, infinities the range.
    if 0 <= number <= MAX_DURATION and number.is_integer():
        return int(number)
    return None


def _time(value: Any) -> datetime | None:
    """`startTime`, `2020-06-02 11:18:16` exactly, is Moscow time."""
    if not isinstance(value, str):
        return None
    if value in _times:
        return _times[value]
    moment = _parse_time(value)
    if len(_times) >= _MEMO_SIZE:
        _times.clear()
    _times[value] = moment
    return moment


def _parse_time(value: str) -> datetime | None:
    text = value.strip()
    if len(text) != 19 or text[10] != " ":
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment.replace(tzinfo=MOSCOW)


def _display_name(party: dict[str, Any]) -> str | None:
    """`displayName`, or `display_name` (000_…'s finished example); non-empty first."""
    first = _text(party.get("displayName"))
    if first:
        return first
    second = _text(party.get("display_name"))
    if second:
        return second
    return first if first is not None else second


_MEMO_SIZE = 4096
"""Parties and start times remembered as parsed (a call's pushes repeat them)."""
_parties: dict[tuple[Any, ...], Party] = {}
_times: dict[str, datetime | None] = {}


def _party(value: Any) -> Party | None:
    if not isinstance(value, dict):
        return None
    value = _plain(value)
    get = value.get
    key = (
        get("accountId"),
        get("displayId"),
        get("displayName"),
        get("display_name"),
        get("id"),
    )
    # Only parties of strings (or missing values) are remembered; no other JSON
    # value equals a string, so a hit is a party of strings. Unhashable values
    # (a list sent as an id) are parsed each time.
    try:
        if (party := _parties.get(key)) is not None:
            return party
    except TypeError:
        memo = False
    else:
        memo = all(v is None or type(v) is str for v in key)
    party = Party(
        account_id=_str(key[0]),
        display_id=_str(key[1]),
        display_name=_display_name(value),
        id=_str(key[4]),
    )
    if memo:
        if len(_parties) >= _MEMO_SIZE:
            _parties.clear()
        _parties[key] = party
    return party


_DIRECTIONS: dict[str, CallDirection] = {d.value: d for d in CallDirection}
_STATES: dict[str, CallState] = {s.value: s for s in CallState}
"""Lookups by value: faster than calling the enum (this runs for every push)."""


def _direction(value: Any) -> CallDirection | None:
    if isinstance(value, str) and len(value) <= QUOTE_LENGTH:
        return _DIRECTIONS.get(value.strip().lower())
    return None


def _call(result: Any) -> CallNotification:
    info = _plain(result).get("callInfo") if isinstance(result, dict) else None
    if not isinstance(info, dict):
        raise InvalidNotificationError("callNotifications without a callInfo object")
    info = _plain(info)
    call = _plain(info.get("call"))
    raw_id = call.get("id") if isinstance(call, dict) else None
    leg_id = raw_id.strip() if isinstance(raw_id, str) else None
    if not leg_id:
        raise InvalidNotificationError("call push without call.id")
    if _str(leg_id) is None:
        raise InvalidNotificationError(
            f"call.id {quote(raw_id)} is longer than {MAX_ID_LENGTH} characters "
            "or not valid text"
        )
    state = info.get("state")
    if not isinstance(state, str):
        raise InvalidNotificationError("call push without a state")
    call_state = _STATES.get(state.strip().lower())
    if call_state is None:
        raise InvalidNotificationError(f"unknown call state {quote(state)}")
    assert isinstance(call, dict)
    return CallNotification(
        leg=Leg(leg_id, _str(call.get("tag"))),
        state=call_state,
        direction=_direction(info.get("type")),
        caller=_party(info.get("caller")),
        callee=_party(info.get("callee")),
        start_time=_time(info.get("startTime")),
        transport_id=_str(info.get("transportId")),
        duration=_int(info.get("duration")),
        reason=_text(info.get("reason")),
        record_url=_link(info.get("urlRecord")),
        account_id=_str(info.get("accountId")),
    )


def parse_notification(payload: object) -> Notification:
    """Understand one decoded push, or raise `InvalidNotificationError` saying why not.

    Keys with surrounding white space (`" eventType "`) are the plain keys.
    """
    if not isinstance(payload, dict):
        raise InvalidNotificationError("the body is not a JSON object")
    data = _plain(payload)
    event = data.get("event")
    if not isinstance(event, str) or not event.strip():
        raise InvalidNotificationError("no event name")
    if _str(event.strip()) is None:
        raise InvalidNotificationError(
            f"event name {quote(event)} is longer than {MAX_ID_LENGTH} characters "
            "or not valid text"
        )
    event = event.strip()
    result: Any = data.get("result")
    if event == "callNotifications":
        return _call(result)
    if event == "vpbxNotifications":
        kind = _plain(result).get("eventType") if isinstance(result, dict) else None
        kind = kind.strip() if isinstance(kind, str) else ""
        kind = kind if _str(kind) else ""
        try:
            change: PbxChange | None = PbxChange(kind)
        except ValueError:
            change = None
        return PbxNotification(change, kind)
    return IgnoredNotification(event)


_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= c <= 0x39 else 0x20 for c in range(256))
"""A `bytes.translate` table: every digit becomes `0`, every other byte a space."""
_LONG_NUMBER = re.compile(rb"[:\[,]\s*-?[0-9]{20}")
"""A JSON number of 20 digits or more, which orjson may decode as a float where `json`
keeps the integer (digits inside a string do not match: a quote comes first)."""


def _may_hold_long_number(body: bytes) -> bool:
    """Whether a JSON number of 20 digits or more may be in the body.

    Most bodies have no 20 digits in a row at all, which the cheap first test shows.
    """
    return (
        b"0" * 20 in body.translate(_DIGITS_AS_ZEROS)
        and _LONG_NUMBER.search(body) is not None
    )


def _decode(body: bytes) -> Any:
    """The JSON value of a body: orjson first (fast), Python's `json` for the rest.

    orjson refuses what Python's decoder takes (NaN, a lone surrogate escape,
    UTF-16, integers beyond 64 bits, whose value it would round): those bodies are
    decoded as before, so that an unusable optional value is dropped, not the push.
    """
    if not _may_hold_long_number(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body, object_pairs_hook=_object_with_plain_keys)
    except (ValueError, RecursionError) as err:
        # UnicodeDecodeError is a ValueError, and so is an integer of more than
        # 4,300 digits (Python's limit on converting integers from text).
        raise InvalidNotificationError("the body is not JSON") from err


def parse_notification_body(body: bytes) -> Notification:
    """Decode a push body (UTF-8 JSON) and understand it."""
    return parse_notification(_decode(body))
