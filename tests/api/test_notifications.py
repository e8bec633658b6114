"""Parsing pushes: every documented variant, and what cannot be understood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path

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
    Leg,
    Party,
    PbxChange,
    PbxNotification,
)
from custom_components.mtt_business.api.notifications import MOSCOW
from custom_components.mtt_business.api.phone_number import (
    format_number,
    normalize_number,
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
    assert n.callee is not None
    assert n.callee.display_name == "74996497803"
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
    """People's formats of one number are one number; people read it grouped."""
    assert normalize_number("8-921-946-27-61") == "+79219462761"
    assert normalize_number("call me") is None
    assert format_number("+79219462761") == "+7 921 946-27-61"
    assert format_number("883140777716581") == "883140777716581"


FIXTURES = Path(__file__).parent / "fixtures"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "state", "direction", "leg_id", "tag"),
    [
        (
            "push_incoming_trying.json",
            CallState.TRYING,
            CallDirection.INCOMING,
            "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7~1o",
            "hswdfry52vmykfla____.o",
        ),
        (
            "push_outgoing_trying.json",
            CallState.TRYING,
            CallDirection.OUTGOING,
            "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
            "sdfe2n901-281028329",
        ),
        (
            "push_outgoing_showing.json",
            CallState.SHOWING,
            CallDirection.OUTGOING,
            "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
            "sdfe2n901-281028329",
        ),
        (
            "push_outgoing_connected.json",
            CallState.CONNECTED,
            CallDirection.OUTGOING,
            "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
            "sdfe2n901-281028329",
        ),
        (
            "push_outgoing_hiding.json",
            CallState.HIDING,
            CallDirection.OUTGOING,
            "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
            "sdfe2n901-281028329",
        ),
        (
            "push_outgoing_finished.json",
            CallState.FINISHED,
            CallDirection.OUTGOING,
            "SDfe2n901-b510751695c9e53584301f0c0e8d98c9200@127.0.0.1",
            "sdfe2n901-281028329",
        ),
        (
            "push_incoming_finished_repaired.json",
            CallState.FINISHED,
            CallDirection.INCOMING,
            "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7~2o",
            "hswddry52ykfcb2a____.o",
        ),
        (
            "push_recorded.json",
            CallState.RECORDED,
            None,
            "SDvapak01-3bd7d743109f2668f16de50c9ab53559100@127.0.0.1",
            None,
        ),
    ],
)
def test_documented_call_examples(
    name: str,
    state: CallState,
    direction: CallDirection | None,
    leg_id: str,
    tag: str | None,
) -> None:
    """Every documented call notification parses into its state, leg and direction."""
    n = parse_notification_body(_fixture(name))
    assert isinstance(n, CallNotification)
    assert (n.state, n.direction, n.leg.id, n.leg.tag) == (
        state,
        direction,
        leg_id,
        tag,
    )


def test_documented_incoming_trying_details() -> None:
    """The parked leg of an incoming call: parties, time in Moscow, transport."""
    n = parse_notification_body(_fixture("push_incoming_trying.json"))
    assert isinstance(n, CallNotification)
    assert n.leg.call_id == "c166e238a4c211ea9d373863bb43daf8_00015ED635780FC7"
    assert n.transport_id == "10.133.33.136:5073"
    assert n.start_time == datetime(2020, 6, 2, 11, 18, 16, tzinfo=MOSCOW)
    assert n.start_time.utcoffset() == timedelta(hours=3)
    assert n.callee == Party(
        account_id="74996497803",
        display_id="74996497803",
        display_name="",
        id="74996497803",
    )
    assert n.caller is not None
    assert n.caller.account_id == "78124241500@pstn"
    assert n.duration is None


def test_documented_incoming_finished_details() -> None:
    """`display_name`, duration, reason; the fields we do not use are ignored."""
    n = parse_notification_body(_fixture("push_incoming_finished_repaired.json"))
    assert isinstance(n, CallNotification)
    assert n.callee is not None
    assert n.callee.display_name == "74996497803"
    assert n.duration == 4
    assert n.reason == "Answer leg disconnected"
    assert n.start_time is None


def test_documented_incoming_finished_as_printed_is_not_json() -> None:
    """The documentation prints it one brace short: refused with a reason."""
    with pytest.raises(InvalidNotificationError, match="not JSON"):
        parse_notification_body(_fixture("push_incoming_finished.json"))


