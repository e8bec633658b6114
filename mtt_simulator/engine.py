"""The call engine: plays the documented notification sequences (SPEC §4).

Without variants only documented pushes are sent (the documentation's minimal
sequences); where the documentation is silent the simulator decides as follows:
- an incoming call always starts with `trying` on the parking leg `…~1o` (callee: the
  dialled external number, as in the documented example); with parking on, the call
  waits for transferCall/terminateCall of `~1o` for the parking window, without it
  the call moves on at once; `~1o` gets no push when it moves on;
- the call is shown (`showing`) on a new leg `…~2o`, `…~3o`, … per target: a ring
  group (a route that is a list of workplaces) shows one leg per workplace at once;
  when one answers (`connected`) the others stop ringing without a push;
- a caller who hangs up (or gives up after the ring timeout) while the call rings
  ends it with one `finished` (duration 0) on the last shown leg; while parked, with
  `finished` on `~1o`;
- transferCall of a workplace leg (ringing or answered): `hiding` on it (documented:
  "transferred to another one"), the target is shown on a new leg; terminateCall of
  it: `finished` ("Answer leg disconnected");
- makeCall uses one leg id for every state; nobody answering within the answer
  timeout ends it with `finished` (duration 0, "Answer leg disconnected");
- a workplace leg's callee carries `displayName` (the dialled external number) and,
  on `finished`, `display_name` as in the documented example.

Every other behaviour is a named variant (`variants.py`): `hiding` for a parked leg
that moves on, for the losing legs of a ring group, before the `finished` of a leg
that only rang, and the earlier call start on `~2o` without a `~1o` leg.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
import secrets
import time
from typing import Any
from zoneinfo import ZoneInfo

from .variants import Variant

MOSCOW = ZoneInfo("Europe/Moscow")

type Push = Callable[[dict[str, Any]], Awaitable[None]]


class CallError(Exception):
    """A command the PBX refuses (unknown leg, wrong tag, …)."""


def _now_text() -> str:
    return datetime.now(MOSCOW).strftime("%Y-%m-%d %H:%M:%S")


def _transport() -> str:
    return f"10.133.{secrets.randbelow(60) + 1}.{secrets.randbelow(200) + 10}:50{secrets.randbelow(90) + 10}"


def dialled_form(number: str) -> str:
    """How an outgoing call's callee appears before the answer (`+79219462761`).

    The documented makeCall example dials `89219462761` and the notifications show
    `+79219462761`: Russian numbers (`8…`, `7…` with 11 digits, or 10 digits) become
    `+7…`; anything else (internal numbers, SIP IDs, `+…`) is shown as dialled.
    """
    digits = number.strip()
    if digits.isdigit() and len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if digits.isdigit() and len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    return digits


def hang_up_reason(direction: str, side: str) -> str:
    """The documented reasons: who hung up, in the PBX's words.

    Incoming: the workplace hanging up is "Answer leg disconnected" (documented),
    the caller "Originate leg disconnected". Outgoing (makeCall): the callee hanging
    up is "Originate leg disconnected" (documented), the workplace "Answer leg
    disconnected".
    """
    if side not in SIDES:
        raise CallError(f"side must be one of {', '.join(SIDES)}")
    originate = "caller" if direction == "incoming" else "callee"
    return (
        "Originate leg disconnected"
        if side == originate
        else ("Answer leg disconnected")
    )


SIDES = ("caller", "workplace", "callee")


def _tag() -> str:
    return secrets.token_hex(8) + "____.o"


@dataclass
class SimLeg:
    """One leg of a simulated call."""

    id: str
    tag: str
    callee: dict[str, Any]
    workplace: str | None = None
    state: str = "trying"
    parking: bool = False
    gone: bool = False
    """Moved on without a push (a leg that stopped ringing, `~1o` left behind)."""

    @property
    def live(self) -> bool:
        """Not yet hidden, finished or left behind."""
        return not self.gone and self.state not in ("hiding", "finished")


@dataclass
class SimCall:
    """A simulated call."""

    id: str
    direction: str
    caller: dict[str, Any]
    transport_id: str
    start_time: str
    legs: list[SimLeg] = field(default_factory=list)
    answered_at: float | None = None
    decision: asyncio.Future[tuple[str, str | None]] | None = None
    ended: bool = False
    task: asyncio.Task[None] | None = None

    @property
    def leg(self) -> SimLeg:
        """The newest leg."""
        return self.legs[-1]

    @property
    def ringing(self) -> list[SimLeg]:
        """The legs shown (ringing) now, oldest first."""
        return [leg for leg in self.legs if leg.live and leg.state == "showing"]

    @property
    def current(self) -> SimLeg | None:
        """The leg a hang-up ends: the talking one, the last ringing one, or `~1o`."""
        live = [leg for leg in self.legs if leg.live]
        for leg in live:
            if leg.state == "connected":
                return leg
        if ringing := self.ringing:
            return ringing[-1]
        return live[-1] if live else None


def _targets(target: str | list[str] | None) -> list[str]:
    """A route (one target, a ring group, or none) as a list."""
    if target is None:
        return []
    return [target] if isinstance(target, str) else list(target)


class CallEngine:
    """Calls of the simulated account."""

    def __init__(self, simulator: Any, push: Push) -> None:
        """Play calls of `simulator`'s directory, sending pushes with `push`."""
        self.sim = simulator
        self._push = push
        self.calls: dict[str, SimCall] = {}
        self._next_leg: dict[str, int] = {}

    # --- parties --------------------------------------------------------------

    def _pstn(self, number: str) -> dict[str, Any]:
        return {
            "accountId": f"{number}@pstn",
            "displayId": number,
            "forwarderList": [],
            "id": number,
        }

    def _external(self, number: str) -> dict[str, Any]:
        return {
            "accountId": number,
            "centrexId": self.sim.scenario.centrex_id,
            "displayId": number,
            "displayName": "",
            "forwarderList": [],
            "id": number,
        }

    def _workplace_party(self, sip_id: str, external: str) -> dict[str, Any]:
        return {
            "accountId": sip_id,
            "centrexId": self.sim.scenario.centrex_id,
            "displayId": sip_id,
            "displayName": external,
            "extensionId": "",
            "forwarderList": [
                {"id": f"an_prd100275045-{secrets.randbelow(9_000_000) + 1_000_000}"},
                {
                    "id": f"scheme_prd100275045-{secrets.randbelow(9_000_000) + 1_000_000}"
                },
            ],
            "id": sip_id,
        }

    # --- pushes ---------------------------------------------------------------

    async def _send(self, call: SimCall, leg: SimLeg, state: str, **extra: Any) -> None:
        leg.state = state
        callee = leg.callee
        if state == "finished" and leg.workplace and "displayName" in callee:
            # the documented finished workplace leg spells it `display_name`
            callee = {
                ("display_name" if k == "displayName" else k): v
                for k, v in callee.items()
            }
        info: dict[str, Any] = {
            "call": {"id": leg.id, "tag": leg.tag},
            "callee": callee,
            "caller": call.caller,
        }
        if state != "finished":
            info["startTime"] = call.start_time
        info |= {
            "state": state,
            "transportId": call.transport_id,
            "type": call.direction,
        }
        info |= extra
        await self._push({"event": "callNotifications", "result": {"callInfo": info}})

    def _new_leg(
        self, call: SimCall, callee: dict[str, Any], workplace: str | None
    ) -> SimLeg:
        number = self._next_leg.get(call.id, 1)
        self._next_leg[call.id] = number + 1
        leg = SimLeg(f"{call.id}~{number}o", _tag(), callee, workplace)
        call.legs.append(leg)
        return leg

    def _spawn(self, call: SimCall, coro: Coroutine[Any, Any, None]) -> None:
        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as err:  # noqa: BLE001
                self.sim.log(f"call {call.id} failed: {err!r}")

        if call.task and not call.task.done():
            call.task.cancel()
        call.task = asyncio.get_running_loop().create_task(run())
        # cancelled before it ran: close the step so it is not left un-awaited
        call.task.add_done_callback(lambda _: coro.close())

    # --- incoming -------------------------------------------------------------

    def _has(self, variant: Variant) -> bool:
        return variant in self.sim.scenario.variants

    async def start_incoming(
        self, caller: str, external: str, workplace: str | list[str] | None
    ) -> SimCall:
        """A caller dials an external number of the account.

        `workplace` overrides the portal's route: one workplace (or number), or a
        list of workplaces (a ring group).
        """
        call_id = f"{secrets.token_hex(16)}_{secrets.token_hex(8).upper()}"
        call = SimCall(
            call_id, "incoming", self._pstn(caller), _transport(), _now_text()
        )
        self.calls[call_id] = call
        targets = _targets(workplace) if workplace else self._route(external)
        parking = external in self.sim.parking
        if not parking and self._has(Variant.NO_PARKING_LEG):
            self._next_leg[call_id] = 2  # no `~1o` leg at all
            if await self._show(call, external, targets, first=True):
                self._spawn(call, self._ring(call))
            return call
        parked = self._new_leg(call, self._external(external), None)
        parked.parking = parking
        await self._send(call, parked, "trying")
        if parking:
            call.decision = asyncio.get_running_loop().create_future()
            self._spawn(call, self._parked(call, external, targets))
        else:
            parked.gone = True  # it moves on at once, without a push
            if await self._show(call, external, targets, first=False):
                self._spawn(call, self._ring(call))
        return call

    def _route(self, external: str) -> list[str]:
        return _targets(self.sim.route(external))

    async def _parked(self, call: SimCall, external: str, targets: list[str]) -> None:
        assert call.decision is not None
        try:
            kind, callee = await asyncio.wait_for(
                asyncio.shield(call.decision), self.sim.scenario.parking_window
            )
        except TimeoutError:
            kind, callee = "timeout", None
        parked = call.legs[0]
        parked.parking = False
        if self._has(Variant.PARKING_HIDING):
            await self._send(call, parked, "hiding")
        parked.gone = True
        if kind == "transfer" and callee:
            targets = [callee]
        if await self._show(call, external, targets, first=False):
            await self._ring(call)

    async def _show(
        self, call: SimCall, external: str, targets: list[str], *, first: bool
    ) -> list[SimLeg]:
        """Present the call at each target (a workplace or a number), a new leg each.

        `first`: the first new leg is the call's first leg and starts with `trying`.
        """
        if not targets:
            await self._end(call, call.legs[-1] if call.legs else None, "No route")
            return []
        legs = []
        for target in targets:
            workplace = target if self.sim.is_workplace(target) else None
            callee = (
                self._workplace_party(target, external)
                if workplace
                else self._pstn(target)
            )
            leg = self._new_leg(call, callee, workplace)
            if first:
                await self._send(call, leg, "trying")
                first = False
            await self._send(call, leg, "showing")
            legs.append(leg)
        return legs

    async def _ring(self, call: SimCall) -> None:
        """Nobody answers within the ring timeout: the caller gives up."""
        await asyncio.sleep(self.sim.scenario.ring_timeout)
        if call.answered_at is None and not call.ended and call.ringing:
            await self._end(call, call.ringing[-1], "Originate leg disconnected")

    # --- outgoing -------------------------------------------------------------

    async def make_call(self, workplace: str, callee: str) -> SimCall:
        """makeCall: ring the workplace first, dial the callee after its answer."""
        call_id = f"SD{secrets.token_hex(3)}-{secrets.token_hex(20)}@127.0.0.1"
        first_external = (self.sim.external_numbers or [""])[0]
        caller = {
            "accountId": workplace,
            "centrexId": self.sim.scenario.centrex_id,
            "displayId": first_external,
            "forwarderList": [],
            "id": first_external,
        }
        call = SimCall(call_id, "outgoing", caller, _transport(), _now_text())
        dialled = dialled_form(callee)
        leg = SimLeg(
            call_id,
            f"sd{secrets.token_hex(3)}-{secrets.randbelow(10**9)}",
            {"displayId": dialled, "forwarderList": [], "id": dialled},
            workplace,
        )
        call.legs.append(leg)
        self.calls[call_id] = call

        await self._send(call, leg, "trying")
        await self._send(call, leg, "showing")

        async def ring() -> None:
            await asyncio.sleep(self.sim.scenario.answer_timeout)
            if call.answered_at is None and not call.ended:
                await self._end(call, leg, "Answer leg disconnected")

        self._spawn(call, ring())
        return call

    # --- commands -------------------------------------------------------------

    def _find_leg(
        self, leg_id: str, tag: str | None, transport_id: str | None
    ) -> tuple[SimCall, SimLeg]:
        for call in self.calls.values():
            for leg in call.legs:
                if leg.id == leg_id:
                    if call.ended or not leg.live:
                        raise CallError("Call leg is not active")
                    if tag != leg.tag:
                        raise CallError("Call tag does not match")
                    if transport_id != call.transport_id:
                        raise CallError("transportId does not match")
                    return call, leg
        raise CallError("Call leg not found")

    async def transfer(
        self, leg_id: str, tag: str | None, transport_id: str | None, callee: str
    ) -> None:
        """transferCall: the leg goes to another workplace or number."""
        call, leg = self._find_leg(leg_id, tag, transport_id)
        if leg.parking:
            if call.decision and not call.decision.done():
                call.decision.set_result(("transfer", callee))
            return
        if leg.state not in ("showing", "connected"):
            raise CallError("Call leg is not active")
        external = str(leg.callee.get("displayName") or "")
        if call.task:
            call.task.cancel()
        if leg.state == "connected":
            call.answered_at = None
        await self._send(call, leg, "hiding")
        leg.gone = True
        if await self._show(call, external, [callee], first=False):
            self._spawn(call, self._ring(call))

    async def terminate(
        self, leg_id: str, tag: str | None, transport_id: str | None
    ) -> None:
        """terminateCall: end the leg; a parked call goes on along the portal's route."""
        call, leg = self._find_leg(leg_id, tag, transport_id)
        if leg.parking:
            if call.decision and not call.decision.done():
                call.decision.set_result(("terminate", None))
            return
        await self._end(call, leg, "Answer leg disconnected")

    async def answer(self, call_id: str, workplace: str | None = None) -> None:
        """The workplace picks up (its ringing leg, or the first ringing leg)."""
        call = self._call(call_id)
        ringing = call.ringing
        if not ringing:
            raise CallError("Nothing is ringing for this call")
        if workplace:
            matching = [leg for leg in ringing if leg.workplace == workplace] or [
                leg for leg in ringing if leg.workplace is None
            ]
            if not matching:
                raise CallError("The call is not ringing at that workplace")
            leg = matching[0]
        else:
            leg = ringing[0]
        call.answered_at = time.monotonic()
        if call.task:
            call.task.cancel()
        if call.direction == "outgoing":
            number = str(leg.callee["id"]).removeprefix("+")
            leg.callee = {"displayId": number, "forwarderList": [], "id": number}
        await self._send(call, leg, "connected")
        await self._stop_ringing(call, leg)

    async def _stop_ringing(self, call: SimCall, keep: SimLeg | None) -> None:
        """The ringing legs but `keep` stop ringing (`hiding` under the variant)."""
        for other in call.ringing:
            if other is keep:
                continue
            if self._has(Variant.RING_GROUP_HIDING):
                await self._send(call, other, "hiding")
            other.gone = True

    async def hang_up(self, call_id: str, side: str = "caller") -> None:
        """A party hangs up: `caller`, `workplace` or `callee`."""
        call = self._call(call_id)
        reason = hang_up_reason(call.direction, side)
        await self._end(call, call.current, reason)

    async def _end(self, call: SimCall, leg: SimLeg | None, reason: str) -> None:
        """The call ends: `finished` on `leg` (the others that ring stop first)."""
        if call.ended:
            return
        if call.task and call.task is not asyncio.current_task():
            call.task.cancel()
        if call.decision and not call.decision.done():
            call.decision.cancel()
        if leg is None:
            call.ended = True
            self._forget(call)
            return
        await self._stop_ringing(call, leg)
        if leg.state == "showing" and self._has(Variant.HIDING_BEFORE_FINISHED):
            await self._send(call, leg, "hiding")
        answered_at = call.answered_at if leg.state == "connected" else None
        duration = 0 if answered_at is None else round(time.monotonic() - answered_at)
        await self._finish(
            call, leg, duration, reason, recorded=answered_at is not None
        )

    async def _finish(
        self, call: SimCall, leg: SimLeg, duration: int, reason: str, *, recorded: bool
    ) -> None:
        call.ended = True
        await self._send(
            call, leg, "finished", duration=duration, reason=reason, reasonCode=None
        )
        leg.gone = True
        if recorded and self.sim.scenario.record_calls:
            record = secrets.token_hex(12)
            self.sim.records.add(record)
            await self._push(
                {
                    "event": "callNotifications",
                    "result": {
                        "callInfo": {
                            "accountId": leg.workplace or call.caller.get("accountId"),
                            "call": {"id": leg.id},
                            "state": "recorded",
                            "urlRecord": f"{self.sim.base_url}/records/{record}.mp3",
                        }
                    },
                }
            )
        self._forget(call)

    def _forget(self, call: SimCall) -> None:
        self.calls.pop(call.id, None)
        self._next_leg.pop(call.id, None)

    def _call(self, call_id: str) -> SimCall:
        call = self.calls.get(call_id)
        if call is None or call.ended:
            raise CallError("No such call")
        return call

    def summary(self) -> list[dict[str, Any]]:
        """The live calls, for the control API."""
        return [
            {
                "call_id": c.id,
                "direction": c.direction,
                "legs": [
                    {
                        "id": leg.id,
                        "tag": leg.tag,
                        "state": leg.state,
                        "live": leg.live,
                        "workplace": leg.workplace,
                    }
                    for leg in c.legs
                ],
                "transport_id": c.transport_id,
                "answered": c.answered_at is not None,
            }
            for c in self.calls.values()
        ]

    async def stop(self) -> None:
        """Cancel every timer."""
        tasks = [c.task for c in self.calls.values() if c.task and not c.task.done()]
        for call in self.calls.values():
            if call.decision and not call.decision.done():
                call.decision.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
