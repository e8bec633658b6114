"""Options flow: the workplaces of people (`people.py`).

One step: choose a person of Home Assistant and their workplace on the PBX (or no
workplace), both by name. The step says who works where now. A workplace has at most
one person: a workplace that is already someone else's is refused (that person is
named); a person given another workplace leaves the old one. Saved at once, nothing
reloaded: the actions, the card and the call events read the options when used.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
from homeassistant.helpers.translation import async_get_translations

from .compat import vol
from .const import DOMAIN
from .options_base import OptionsFlowBase
from .people import CONF_PEOPLE, PERSON_DOMAIN, workplace_of, workplace_people

CONF_PERSON = "person"
CONF_WORKPLACE = "workplace"
NO_WORKPLACE = "none"
"""The workplace option that takes the person's workplace away."""
_TEXTS = f"component.{DOMAIN}.selector.people.options"


class PeopleStep(OptionsFlowBase):
    """The step `people`: a person and their workplace."""

    def _person_name(self, entity_id: str) -> str:
        state = self.hass.states.get(entity_id)
        return state.name if state is not None else entity_id

    def _workplace_label(self, sip_id: str) -> str:
        workplace = self._directory.workplace(sip_id)
        return workplace.display_name if workplace else sip_id

    async def async_step_people(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Give a person a workplace, or take it away."""
        texts = await async_get_translations(
            self.hass, self.hass.config.language, "selector", [DOMAIN]
        )
        people = workplace_people(self._entry.options)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            person: str = user_input[CONF_PERSON]
            workplace: str = user_input[CONF_WORKPLACE]
            holder = people.get(workplace)
            state = self.hass.states.get(person)
            if state is None or state.domain != PERSON_DOMAIN:
                errors[CONF_PERSON] = "unknown_person"
            elif (
                workplace != NO_WORKPLACE
                and self._directory.workplace(workplace) is None
            ):
                errors[CONF_WORKPLACE] = "unknown_workplace"
            elif holder is not None and holder != person:
                errors[CONF_WORKPLACE] = "workplace_taken"
                placeholders["person"] = self._person_name(holder)
            else:
                people = {w: p for w, p in people.items() if p != person}
                if workplace != NO_WORKPLACE:
                    people[workplace] = person
                return await self._async_save(**{CONF_PEOPLE: people})
        persons = sorted(
            self.hass.states.async_all(PERSON_DOMAIN), key=lambda s: s.name.casefold()
        )
        person_options = [
            SelectOptionDict(value=state.entity_id, label=state.name)
            for state in persons
        ]
        workplace_options = [
            SelectOptionDict(
                value=NO_WORKPLACE,
                label=texts.get(f"{_TEXTS}.{NO_WORKPLACE}", "No workplace"),
            ),
            *(
                SelectOptionDict(value=w.sip_id, label=w.display_name)
                for w in self._directory.workplaces
            ),
        ]
        summary = "\n".join(
            f"- {self._person_name(person)} → {self._workplace_label(workplace)}"
            for workplace, person in sorted(
                people.items(), key=lambda item: self._person_name(item[1]).casefold()
            )
        )
        current: dict[str, Any] = dict(user_input or {})
        if not current and persons:
            first = persons[0].entity_id
            current = {
                CONF_PERSON: first,
                CONF_WORKPLACE: workplace_of(self._entry.options, first)
                or NO_WORKPLACE,
            }
        return self.async_show_form(
            step_id="people",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_PERSON): SelectSelector(
                            SelectSelectorConfig(
                                options=person_options,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                        vol.Required(CONF_WORKPLACE): SelectSelector(
                            SelectSelectorConfig(
                                options=workplace_options,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                    }
                ),
                current,
            ),
            errors=errors,
            description_placeholders={
                "people": summary or texts.get(f"{_TEXTS}.nobody", "Nobody yet."),
                **placeholders,
            },
        )