def test_documented_recorded_details() -> None:
    """`recorded`: top-level accountId and the record's address, no parties."""
    n = parse_notification_body(_fixture("push_recorded.json"))
    assert isinstance(n, CallNotification)
    assert n.account_id == "883140777446532"
    assert n.record_url == "https://<serverhost>/<path>/<filename>.mp3"
    assert (n.caller, n.callee, n.transport_id) == (None, None, None)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("push_numbers_changed.json", PbxChange.NUMBERS_CHANGED),
        ("push_workplaces_changed.json", PbxChange.WORKPLACES_CHANGED),
    ],
)
def test_documented_pbx_examples(name: str, change: PbxChange) -> None:
    """Both PBX notifications, the second with `" eventType "` as printed."""
    assert parse_notification_body(_fixture(name)) == PbxNotification(
        change, change.value
    )


def test_keys_with_white_space_everywhere() -> None:
    """Keys are stripped at every level, values of ids too."""
    n = parse_notification(
        {
            " event ": "callNotifications",
            "result ": {
                " callInfo": {
                    " call ": {" id": " a~1o ", "tag ": "t"},
                    " state ": " Connected ",
                    " type": "Outgoing",
                    "caller ": {" displayName ": "Reception"},
                }
            },
        }
    )
    assert isinstance(n, CallNotification)
    assert n.leg == Leg("a~1o", "t")
    assert n.state is CallState.CONNECTED
    assert n.direction is CallDirection.OUTGOING
    assert n.caller == Party(display_name="Reception")


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ({"displayName": "A", "display_name": "B"}, "A"),
        ({"displayName": "", "display_name": "B"}, "B"),
        ({"displayName": None, "display_name": "B"}, "B"),
        ({"displayName": ""}, ""),
        ({"display_name": 7}, "7"),
        ({"displayName": ["x"]}, None),
        ({}, None),
    ],
)
def test_display_name_spellings(
    caller: dict[str, object], expected: str | None
) -> None:
    """`displayName` or `display_name`, whichever has a name."""
    n = _call(caller=caller)
    assert n.caller is not None
    assert n.caller.display_name == expected


def test_wrong_types_become_none() -> None:
    """Optional fields of the wrong type are dropped, the push is still understood."""
    n = _call(
        call={"id": "x~1o", "tag": {"a": 1}},
        callee={"accountId": [], "centrexId": {}, "forwarderList": "a,b"},
        reason=5,
        reasonCode=1.5,
        urlRecord=False,
        accountId=None,
        duration="inf",
    )
    assert n.leg.tag is None
    assert n.callee == Party()
    assert (n.reason, n.record_url, n.account_id) == ("5", None, None)
    assert n.duration is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-06-24 15:01:45", 12),
        (" 2020-06-24 15:01:45 ", 12),
        ("2020-06-24", None),
        ("2020-13-01 00:00:00", None),
        ("", None),
        (None, None),
    ],
)
def test_start_times(value: object, expected: int | None) -> None:
    """Moscow wall time to an aware datetime; anything else is None."""
    start = _call(startTime=value).start_time
    assert (start.astimezone(UTC).hour if start else None) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        ("3", 3),
        (" 12 ", 12),
        ("4.0", 4),
        ("4.5", None),
        ("nan", None),
        ("1e999", None),
        (None, None),
        (0, 0),
        (604_800, 604_800),
        (604_801, None),
        (-1, None),
        ("-5", None),
        (10**30, None),
        (1e30, None),
        (10**400, None),
        ("1" + "0" * 400, None),
    ],
)
def test_duration_forms(value: object, expected: int | None) -> None:
    """Seconds as a number or a numeric string."""
    assert _call(duration=value).duration == expected


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("callNotifications", "not a JSON object"),
        (None, "not a JSON object"),
        ({}, "no event"),
        ({"result": {}}, "no event"),
        ({"event": None}, "no event"),
        ({"event": "callNotifications"}, "callInfo"),
        ({"event": "callNotifications", "result": []}, "callInfo"),
        ({"event": "callNotifications", "result": {"callInfo": "x"}}, "callInfo"),
        (
            {"event": "callNotifications", "result": {"callInfo": {"state": "trying"}}},
            "call.id",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": "x~1o", "state": "trying"}},
            },
            "call.id",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": {"id": 5}, "state": "trying"}},
            },
            "call.id",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": {"id": ""}, "state": "trying"}},
            },
            "call.id",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": {"id": "a"}}},
            },
            "state",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": {"id": "a"}, "state": 3}},
            },
            "state",
        ),
        (
            {
                "event": "callNotifications",
                "result": {"callInfo": {"call": {"id": "a"}, "state": "ringing"}},
            },
            "unknown call state",
        ),
    ],
)
def test_malformed_pushes(payload: object, reason: str) -> None:
    """Each malformed push is refused with a short reason."""
    with pytest.raises(InvalidNotificationError, match=reason):
        parse_notification(payload)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\xfa",
        b"<html><body>502</body></html>",
        b'{"event": "callNotifications",',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_bodies_that_are_not_json(body: bytes) -> None:
    """Invalid UTF-8 or JSON is an InvalidNotificationError, nothing else."""
    with pytest.raises(InvalidNotificationError):
        parse_notification_body(body)


