"""Personal-manager routing: a known customer's parked call goes to their manager.

While parking is on for an external number, each incoming call waits 5 seconds on a
parking leg (`…~1o`) for a command. When its `trying` push arrives for a number whose
Parking switch is on (MTT never reports parking: what Home Assistant last set), and
the call still waits there (no later leg of it was seen), the caller is matched
against the routing table of the entry's options (caller number or prefix →
workplace; the longest prefix wins; `8…`, `7…` and `+7…` are equal): a match is
transferred to that workplace at once; an unmatched call is handed back to the PBX's
own routing at once (the parking leg is ended) unless the user turned that off.

The decision is made while the push is being handled (no waiting) and joins the
`mtt_business_call` event as `routed_to` and `routing`; the command to the provider
is sent right after, in the background. If the provider refuses it, the failure is
logged and a second `mtt_business_call` event with `state: routing_failed` and
`routing_error` follows; the call then follows the PBX's own route.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback

from .api import MttBusinessError
from .api.models import CallDirection
from .call_monitor import EVENT_CALL, call_event_data
from .call_tracker import CallUpdate
from .data import MttBusinessConfigEntry

_LOGGER = logging.getLogger(__name__)

CONF_ROUTES = "routes"
CONF_RELEASE_UNMATCHED = "release_unmatched"


def match_route(routes: list[dict[str, str]], caller: str | None) -> str | None:
    """The workplace of the longest prefix that the caller's number starts with."""
    if not caller:
        return None
    best: tuple[int, str] | None = None
    for route in routes:
        prefix = route.get("caller", "")
        if (
            prefix
            and caller.startswith(prefix)
            and (best is None or len(prefix) > best[0])
        ):
            best = (len(prefix), route["workplace"])
    return best[1] if best else None


@callback
def async_start_routing(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> CALLBACK_TYPE:
    """Route parked incoming calls; returns the stop callback."""
    data = entry.runtime_data

    @callback
    def _async_route(update: CallUpdate) -> dict[str, Any] | None:
        notification = update.notification
        call = update.call
        if (
            not update.parked
            or call.direction is CallDirection.OUTGOING
            or not notification.transport_id
            or call.callee not in data.parked_numbers
        ):
            return None
        routes: list[dict[str, str]] = entry.options.get(CONF_ROUTES, [])
        workplace = match_route(routes, call.caller)
        if workplace is not None:
            _LOGGER.info(
                "Routing the call from %s to workplace %s (%s)",
                call.caller,
                data.call_monitor.workplace_name(workplace) or workplace,
                workplace,
            )
            command = data.client.transfer_call(
                notification.leg, notification.transport_id, workplace
            )
            decision: dict[str, Any] = {"routed_to": workplace, "routing": "transfer"}
        elif entry.options.get(CONF_RELEASE_UNMATCHED, True):
            _LOGGER.info(
                "No route for the call from %s: released to the PBX", call.caller
            )
            command = data.client.terminate_call(
                notification.leg, notification.transport_id
            )
            decision = {"routed_to": None, "routing": "released"}
        else:
            _LOGGER.info(
                "No route for the call from %s: left to the PBX after the parking",
                call.caller,
            )
            return {"routed_to": None, "routing": "none"}

        data.call_monitor.tracker.mark_commanded(notification.leg)

        async def _async_send() -> None:
            try:
                await command
            except MttBusinessError as err:
                _LOGGER.warning(
                    "MTT Business refused routing the call from %s (%s): %s",
                    call.caller,
                    decision["routing"],
                    err,
                )
                failed = call_event_data(
                    entry.entry_id, update, data.call_monitor.workplace_name(workplace)
                )
                failed |= decision | {
                    "state": "routing_failed",
                    "routing_error": str(err),
                }
                hass.bus.async_fire(EVENT_CALL, failed)

        entry.async_create_background_task(
            hass,
            _async_send(),
            f"{entry.entry_id} routing {call.call_id}",
            eager_start=True,
        )
        return decision

    return data.call_monitor.async_add_hook(_async_route)
