"""Options flow: the routing table (placeholder until the call-control work lands)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow


class RoutingOptionsFlow(OptionsFlow):
    """Edit the routing table."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Nothing to edit yet."""
        return self.async_create_entry(data=dict(self.config_entry.options))