def test_json_that_is_not_an_object() -> None:
    """A JSON array or string decodes but is not a push."""
    with pytest.raises(InvalidNotificationError, match="not a JSON object"):
        parse_notification_body(b'["callNotifications"]')


def test_unknown_extra_keys_and_events() -> None:
    """Extra keys are ignored; an unknown PBX change keeps its name."""
    n = parse_notification(
        {
            "event": "vpbxNotifications",
            "result": {"eventType": "terminalsChanged", "extra": [1]},
            "id": 5,
        }
    )
    assert n == PbxNotification(None, "terminalsChanged")
    assert parse_notification(
        {"event": "vpbxNotifications", "result": {"eventType": 7}}
    ) == PbxNotification(None, "")
    other = parse_notification({"event": "smsNotifications", "result": {"text": "hi"}})
    assert other == IgnoredNotification("smsNotifications")
    n = _call(unknown={"deep": [1]}, callee={"id": "1", "newField": True})
    assert n.callee == Party(id="1")


def _body(info: str) -> bytes:
    """A call push with `info` spliced in as raw JSON (for escapes json.dumps avoids)."""
    return (
        '{"event": "callNotifications", "result": {"callInfo": {'
        '"call": {"id": "x~1o", "tag": "t"}, "state": "trying", ' + info + "}}}"
    ).encode()


@pytest.mark.parametrize(
    ("info", "field"),
    [
        ('"duration": 1e30', "duration"),
        ('"duration": 1' + "0" * 400, "duration"),
        ('"duration": -3', "duration"),
        ('"duration": NaN', "duration"),
        ('"duration": Infinity', "duration"),
        ('"reason": "\\ud800 hung up"', "reason"),
        ('"reason": "a\\u0000b"', "reason"),
        ('"reason": "' + "r" * 1001 + '"', "reason"),
        ('"transportId": "' + "1" * 129 + '"', "transport_id"),
        ('"transportId": 1' + "0" * 400, "transport_id"),
        ('"transportId": -1', "transport_id"),
        ('"accountId": 1e30', "account_id"),
        ('"urlRecord": "https://h/' + "p" * 2048 + '.mp3"', "record_url"),
        ('"startTime": "0001-01-01 00:00:00"', "start_time"),
        ('"startTime": "9999-12-31 23:59:59"', "start_time"),
        ('"type": "\\ud800incoming"', "direction"),
        ('"transportId": "10.0.0.1\\n:5070"', "transport_id"),
        ('"accountId": "7916\\u0000"', "account_id"),
        ('"urlRecord": "https://h/a\\r\\nb.mp3"', "record_url"),
        ('"urlRecord": "javascript:alert(document.cookie)"', "record_url"),
        ('"urlRecord": "JavaScript://%0aalert(1)"', "record_url"),
        ('"urlRecord": "data:audio/mpeg;base64,SUQz"', "record_url"),
        ('"urlRecord": "file:///etc/passwd"', "record_url"),
        ('"urlRecord": "ftp://h/p.mp3"', "record_url"),
        ('"urlRecord": "//h/p.mp3"', "record_url"),
        ('"urlRecord": "https://"', "record_url"),
        ('"urlRecord": 12345', "record_url"),
    ],
    ids=lambda value: value[:40],
)
def test_values_out_of_bounds_are_dropped(info: str, field: str) -> None:
    """An optional value too big, too long or with a lone surrogate is dropped."""
    n = parse_notification_body(_body(info))
    assert isinstance(n, CallNotification)
    assert n.leg == Leg("x~1o", "t")
    assert getattr(n, field) is None


@pytest.mark.parametrize(
    "link", ["https://h/p.mp3?t=1", "HTTPS://H/p.mp3", "http://127.0.0.1:8124/r.mp3"]
)
def test_http_links_are_kept(link: str) -> None:
    """`urlRecord` as an http(s) link is taken as sent (url_guard decides its use)."""
    n = parse_notification_body(_body(f'"urlRecord": "{link}"'))
    assert isinstance(n, CallNotification)
    assert n.record_url == link


