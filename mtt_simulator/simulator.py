"""The simulator's state: account, directory, parking, OAuth, calls, logs, faults."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
import logging
import time
from typing import Any

import aiohttp

from .engine import CallEngine
from .faults import Faults
from .oauth import OAuthClient, OAuthServer
from .scenario import Scenario, TerminalSpec, WorkplaceSpec

_LOGGER = logging.getLogger(__name__)
LOG_LIMIT = 2000


@dataclass
class ApiRequest:
    """A request the simulator received."""

    method: str
    params: Any
    received: float
    status: int = 0


@dataclass
class PushRecord:
    """A push the simulator sent."""

    url: str
    body: dict[str, Any]
    sent: float
    status: int | None = None
    error: str | None = None


class Simulator:
    """One simulated MTT Business account."""

    def __init__(self, scenario: Scenario) -> None:
        """Start from a scenario."""
        self.scenario = scenario
        self.oauth = OAuthServer(
            scenario.access_token_lifetime,
            scenario.refresh_token_lifetime,
            scenario.code_lifetime,
        )
        self.external_numbers = list(scenario.external_numbers)
        self.workplaces = [WorkplaceSpec(w.sip_id, w.name) for w in scenario.workplaces]
        self.terminals = [
            TerminalSpec(t.sip_id, t.workplace) for t in scenario.terminals
        ]
        self.parking: set[str] = set()
        self.faults = Faults()
        self.requests: list[ApiRequest] = []
        self.pushes: list[PushRecord] = []
        self.records: set[str] = set()
        self.messages: list[str] = []
        self.base_url = ""
        self.engine = CallEngine(self, self._enqueue)
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._held: dict[str, Any] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        for spec in scenario.clients:
            if spec.redirect_uri:
                self.register_client(
                    spec.redirect_uri,
                    client_id=spec.client_id,
                    client_secret=spec.client_secret,
                    name=spec.name,
                )

    # --- directory --------------------------------------------------------------

    def is_workplace(self, sip_id: str) -> bool:
        """Whether this is a workplace's SIP ID."""
        return any(w.sip_id == sip_id for w in self.workplaces)

    def is_terminal(self, sip_id: str) -> bool:
        """Whether this is a terminal's SIP ID."""
        return any(t.sip_id == sip_id for t in self.terminals)

    def route(self, external: str) -> str | list[str] | None:
        """The portal's route for an external number (default: the first workplace).

        A list is a ring group: the call rings at each of them at once.
        """
        if external in self.scenario.routes:
            return self.scenario.routes[external]
        return self.workplaces[0].sip_id if self.workplaces else None

    def directory(self) -> dict[str, Any]:
        """The directory in the API's own words."""
        return {
            "external_numbers": [
                {"number": n, "type": None} for n in self.external_numbers
            ],
            "workplaces": [
                {"workplace": w.sip_id, "name": w.name} for w in self.workplaces
            ],
            "terminals": [
                {"terminal": t.sip_id, "workplace": t.workplace} for t in self.terminals
            ],
        }

    async def edit_directory(self, data: dict[str, Any]) -> None:
        """Change the directory as a user of the portal would; pushes the change."""
        if "external_numbers" in data:
            self.external_numbers = [str(n["number"]) for n in data["external_numbers"]]
            await self._enqueue(
                {
                    "event": "vpbxNotifications",
                    "result": {"eventType": "numbersChanged"},
                }
            )
        if "workplaces" in data or "terminals" in data:
            if "workplaces" in data:
                self.workplaces = [
                    WorkplaceSpec(str(w["workplace"]), w.get("name") or "")
                    for w in data["workplaces"]
                ]
            if "terminals" in data:
                self.terminals = [
                    TerminalSpec(str(t["terminal"]), str(t["workplace"]))
                    for t in data["terminals"]
                ]
            await self._enqueue(
                {
                    "event": "vpbxNotifications",
                    "result": {"eventType": "workplacesChanged"},
                }
            )

    # --- OAuth shortcuts ----------------------------------------------------------

    def register_client(
        self,
        redirect_uri: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Home Assistant",
    ) -> OAuthClient:
        """The portal's "Create integration" and "Generate"."""
        return self.oauth.register_client(
            redirect_uri, client_id=client_id, client_secret=client_secret, name=name
        )

    def register_scenario_clients(self, redirect_uri: str) -> list[OAuthClient]:
        """Register the scenario's pre-made integrations with this Redirect URI."""
        return [
            self.register_client(
                spec.redirect_uri or redirect_uri,
                client_id=spec.client_id,
                client_secret=spec.client_secret,
                name=spec.name,
            )
            for spec in self.scenario.clients
        ]

    def expire_access_tokens(self) -> None:
        """Every access token expires now."""
        self.oauth.expire_access_tokens()

    def expire_refresh_tokens(self) -> None:
        """Every refresh token expires now."""
        self.oauth.expire_refresh_tokens()

    # --- calls (for tests in the same event loop) --------------------------------

    async def start_incoming_call(
        self,
        caller: str,
        external_number: str,
        *,
        workplace: str | list[str] | None = None,
    ) -> str:
        """A caller dials an external number; returns the call id.

        `workplace` overrides the portal's route: a workplace (or a number), or a
        list of workplaces that ring at once (a ring group).
        """
        return (await self.engine.start_incoming(caller, external_number, workplace)).id

    async def answer(self, call_id: str, workplace: str | None = None) -> None:
        """The workplace (or the callee of an outgoing call) answers.

        Without `workplace` the first ringing leg answers; the other legs of a ring
        group stop ringing.
        """
        await self.engine.answer(call_id, workplace)

    async def hang_up(self, call_id: str, side: str = "caller") -> None:
        """A party hangs up."""
        await self.engine.hang_up(call_id, side)

    async def wait_pushed(self) -> None:
        """Wait until the calls' steps due now have run and their pushes were sent."""
        for _ in range(5):
            await asyncio.sleep(0)
            await self._queue.join()

    # --- logs ---------------------------------------------------------------------

    def log_request(self, method: str, params: Any) -> ApiRequest:
        """Record a received request."""
        request = ApiRequest(method, params, time.monotonic())
        self.requests.append(request)
        del self.requests[:-LOG_LIMIT]
        return request

    def log(self, message: str) -> None:
        """Record a message of the engine."""
        _LOGGER.info(message)
        self.messages.append(message)
        del self.messages[:-LOG_LIMIT]

    # --- pushes -------------------------------------------------------------------

    async def start(self, base_url: str = "") -> None:
        """Start sending pushes.

        `base_url` is where the simulator is reached (the recordings' links); when
        empty it is taken from the first request received.
        """
        self.base_url = base_url.rstrip("/") or self.base_url
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._sender = asyncio.get_running_loop().create_task(self._send_pushes())

    async def stop(self) -> None:
        """Stop every timer and the sender."""
        await self.engine.stop()
        if self._sender:
            self._sender.cancel()
            await asyncio.gather(self._sender, return_exceptions=True)
        if self._session:
            await self._session.close()

    async def _enqueue(self, body: dict[str, Any]) -> None:
        await self._queue.put(body)

    async def _send_pushes(self) -> None:
        while True:
            body = await self._queue.get()
            try:
                fault = self.faults.push
                if fault.drop:
                    self.log("dropped a push")
                    continue
                if fault.reorder and self._held is None:
                    self._held = body
                    continue
                bodies = [body]
                if self._held is not None:
                    bodies.append(self._held)
                    self._held = None
                if fault.duplicate:
                    bodies = [b for b in bodies for _ in (1, 2)]
                delay = fault.delay or self.scenario.push_delay
                if delay:
                    await asyncio.sleep(delay)
                for item in bodies:
                    await self._deliver(item)
            finally:
                self._queue.task_done()

    async def _deliver(self, body: dict[str, Any]) -> None:
        assert self._session is not None
        data = json.dumps(body, ensure_ascii=False).encode()
        for client in list(self.oauth.clients.values()):
            url = client.redirect_uri.rstrip("/") + "/events"
            record = PushRecord(url, body, time.monotonic())
            self.pushes.append(record)
            del self.pushes[:-LOG_LIMIT]
            try:
                async with self._session.post(
                    url, data=data, headers={"Content-Type": "application/json"}
                ) as response:
                    record.status = response.status
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as err:
                record.error = repr(err)
