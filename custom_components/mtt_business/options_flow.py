"""Options flow: personal managers, calls without a rule, phone book, recordings.

A menu that stays until the user chooses Done: add a rule (caller number or prefix,
or a contact of the phone book → workplace, chosen from the PBX's workplaces), edit
one, remove some, edit the whole table as text (for pasting many customers at once),
whether unmatched parked calls go back to the PBX at once, the phone book's steps
(options_phone_book.py), whether recordings are kept, how briefly an unanswered
call may ring and not be missed (`ghost_calls.py`) and the workplaces of people
(options_people.py). Every change is saved on its
own and the menu comes back, showing what is set now; routing reads the options when
a call comes, so nothing is reloaded. Numbers and prefixes are shown as
`format_prefix` writes them (`+7 916 123-45-67`, `+7 495…`).
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.helpers.translation import async_get_translations

from .api.phone_number import format_prefix
from .calls.phone_book import route_caller
from .calls.text_table import format_table, table_lines
from .compat import vol
from .const import DOMAIN
from .ghost_calls import CONF_GHOST_SECONDS, GHOST_SECONDS_MAX, ghost_seconds
from .options_base import CONF_REMOVE, CONF_TABLE
from .options_people import PeopleStep
from .options_phone_book import PhoneBookSteps
from .recording_archive import CONF_ARCHIVE_RECORDINGS
from .routing import CONF_RELEASE_UNMATCHED, CONF_ROUTES

CONF_CALLER = "caller"
CONF_WORKPLACE = "workplace"
CONF_ROUTE = "route"
# "No rules yet.", in Home Assistant's language: a text of the translations'
# `selector` category, which holds such option-like labels; so do the menu's words
# for the settings' current values.
NO_ROUTES = f"component.{DOMAIN}.selector.routes.options.none"
SETTING = f"component.{DOMAIN}.selector.option_values.options"

type Route = dict[str, str]


class MttBusinessOptionsFlow(PhoneBookSteps, PeopleStep):
    """Keep the routing table (caller → workplace) and the phone book."""

    def __init__(self) -> None:
        """Start with no rule being edited."""
        self._editing: int | None = None

    def _routes(self) -> list[Route]:
        return [dict(route) for route in self._entry.options.get(CONF_ROUTES, [])]

    def _workplace_name(self, sip_id: str) -> str:
        workplace = self._directory.workplace(sip_id)
        return workplace.display_name if workplace else sip_id

    def _label(self, route: Route) -> str:
        caller = format_prefix(route["caller"])
        return f"{caller} → {self._workplace_name(route['workplace'])}"

    def _rule_options(self) -> list[SelectOptionDict]:
        return [
            SelectOptionDict(value=str(index), label=self._label(route))
            for index, route in enumerate(self._routes())
        ]

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The menu: the rules, the settings and the phone book's size, and Done."""
        options = self._entry.options
        routes = self._routes()
        menu = ["add_route"]
        if routes:
            menu += ["edit_route", "remove_routes"]
        menu += ["table", "settings", "add_contact"]
        contacts = len(self._phone_book())
        if contacts:
            menu += ["edit_contact", "remove_contacts"]
        menu += ["contacts_table", "recordings", "missed_calls", "people", "done"]
        texts = await async_get_translations(
            self.hass, self.hass.config.language, "selector", [DOMAIN]
        )
        summary = "\n".join(f"- {self._label(route)}" for route in routes)
        release = options.get(CONF_RELEASE_UNMATCHED, True)
        archive = options.get(CONF_ARCHIVE_RECORDINGS, False)
        release_key = "release_on" if release else "release_off"
        archive_key = "archive_on" if archive else "archive_off"
        ghost = ghost_seconds(options)
        ghost_key = "ghost_on" if ghost else "ghost_off"
        return self.async_show_menu(
            step_id="init",
            menu_options=menu,
            description_placeholders={
                "routes": summary or texts.get(NO_ROUTES, "No rules yet."),
                "release": texts.get(f"{SETTING}.{release_key}", release_key),
                "contacts": str(contacts),
                "recordings": texts.get(f"{SETTING}.{archive_key}", archive_key),
                "missed_calls": texts.get(f"{SETTING}.{ghost_key}", ghost_key).replace(
                    "{seconds}", str(ghost)
                ),
            },
        )

    async def async_step_add_route(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A new rule."""
        self._editing = None
        return await self.async_step_route()

    async def async_step_edit_route(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the rule to edit."""
        if user_input is not None:
            self._editing = int(user_input[CONF_ROUTE])
            return await self.async_step_route()
        return self.async_show_form(
            step_id="edit_route",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_ROUTE): SelectSelector(
                        SelectSelectorConfig(
                            options=self._rule_options(),
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            ),
        )

    async def async_step_route(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One rule: a caller and a workplace.

        The caller is a number or prefix in any format, or the name of a contact in
        the phone book (kept as given, resolved when a call is matched).
        """
        routes = self._routes()
        errors: dict[str, str] = {}
        if user_input is not None:
            caller = route_caller(user_input[CONF_CALLER], self._phone_book())
            workplace = user_input[CONF_WORKPLACE]
            others = [r for i, r in enumerate(routes) if i != self._editing]
            if caller is None:
                errors[CONF_CALLER] = "invalid_caller"
            elif any(
                route["caller"].casefold() == caller.casefold() for route in others
            ):
                errors[CONF_CALLER] = "duplicate_caller"
            elif self._directory.workplace(workplace) is None:
                errors[CONF_WORKPLACE] = "unknown_workplace"
            else:
                route = {"caller": caller, "workplace": workplace}
                if self._editing is None:
                    routes.append(route)
                else:
                    routes[self._editing] = route
                return await self._async_save(**{CONF_ROUTES: routes})
        current: dict[str, Any] = user_input or (
            {
                CONF_CALLER: format_prefix(routes[self._editing]["caller"]),
                CONF_WORKPLACE: routes[self._editing]["workplace"],
            }
            if self._editing is not None
            else {}
        )
        workplaces = [
            SelectOptionDict(
                value=w.sip_id,
                # A workplace without a name is shown by its SIP ID, once.
                label=f"{w.name.strip()} ({w.sip_id})" if w.name.strip() else w.sip_id,
            )
            for w in self._directory.workplaces
        ]
        return self.async_show_form(
            step_id="route",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_CALLER): TextSelector(),
                        vol.Required(CONF_WORKPLACE): SelectSelector(
                            SelectSelectorConfig(
                                options=workplaces, mode=SelectSelectorMode.DROPDOWN
                            )
                        ),
                    }
                ),
                current,
            ),
            errors=errors,
        )

    async def async_step_remove_routes(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Remove the chosen rules."""
        if user_input is not None:
            gone = {int(index) for index in user_input[CONF_REMOVE]}
            routes = [r for i, r in enumerate(self._routes()) if i not in gone]
            return await self._async_save(**{CONF_ROUTES: routes})
        return self.async_show_form(
            step_id="remove_routes",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_REMOVE): SelectSelector(
                        SelectSelectorConfig(
                            options=self._rule_options(),
                            multiple=True,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_table(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The whole table as text: one `caller = workplace` a line.

        The caller is a number or prefix, or the name of a contact in the phone book.
        """
        if user_input is None:
            return self._show_table(
                "table",
                format_table(
                    (
                        format_prefix(route["caller"]),
                        self._workplace_name(route["workplace"]),
                    )
                    for route in self._routes()
                ),
                placeholders={"line": ""},
            )
        text = self._table_text(user_input)
        by_name = {
            w.display_name.casefold(): w.sip_id for w in self._directory.workplaces
        }
        routes: list[Route] = []
        book = self._phone_book()
        seen: set[str] = set()
        for line in table_lines(text):
            caller = route_caller(line.key, book)
            target = line.value or ""
            workplace = (
                target
                if self._directory.workplace(target) is not None
                else by_name.get(target.casefold())
            )
            if caller is None or workplace is None or caller.casefold() in seen:
                return self._show_table(
                    "table", text, {CONF_TABLE: "invalid_route"}, {"line": line.text}
                )
            seen.add(caller.casefold())
            routes.append({"caller": caller, "workplace": workplace})
        return await self._async_save(**{CONF_ROUTES: routes})

    async def async_step_recordings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Whether recordings are downloaded into Home Assistant's media folder."""
        if user_input is not None:
            return await self._async_save(
                **{CONF_ARCHIVE_RECORDINGS: user_input[CONF_ARCHIVE_RECORDINGS]}
            )
        archive = self._entry.options.get(CONF_ARCHIVE_RECORDINGS, False)
        return self.async_show_form(
            step_id="recordings",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_ARCHIVE_RECORDINGS, default=archive
                    ): BooleanSelector()
                }
            ),
        )

    async def async_step_missed_calls(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A call that rang less than N seconds is not missed (0: every one is)."""
        if user_input is not None:
            return await self._async_save(
                **{CONF_GHOST_SECONDS: int(user_input[CONF_GHOST_SECONDS])}
            )
        return self.async_show_form(
            step_id="missed_calls",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_GHOST_SECONDS, default=ghost_seconds(self._entry.options)
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=0,
                            max=GHOST_SECONDS_MAX,
                            step=1,
                            mode=NumberSelectorMode.BOX,
                        )
                    )
                }
            ),
        )

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What to do with parked calls no rule matches."""
        if user_input is not None:
            return await self._async_save(
                **{CONF_RELEASE_UNMATCHED: user_input[CONF_RELEASE_UNMATCHED]}
            )
        release = self._entry.options.get(CONF_RELEASE_UNMATCHED, True)
        return self.async_show_form(
            step_id="settings",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_RELEASE_UNMATCHED, default=release
                    ): BooleanSelector()
                }
            ),
        )
