"""Options flow: the routing table of personal managers."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
)
import probatio as vol

from .data import MttBusinessConfigEntry
from .routing import CONF_RELEASE_UNMATCHED, CONF_ROUTES, normalize_prefix

CONF_TABLE = "table"


def _table(entry: MttBusinessConfigEntry) -> str:
    directory = entry.runtime_data.directory.data
    lines = []
    for route in entry.options.get(CONF_ROUTES, []):
        workplace = directory.workplace(route["workplace"])
        name = workplace.display_name if workplace else route["workplace"]
        lines.append(f"{route['caller']} = {name}")
    return "\n".join(lines)


class RoutingOptionsFlow(OptionsFlow):
    """Edit the routing table: one `caller number or prefix = workplace` per line."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form: the table as text, and what to do with unmatched callers."""
        entry: MttBusinessConfigEntry = self.config_entry
        errors: dict[str, str] = {}
        placeholders = {"line": ""}
        if user_input is not None:
            directory = entry.runtime_data.directory.data
            by_name = {
                w.display_name.casefold(): w.sip_id for w in directory.workplaces
            }
            routes: list[dict[str, str]] = []
            for raw in str(user_input.get(CONF_TABLE, "")).splitlines():
                if not raw.strip():
                    continue
                caller, _, target = raw.partition("=")
                prefix = normalize_prefix(caller.strip())
                target = target.strip()
                workplace = (
                    target
                    if directory.workplace(target) is not None
                    else by_name.get(target.casefold())
                )
                if prefix is None or workplace is None:
                    errors[CONF_TABLE] = "invalid_route"
                    placeholders["line"] = raw.strip()
                    break
                routes.append({"caller": prefix, "workplace": workplace})
            if not errors:
                return self.async_create_entry(
                    data={
                        CONF_ROUTES: routes,
                        CONF_RELEASE_UNMATCHED: user_input[CONF_RELEASE_UNMATCHED],
                    }
                )
        table = user_input.get(CONF_TABLE, "") if user_input else _table(entry)
        release = entry.options.get(CONF_RELEASE_UNMATCHED, True)
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Optional(CONF_TABLE, default=table): TextSelector(
                        TextSelectorConfig(multiline=True)
                    ),
                    vol.Required(
                        CONF_RELEASE_UNMATCHED, default=release
                    ): BooleanSelector(),
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )
