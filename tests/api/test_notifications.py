"""Parsing pushes: every documented variant, and what cannot be understood."""

from __future__ import annotations

from datetime import datetime
import json

import pytest

from custom_components.mtt_business.api import (
    InvalidNotificationError,
    parse_notification,
    parse_notification_body,
)
from custom_components.mtt_business.api.models import (
    CallDirection,
    CallNotification,
    CallState,
    IgnoredNotification,
    PbxChange,
    PbxNotification,
)
from custom_components.mtt_business.api.phone_number import (
    format_number,
    is_phone_number,
    normalize_number,
    parse_number,
    same_subscriber,
)


def _call(**info: object) -> CallNotification:
    body = {
        "event": "callNotifications",
        "result": {
            "callInfo": {"call": {"id": "x~1o", "tag": "t"}, "state": "trying", **info}
        },
    }
    result = parse_notification_body(json.dumps(body).encode())
    assert isinstance(result, CallNotification)
    return result


def test_variants() -> None:
    n = _call(
        type="Incoming",
        startTime="2020-06-02 11:18:16",
        duration="4",
        reasonCode=17,
        callee={
            "display_name": "74996497803",
            "forwarderList": [{"id": "a"}, {"x": 1}, "junk"],
            "id": 883140777828305,
        },
        caller="not a party",
    )
    assert n.direction is CallDirection.INCOMING
    assert n.start_time == datetime.fromisoformat("2020-06-02T11:18:16+03:00")
    assert n.duration == 4
    assert n.reason_code == "17"
    assert n.callee is not None
    assert n.callee.display_name == "74996497803"
    assert n.callee.forwarders == ("a",)
    assert n.callee.id == "883140777828305"
    assert n.caller is None
    assert n.leg.call_id == "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4.0, 4), (4.5, None), (True, None), ("abc", None), ([], None)],
)
def test_durations(value: object, expected: int | None) -> None:
    assert _call(duration=value).duration == expected


def test_bad_times_and_types() -> None:
    n = _call(startTime="yesterday", type="sideways", transportId=["x"])
    assert n.start_time is None
    assert n.direction is None
    assert n.transport_id is None
    assert _call(startTime=5).start_time is None


def test_vpbx_and_other_events() -> None:
    assert parse_notification(
        {"event": "vpbxNotifications", "result": {" eventType ": "workplacesChanged"}}
    ) == PbxNotification(PbxChange.WORKPLACES_CHANGED, "workplacesChanged")
    unknown = parse_notification({"event": "vpbxNotifications", "result": None})
    assert isinstance(unknown, PbxNotification)
    assert unknown.change is None
    assert parse_notification({"event": " news "}) == IgnoredNotification("news")


def test_recorded() -> None:
    n = parse_notification(
        {
            "event": "callNotifications",
            "result": {
                "callInfo": {
                    "accountId": "883140777446532",
                    "call": {"id": "SD1@127.0.0.1"},
                    "state": "recorded",
                    "urlRecord": "https://h/p.mp3",
                }
            },
        }
    )
    assert isinstance(n, CallNotification)
    assert n.state is CallState.RECORDED
    assert n.leg.tag is None
    assert n.account_id == "883140777446532"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"event": 5},
        {"event": ""},
        {
            "event": "callNotifications",
            "result": {"callInfo": {"call": {"id": " "}, "state": "trying"}},
        },
    ],
)
def test_invalid(payload: object) -> None:
    with pytest.raises(InvalidNotificationError):
        parse_notification(payload)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("78124241500@pstn", "+78124241500"),
        ("89219462761", "+79219462761"),
        ("+7 (921) 946-27-61", "+79219462761"),
        ("9219462761", "+79219462761"),
        ("883140777716581", "883140777716581"),
        ("+441234567890", "+441234567890"),
        ("101", "101"),
        ("", None),
        ("abc", None),
        (None, None),
    ],
)
def test_normalize_number(raw: str | None, normalized: str | None) -> None:
    assert normalize_number(raw) == normalized


def test_number_helpers() -> None:
    assert same_subscriber("89219462761", "+79219462761")
    assert not same_subscriber("89219462761", None)
    assert is_phone_number("8 921 946 27 61")
    assert not is_phone_number("883140777716581")
    assert format_number("+79219462761") == "+7 921 946-27-61"
    assert format_number("883140777716581") == "883140777716581"
    assert parse_number("8-921-946-27-61") == "+79219462761"
    with pytest.raises(ValueError, match="not a number"):
        parse_number("call me")
