"""The record of an ended call: built from its call view, stored and read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.util import dt as dt_util

from custom_components.mtt_business.api import models
from custom_components.mtt_business.calls.tracker import CallTracker, CallUpdate
from custom_components.mtt_business.calls.view import (
    CallView,
    RoutingAction,
    RoutingDecision,
)
from custom_components.mtt_business.journal_record import (
    JournalRecord,
    WorkplaceTalk,
    journal_record,
)

from .conftest import journal_call

RECEPTION = "883140777716581"
IVAN = "883140777828305"
T0 = datetime(2026, 3, 5, 7, 42, 17, tzinfo=UTC)
"""10:42:17 in Moscow."""


async def test_record_as_dict_round_trip() -> None:
    record = journal_call(1, T0 + timedelta(minutes=1), answered=None)
    data = record.as_dict()
    assert data["started"] == "2026-03-05T07:43:17+00:00"
    assert data["answered"] is None
    assert JournalRecord.from_dict(data) == record
    moscow = dict(data, started="2026-03-05T10:43:17+03:00")
    assert JournalRecord.from_dict(moscow).started == record.started
    assert JournalRecord.from_dict(moscow).started.tzinfo is UTC


DIRECTORY = models.PbxDirectory(
    (models.ExternalNumber("74996497803"),),
    (models.Workplace(RECEPTION, "Ресепшн"),),
    (),
)
CALLER = models.Party(
    account_id="79161234567@pstn", display_id="79161234567", id="79161234567"
)
EXTERNAL = models.Party(account_id="74996497803", id="74996497803")
AT = models.Party(account_id=RECEPTION, id=RECEPTION, display_id=RECEPTION)


def _push(
    leg: str, state: models.CallState, party: models.Party, **more: Any
) -> models.CallNotification:
    return models.CallNotification(
        models.Leg(f"c166e238a4c211ea9d37_00015ED6~{leg}", "tag"),
        state,
        models.CallDirection.INCOMING,
        CALLER,
        party,
        transport_id="10.0.0.1:5073",
        start_time=datetime(
            2026, 3, 5, 10, 42, 17, tzinfo=dt_util.get_time_zone("Europe/Moscow")
        ),
        **more,
    )


def test_record_of_a_transferred_call() -> None:
    """Answered at the reception, transferred to Ivan: what each talked."""
    directory = models.PbxDirectory(
        DIRECTORY.external_numbers,
        (
            models.Workplace(RECEPTION, "Ресепшн"),
            models.Workplace(IVAN, "Менеджер Иван"),
        ),
        (),
    )
    now = T0
    tracker = CallTracker(directory, clock=lambda: now)
    ivan = models.Party(account_id=IVAN, id=IVAN, display_id=IVAN)
    pushes = [
        (0, _push("1o", models.CallState.TRYING, EXTERNAL)),
        (3, _push("2o", models.CallState.SHOWING, AT)),
        (5, _push("2o", models.CallState.CONNECTED, AT)),
        (45, _push("2o", models.CallState.HIDING, AT)),
        (46, _push("3o", models.CallState.SHOWING, ivan)),
        (50, _push("3o", models.CallState.CONNECTED, ivan)),
        (80, _push("3o", models.CallState.FINISHED, ivan, duration=30)),
    ]
    for at, push in pushes:
        now = T0 + timedelta(seconds=at)
        update = tracker.apply(push)
    assert update is not None
    names = {RECEPTION: "Ресепшн", IVAN: "Менеджер Иван"}
    record = journal_record(
        CallView.of_update("entry", update, "Менеджер Иван", (None, None)),
        ended=now,
        workplace_name=names.get,
    )
    assert record.talks == (
        WorkplaceTalk(
            workplace=RECEPTION,
            workplace_name="Ресепшн",
            answered=T0 + timedelta(seconds=5),
            seconds=40,
        ),
        WorkplaceTalk(
            workplace=IVAN,
            workplace_name="Менеджер Иван",
            answered=T0 + timedelta(seconds=50),
            seconds=30,
        ),
    )
    assert (record.workplace, record.duration) == (IVAN, 70)
    assert record.answered == T0 + timedelta(seconds=5)


def _ended(answered: bool) -> CallUpdate:
    tracker = CallTracker(DIRECTORY)
    pushes = [
        _push("1o", models.CallState.TRYING, EXTERNAL),
        _push("2o", models.CallState.SHOWING, AT),
    ]
    if answered:
        pushes.append(_push("2o", models.CallState.CONNECTED, AT))
    pushes.append(
        _push("2o", models.CallState.FINISHED, AT, duration=151 if answered else 0)
    )
    updates = [tracker.apply(p) for p in pushes]
    last = updates[-1]
    assert last is not None
    return last


def test_record_of_an_answered_call() -> None:
    ended = datetime(2026, 3, 5, 7, 45, 0, tzinfo=UTC)
    record = journal_record(
        CallView.of_update(
            "entry", _ended(answered=True), "Ресепшн", ("Иван Петров", None)
        ),
        ended=ended,
        routing=RoutingDecision(RoutingAction.RELEASED),
    )
    assert record == JournalRecord(
        call_id="c166e238a4c211ea9d37_00015ED6",
        direction="incoming",
        caller="+79161234567",
        callee="+74996497803",
        caller_name="Иван Петров",
        workplace=RECEPTION,
        workplace_name="Ресепшн",
        started=datetime(2026, 3, 5, 7, 42, 17, tzinfo=UTC),
        answered=ended - timedelta(seconds=151),
        ended=ended,
        duration=151,
        missed=False,
        routing="released",
        external_number="+74996497803",  # the parking leg's callee: the dialled number
    )
    assert record.started.tzinfo is UTC


def test_record_of_a_missed_call() -> None:
    record = journal_record(
        CallView.of_update("entry", _ended(answered=False), None, (None, None))
    )
    assert record.missed
    assert record.answered is None
    assert record.duration == 0
    assert record.ended.tzinfo is UTC
