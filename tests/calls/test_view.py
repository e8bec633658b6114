"""A call's view: the event's data and the Call event entities' attributes agree."""

from __future__ import annotations

from custom_components.mtt_business.api.models import (
    CallDirection,
    CallNotification,
    CallState,
    ExternalNumber,
    Leg,
    Party,
    PbxDirectory,
    Workplace,
)
from custom_components.mtt_business.calls.tracker import CallTracker
from custom_components.mtt_business.calls.view import EVENT_ATTRIBUTES, CallView

WORKPLACE = "883140777716581"
DIRECTORY = PbxDirectory(
    (ExternalNumber("74996497803"),), (Workplace(WORKPLACE, "Reception"),)
)
CALLER = Party(account_id="78124241500@pstn", id="78124241500", display_name="Anna")


def _push(state: CallState, **values: object) -> CallNotification:
    return CallNotification(
        Leg("00015ED635780FC7~2o", "tag"),
        state,
        CallDirection.INCOMING,
        CALLER,
        Party(account_id=WORKPLACE, id=WORKPLACE),
        transport_id="10.0.0.1:5073",
        **values,  # type: ignore[arg-type]
    )


def test_the_event_entities_show_what_the_event_says() -> None:
    """Each step's attributes are the event's values under the same keys."""
    tracker = CallTracker(DIRECTORY)
    pushes = [
        _push(CallState.SHOWING),
        _push(CallState.CONNECTED),
        _push(CallState.FINISHED, duration=42, reason="Answer leg disconnected"),
    ]
    views = []
    for push in pushes:
        update = tracker.apply(push)
        assert update is not None
        views.append(CallView.of_update("entry", update, "Reception", ("Anna", None)))
    for view in views:
        attributes = view.event_attributes()
        data = view.event_data()
        assert tuple(attributes) == EVENT_ATTRIBUTES
        assert attributes == {key: data[key] for key in EVENT_ATTRIBUTES}
    ended = views[-1].event_data()
    assert ended["caller_name"] == "Anna"
    assert ended["workplace"] == WORKPLACE
    assert (ended["duration"], ended["reason"]) == (42, "Answer leg disconnected")
    assert ended["direction"] == "incoming"
