"""Workplaces of people: which Home Assistant person works at which workplace.

The options keep `people`, a mapping of workplace SIP IDs to person entity ids
(`person.anna`): a workplace has at most one person, and the options flow gives a
person at most one workplace. Home Assistant users are found through their person
(its `user_id` attribute). Then `make_call` without `caller_id` rings the user's
workplace, the card's call form starts with it, and the call event and the journal
name the person of the call's workplace (`person`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback

CONF_PEOPLE: Final = "people"
"""Options key: workplace SIP ID → person entity id."""
PERSON_DOMAIN: Final = "person"
ATTR_USER_ID: Final = "user_id"


def workplace_people(options: Mapping[str, Any]) -> dict[str, str]:
    """Workplace SIP ID → person entity id, as the options keep them."""
    people = options.get(CONF_PEOPLE)
    return dict(people) if isinstance(people, Mapping) else {}


def person_at(options: Mapping[str, Any], workplace: str | None) -> str | None:
    """The person of a workplace (None: none mapped, or no workplace)."""
    if workplace is None:
        return None
    people = options.get(CONF_PEOPLE)
    return people.get(workplace) if isinstance(people, Mapping) else None


def workplace_of(options: Mapping[str, Any], person: str) -> str | None:
    """The workplace of a person (None: the person has none)."""
    for workplace, someone in workplace_people(options).items():
        if someone == person:
            return workplace
    return None


@callback
def async_person_of_user(hass: HomeAssistant, user_id: str) -> str | None:
    """The person entity of a Home Assistant user (None: the user has no person)."""
    for state in hass.states.async_all(PERSON_DOMAIN):
        if state.attributes.get(ATTR_USER_ID) == user_id:
            return state.entity_id
    return None


@callback
def async_workplace_of_user(
    hass: HomeAssistant, options: Mapping[str, Any], user_id: str | None
) -> str | None:
    """The workplace of a Home Assistant user's person, if mapped."""
    if user_id is None or (person := async_person_of_user(hass, user_id)) is None:
        return None
    return workplace_of(options, person)
