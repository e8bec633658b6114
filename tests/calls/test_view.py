"""A call's view: the event's data and the Call event entities' attributes agree."""

from __future__ import annotations

from custom_components.mtt_business.api.models import CallState
from custom_components.mtt_business.calls.tracker import CallTracker
from custom_components.mtt_business.calls.view import EVENT_ATTRIBUTES, CallView

from .test_tracker import DIRECTORY, A, _at, _in


def test_the_event_entities_show_what_the_event_says() -> None:
    """Each step's attributes are the event's values under the same keys."""
    tracker = CallTracker(DIRECTORY)
    views = []
    for state in (CallState.SHOWING, CallState.CONNECTED, CallState.FINISHED):
        update = tracker.apply(_in("c1~2o", state, _at(A), duration=42))
        assert update is not None
        views.append(CallView.of_update("entry", update, "Reception", ("Anna", None)))
    for view in views:
        attributes = view.event_attributes()
        data = view.event_data()
        assert tuple(attributes) == EVENT_ATTRIBUTES
        assert attributes == {key: data[key] for key in EVENT_ATTRIBUTES}
    ended = views[-1].event_data()
    assert ended["caller_name"] == "Anna"
    assert ended["workplace"] == A
    assert (ended["duration"], ended["reason"]) == (42, "Answer leg disconnected")
    assert ended["direction"] == "incoming"
