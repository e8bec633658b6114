"""Parsing the provider's pushes (SPEC §4), accepting every documented variant."""

from __future__ import annotations

from datetime import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

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


def _strip_keys(value: Any) -> Any:
    """Keys with surrounding white space (`" eventType "`) are the plain keys."""
    if isinstance(value, dict):
        return {
            (k.strip() if isinstance(k, str) else k): _strip_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_strip_keys(item) for item in value]
    return value


def _object_with_plain_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as it is decoded, its keys stripped (`_strip_keys` in one pass)."""
    return {key.strip(): value for key, value in pairs}


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


def _time(value: Any) -> datetime | None:
    """`startTime`, `2020-06-02 11:18:16` exactly, is Moscow time."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) != 19 or text[10] != " ":
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)
    except ValueError:
        return None


def _display_name(party: dict[str, Any]) -> str | None:
    """`displayName`, or `display_name` (000_…'s finished example); non-empty first."""
    first = _str(party.get("displayName"))
    if first:
        return first
    second = _str(party.get("display_name"))
    if second:
        return second
    return first if first is not None else second


def _party(value: Any) -> Party | None:
    if not isinstance(value, dict):
        return None
    get = value.get
    forwarders = get("forwarderList")
    return Party(
        account_id=_str(get("accountId")),
        centrex_id=_str(get("centrexId")),
        display_id=_str(get("displayId")),
        display_name=_display_name(value),
        id=_str(get("id")),
        extension_id=_str(get("extensionId")),
        forwarders=tuple(
            fid
            for item in forwarders
            if isinstance(item, dict) and (fid := _str(item.get("id")))
        )
        if forwarders and isinstance(forwarders, list)
        else (),
    )


def _direction(value: Any) -> CallDirection | None:
    if isinstance(value, str):
        try:
            return CallDirection(value.strip().lower())
        except ValueError:
            return None
    return None


def _call(result: Any) -> CallNotification:
    info = result.get("callInfo") if isinstance(result, dict) else None
    if not isinstance(info, dict):
        raise InvalidNotificationError("callNotifications without a callInfo object")
    call = info.get("call")
    leg_id = call.get("id") if isinstance(call, dict) else None
    if not isinstance(leg_id, str) or not leg_id.strip():
        raise InvalidNotificationError("call push without call.id")
    state = info.get("state")
    if not isinstance(state, str):
        raise InvalidNotificationError("call push without a state")
    try:
        call_state = CallState(state.strip().lower())
    except ValueError as err:
        raise InvalidNotificationError(f"unknown call state {state!r}") from err
    assert isinstance(call, dict)
    return CallNotification(
        leg=Leg(leg_id.strip(), _str(call.get("tag"))),
        state=call_state,
        direction=_direction(info.get("type")),
        caller=_party(info.get("caller")),
        callee=_party(info.get("callee")),
        start_time=_time(info.get("startTime")),
        transport_id=_str(info.get("transportId")),
        duration=_int(info.get("duration")),
        reason=_str(info.get("reason")),
        reason_code=_str(info.get("reasonCode")),
        record_url=_str(info.get("urlRecord")),
        account_id=_str(info.get("accountId")),
    )


def parse_notification(payload: object) -> Notification:
    """Understand one push, or raise `InvalidNotificationError` saying why not."""
    return _parse(_strip_keys(payload))


def _parse(data: object) -> Notification:
    """Understand a decoded push whose keys are already stripped."""
    if not isinstance(data, dict):
        raise InvalidNotificationError("the body is not a JSON object")
    event = data.get("event")
    if not isinstance(event, str) or not event.strip():
        raise InvalidNotificationError("no event name")
    event = event.strip()
    result: Any = data.get("result")
    if event == "callNotifications":
        return _call(result)
    if event == "vpbxNotifications":
        kind = result.get("eventType") if isinstance(result, dict) else None
        kind = kind.strip() if isinstance(kind, str) else ""
        try:
            change: PbxChange | None = PbxChange(kind)
        except ValueError:
            change = None
        return PbxNotification(change, kind)
    return IgnoredNotification(event)


def parse_notification_body(body: bytes) -> Notification:
    """Decode a push body (UTF-8 JSON) and understand it."""
    try:
        payload = json.loads(body, object_pairs_hook=_object_with_plain_keys)
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise InvalidNotificationError("the body is not JSON") from err
    return _parse(payload)
