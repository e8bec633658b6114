"""Personal-manager routing: a known customer's parked call goes to their manager.

While parking is on for an external number, each incoming call waits 5 seconds on a
parking leg (`…~1o`) for a command. When its `trying` push arrives for a number whose
Parking switch is on (MTT never reports parking: what Home Assistant last set), and
the call still waits there (no later leg of it was seen), the caller is matched
against the routing table of the entry's options (caller number or prefix →
workplace; the longest prefix wins; `8…`, `7…` and `+7…` are equal): a match is
transferred to that workplace at once; an unmatched call is handed back to the PBX's
own routing at once (the parking leg is ended) unless the user turned that off.

The decision is made while the push is being handled (no waiting) and is part of the
call's view (`routing`, `routed_to` in the `mtt_business_call` event); the command to the provider
is sent right after, in the background. If the provider refuses it, the failure is
logged and a second `mtt_business_call` event with `state: routing_failed` and
`routing_error` follows; the call then follows the PBX's own route.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback

from .api import MttBusinessClient, MttBusinessError
from .api.models import CallDirection
from .calls.phone_book import PhoneBookCache, route_prefixes
from .calls.tracker import CallUpdate
from .calls.view import ROUTING_FAILED, CallView, RoutingAction, RoutingDecision
from .data import MttBusinessConfigEntry
from .parking import Parking

if TYPE_CHECKING:
    from .call_monitor import CallMonitor

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


class PersonalManagerRouter:
    """Routes the parked incoming calls of one entry (its hub's router)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MttBusinessConfigEntry,
        *,
        client: MttBusinessClient,
        parking: Parking,
        phone_book: PhoneBookCache,
        hub: CallMonitor,
    ) -> None:
        """Route with the entry's options and `client`, for the numbers `parking` has.

        `hub` (the entry's `CallMonitor`, which owns this router) names the
        workplaces and parties, and announces a refused command.
        """
        self._hass = hass
        self._entry = entry
        self._client = client
        self._parking = parking
        self._phone_book = phone_book
        self._hub = hub
        self._routes: tuple[Mapping[str, Any], list[dict[str, str]]] | None = None

    def _routes_of(self, options: Mapping[str, Any]) -> list[dict[str, str]]:
        """The routing table with numbers only, built again when the options change.

        (An entry gets a new options mapping exactly when they change: see
        `PhoneBookCache`.)
        """
        if self._routes is None or self._routes[0] is not options:
            book = self._phone_book.book(options)
            self._routes = (
                options,
                route_prefixes(options.get(CONF_ROUTES, []), book),
            )
        return self._routes[1]

    @callback
    def __call__(self, update: CallUpdate) -> RoutingDecision | None:
        """Decide on a parked call and send the command in the background."""
        hub = self._hub
        notification = update.notification
        call = update.call
        if (
            not update.parked
            or call.direction is CallDirection.OUTGOING
            or not notification.transport_id
            or call.callee not in self._parking
        ):
            return None
        options = self._entry.options
        workplace = match_route(self._routes_of(options), call.caller)
        if workplace is not None:
            _LOGGER.info(
                "Routing the call from %s to workplace %s (%s)",
                call.caller,
                hub.workplace_name(workplace) or workplace,
                workplace,
            )
            command = self._client.transfer_call(
                notification.leg, notification.transport_id, workplace
            )
            decision = RoutingDecision(RoutingAction.TRANSFER, workplace)
        elif options.get(CONF_RELEASE_UNMATCHED, True):
            _LOGGER.info(
                "No route for the call from %s: released to the PBX", call.caller
            )
            command = self._client.terminate_call(
                notification.leg, notification.transport_id
            )
            decision = RoutingDecision(RoutingAction.RELEASED)
        else:
            _LOGGER.info(
                "No route for the call from %s: left to the PBX after the parking",
                call.caller,
            )
            return RoutingDecision(RoutingAction.NONE)

        hub.tracker.mark_commanded(notification.leg)

        async def _async_send() -> None:
            try:
                await command
            except MttBusinessError as err:
                _LOGGER.warning(
                    "MTT Business refused routing the call from %s (%s): %s",
                    call.caller,
                    decision.action,
                    err,
                )
                hub.async_announce(
                    CallView.of_update(
                        self._entry.entry_id,
                        update,
                        hub.workplace_name(workplace),
                        hub.names(call),
                        RoutingDecision(decision.action, workplace, str(err)),
                        state=ROUTING_FAILED,
                    )
                )

        self._entry.async_create_background_task(
            self._hass,
            _async_send(),
            f"{self._entry.entry_id} routing {call.call_id}",
            eager_start=True,
        )
        return decision
