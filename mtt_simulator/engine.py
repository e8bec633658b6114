"""The call engine: plays the documented notification sequences (SPEC §4).

Decisions where the documentation is silent (documented in the README):
- a parked leg (`…~1o`) that moves on (transfer, terminate or the 5-second window
  running out) ends with `hiding`; it ends with `finished` only if the caller hangs
  up while parked;
- a transfer creates a new leg (`…~3o`, `…~4o`, …) that is shown at the target; the
  leg it leaves ends with `hiding`;
- an unanswered call is hidden and finished after the ring timeout;
- a workplace leg's callee carries `displayName` (the dialled external number) and,
  on `finished`, `display_name` as in the documented example.
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

    @property
    def live(self) -> bool:
        """Not yet hidden or finished."""
        return self.state not in ("hiding", "finished")


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

    async def start_incoming(
        self, caller: str, external: str, workplace: str | None
    ) -> SimCall:
        """A caller dials an external number of the account."""
        call_id = f"{secrets.token_hex(16)}_{secrets.token_hex(8).upper()}"
        call = SimCall(
            call_id, "incoming", self._pstn(caller), _transport(), _now_text()
        )
        self.calls[call_id] = call
        target = workplace or self.sim.route(external)
        if external in self.sim.parking:
            parked = self._new_leg(call, self._external(external), None)
            parked.parking = True
            call.decision = asyncio.get_running_loop().create_future()
            await self._send(call, parked, "trying")
            self._spawn(call, self._parked(call, external, target))
        else:
            self._next_leg[call_id] = 2  # `~1o` is the parking leg
            if shown := await self._show(call, external, target, first=True):
                self._spawn(call, self._ring(call, shown))
        return call

    async def _parked(self, call: SimCall, external: str, target: str | None) -> None:
        assert call.decision is not None
        try:
            kind, callee = await asyncio.wait_for(
                asyncio.shield(call.decision), self.sim.scenario.parking_window
            )
        except TimeoutError:
            kind, callee = "timeout", None
        parked = call.leg
        await self._send(call, parked, "hiding")
        if kind == "transfer" and callee:
            target = callee
        if leg := await self._show(call, external, target, first=False):
            await self._ring(call, leg)

    async def _show(
        self, call: SimCall, external: str, target: str | None, *, first: bool
    ) -> SimLeg | None:
        """Present the call at `target` (a workplace or a number) on a new leg."""
        if target is None:
            await self._finish(call, 0, "No route")
            return None
        workplace = target if self.sim.is_workplace(target) else None
        callee = (
            self._workplace_party(target, external) if workplace else self._pstn(target)
        )
        leg = self._new_leg(call, callee, workplace)
        if first:
            await self._send(call, leg, "trying")
        await self._send(call, leg, "showing")
        return leg

    async def _ring(self, call: SimCall, leg: SimLeg) -> None:
        """Nobody answers within the ring timeout: the caller gives up."""
        await asyncio.sleep(self.sim.scenario.ring_timeout)
        if call.answered_at is None and not call.ended and leg is call.leg:
            await self._send(call, leg, "hiding")
            await self._finish(call, 0, "Originate leg disconnected")

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
        call.legs.append(
            SimLeg(
                call_id,
                f"sd{secrets.token_hex(3)}-{secrets.randbelow(10**9)}",
                {"displayId": dialled, "forwarderList": [], "id": dialled},
                workplace,
            )
        )
        self.calls[call_id] = call

        async def ring() -> None:
            await self._send(call, call.leg, "trying")
            await self._send(call, call.leg, "showing")
            await asyncio.sleep(self.sim.scenario.answer_timeout)
            if call.answered_at is None and not call.ended:
                await self._send(call, call.leg, "hiding")
                await self._finish(call, 0, "Answer leg disconnected")

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
        if leg.parking and call.decision and not call.decision.done():
            call.decision.set_result(("transfer", callee))
            return
        external = str(leg.callee.get("displayName") or "")
        await self._send(call, leg, "hiding")
        call.answered_at = None
        if call.task:
            call.task.cancel()
        if new_leg := await self._show(call, external, callee, first=False):
            self._spawn(call, self._ring(call, new_leg))

    async def terminate(
        self, leg_id: str, tag: str | None, transport_id: str | None
    ) -> None:
        """terminateCall: end the leg; a parked call goes on along the portal's route."""
        call, leg = self._find_leg(leg_id, tag, transport_id)
        if leg.parking and call.decision and not call.decision.done():
            call.decision.set_result(("terminate", None))
            return
        await self._hang_up(call, "Answer leg disconnected")

    async def answer(self, call_id: str, workplace: str | None = None) -> None:
        """The workplace picks up."""
        call = self._call(call_id)
        if not call.legs:
            raise CallError("Nothing is ringing for this call")
        leg = call.leg
        if leg.parking or not leg.live or leg.state == "connected":
            raise CallError("Nothing is ringing for this call")
        if workplace and leg.workplace and workplace != leg.workplace:
            raise CallError("The call is not ringing at that workplace")
        call.answered_at = time.monotonic()
        if call.task:
            call.task.cancel()
        if call.direction == "outgoing":
            number = str(leg.callee["id"]).removeprefix("+")
            leg.callee = {"displayId": number, "forwarderList": [], "id": number}
        await self._send(call, leg, "connected")

    async def hang_up(self, call_id: str, side: str = "caller") -> None:
        """A party hangs up: `caller`, `workplace` or `callee`."""
        call = self._call(call_id)
        await self._hang_up(call, hang_up_reason(call.direction, side))

    async def _hang_up(self, call: SimCall, reason: str) -> None:
        if call.task:
            call.task.cancel()
        if call.decision and not call.decision.done():
            call.decision.cancel()
        if not call.legs:
            call.ended = True
            self.calls.pop(call.id, None)
            return
        if call.answered_at is None and call.leg.live and call.leg.state == "showing":
            await self._send(call, call.leg, "hiding")
        duration = round(time.monotonic() - call.answered_at) if call.answered_at else 0
        await self._finish(call, duration, reason)

    async def _finish(self, call: SimCall, duration: int, reason: str) -> None:
        if call.ended:
            return
        call.ended = True
        leg = call.leg
        await self._send(
            call, leg, "finished", duration=duration, reason=reason, reasonCode=None
        )
        if call.answered_at is not None and self.sim.scenario.record_calls:
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