def test_values_at_the_bounds_are_kept() -> None:
    """The largest value within each bound is taken as it is."""
    n = parse_notification_body(
        _body(
            '"duration": 604800, "transportId": "'
            + "1" * 128
            + '", "accountId": 99999999999999999999, "reason": "'
            + "я" * 1000
            + '", "startTime": "2100-12-31 23:59:59"'
        )
    )
    assert isinstance(n, CallNotification)
    assert n.duration == 604_800
    assert n.transport_id == "1" * 128
    assert n.account_id == "99999999999999999999"
    assert n.reason == "я" * 1000
    assert n.start_time is not None
    assert n.start_time.year == 2100


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("18446744073709551615", "18446744073709551615"),  # 2**64 - 1
        ("18446744073709551616", "18446744073709551616"),  # 2**64: beyond orjson
        ("99999999999999999999", "99999999999999999999"),
        ("100000000000000000000", None),  # 21 digits
        ('"1234567890123456789012345"', "1234567890123456789012345"),  # a string
    ],
)
def test_long_numeric_ids_are_read_exactly(raw: str, expected: str | None) -> None:
    """An id sent as a number of up to 20 digits is its digits, whatever the decoder."""
    n = parse_notification_body(_body('"accountId": ' + raw))
    assert isinstance(n, CallNotification)
    assert n.account_id == expected


def test_body_with_white_space_in_keys() -> None:
    """A body whose keys carry white space reads like the documented one."""
    body = (
        rb'{" event ": "callNotifications", "result\t": {" callInfo": {'
        rb'" call ": {" id": "a~1o", "tag\u00a0": "t"}, "state ": "connected",'
        rb' "caller": {"id": "79161234567", " displayName ": "\u0418\u0432\u0430\u043d"}'
        rb"}}}"
    )
    n = parse_notification_body(body)
    assert isinstance(n, CallNotification)
    assert n.leg == Leg("a~1o", "t")
    assert n.state is CallState.CONNECTED
    assert n.caller == Party(id="79161234567", display_name="Иван")


def test_party_values_out_of_bounds_are_dropped() -> None:
    """A party's bad ids and name are dropped one by one; the good ones stay."""
    n = parse_notification_body(
        _body(
            '"caller": {"id": "79161234567", "displayName": "\\ud83d", '
            '"accountId": "' + "a" * 129 + '", "displayId": 1e30, '
            '"forwarderList": [{"id": "\\udc00"}, {"id": "ok"}]}, '
            '"callee": {"id": 74996497803, "forwarderList": ['
            + ", ".join('{"id": "f"}' for _ in range(33))
            + "]}"
        )
    )
    assert isinstance(n, CallNotification)
    assert n.caller == Party(id="79161234567")
    assert n.callee == Party(id="74996497803")


def _leg_body(call_id: bytes, state: bytes = b"trying") -> bytes:
    return (
        b'{"event": "callNotifications", "result": {"callInfo": {"call": {"id": "'
        + call_id
        + b'"}, "state": "'
        + state
        + b'"}}}'
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_leg_body(b"\\ud800~1o"), "call.id"),
        (_leg_body(b"x" * 129), "call.id"),
        (_leg_body(b"a", b"\\ud800" + b"s" * 5000), "unknown call state"),
        (b'{"event": "\\ud800"}', "event name"),
        (b'{"event": "' + b"e" * 129 + b'"}', "event name"),
        (b'{"event": "call\\nNotifications"}', "event name"),
        (_leg_body(b"x~1o\\r\\nFAKE LOG LINE"), "call.id"),
        (b'{"event": "callNotifications", "x": 1' + b"0" * 5000 + b"}", "not JSON"),
    ],
    ids=[
        "surrogate call id",
        "long call id",
        "long state",
        "surrogate event",
        "long event",
        "line break in event",
        "line break in call id",
        "5000 digits",
    ],
)
def test_required_values_out_of_bounds_reject_the_push(
    body: bytes, reason: str
) -> None:
    """call.id, state or event name beyond a bound: refused with a short message."""
    with pytest.raises(InvalidNotificationError, match=reason) as err:
        parse_notification_body(body)
    message = str(err.value)
    assert len(message) < 120
    assert message.isascii()
    message.encode()


def test_pbx_event_type_out_of_bounds_is_unknown() -> None:
    """A vpbxNotifications push with an unusable eventType is a change of no kind."""
    n = parse_notification_body(
        b'{"event": "vpbxNotifications", "result": {"eventType": "\\ud800"}}'
    )
    assert n == PbxNotification(None, "")
