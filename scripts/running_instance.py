"""Drive a real MTT simulator and a real Home Assistant, as processes on loopback.

Shared by the end-to-end test and the benchmarks: starts both processes on free
loopback ports with a configuration from `dev_instance.prepare`, logs in to Home
Assistant and adds the integration exactly as a browser would (Home Assistant's REST
config-flow API and the simulator's login form), and ends exactly the processes it
started, by their ids, whatever happens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
import os
from pathlib import Path
import signal
import socket
import sys
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_instance import DevInstance, prepare, register

from mtt_simulator.browser import portal_sign_in

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningInstance:
    """The simulator and Home Assistant, running; use `async with`."""

    base_dir: Path
    instance: DevInstance | None = None
    extra_config: str = ""
    customize: Callable[[Path], None] | None = None
    """Called with the configuration folder before Home Assistant starts."""
    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    token: str | None = None

    async def __aenter__(self) -> Self:
        """Prepare the configuration and start both processes."""
        ha_port, simulator_port = free_port(), free_port()
        self.instance = prepare(
            self.base_dir / "config", ha_port=ha_port, simulator_port=simulator_port
        )
        if self.extra_config:
            config = Path(self.instance.config_dir) / "configuration.yaml"
            config.write_text(config.read_text() + "\n" + self.extra_config)
        if self.customize is not None:
            self.customize(Path(self.instance.config_dir))
        try:
            await self._start(
                [
                    sys.executable,
                    "-m",
                    "mtt_simulator",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(simulator_port),
                ],
                "simulator",
            )
            await self._wait_http(f"{self.instance.simulator_url}/control/state", 30)
            await asyncio.get_running_loop().run_in_executor(
                None, register, self.instance
            )
            await self._start(
                [
                    sys.executable,
                    "-m",
                    "homeassistant",
                    "--config",
                    self.instance.config_dir,
                    "--skip-pip",
                ],
                "homeassistant",
                # Not from the repository: its `custom_components` would shadow the
                # configuration's (where the benchmark adds its bare webhook).
                cwd=self.base_dir,
            )
            await self._wait_http(f"http://127.0.0.1:{ha_port}/manifest.json", 180)
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """End both processes."""
        await self.stop()

    @property
    def ha_url(self) -> str:
        """Home Assistant's base URL on loopback."""
        assert self.instance is not None
        return self.instance.ha_url.replace("localhost", "127.0.0.1")

    async def _start(self, command: list[str], name: str, cwd: Path = ROOT) -> None:
        log = open(self.base_dir / f"{name}.log", "wb")  # noqa: ASYNC230, SIM115
        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        self.processes.append(process)

    async def _wait_http(self, url: str, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        async with aiohttp.ClientSession() as session:
            while loop.time() < deadline:
                for process in self.processes:
                    if process.returncode is not None:
                        raise RuntimeError(
                            f"A process ended early: see {self.base_dir}"
                        )
                try:
                    async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)):
                        return
                except aiohttp.ClientError, TimeoutError:
                    await asyncio.sleep(0.25)
        raise TimeoutError(f"{url} did not answer within {seconds} s")

    async def stop(self) -> None:
        """Terminate the processes this instance started (by pid), then kill."""
        for process in reversed(self.processes):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        self.processes.clear()

    def pid(self, index: int) -> int:
        """Pid of a started process: 0 the simulator, 1 Home Assistant."""
        return self.processes[index].pid

    async def login(self, session: aiohttp.ClientSession) -> str:
        """Log in to Home Assistant as the browser does; returns an access token."""
        assert self.instance is not None
        client_id = f"{self.ha_url}/"
        async with session.post(
            f"{self.ha_url}/auth/login_flow",
            json={
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.ha_url}/?auth_callback=1",
            },
        ) as response:
            flow = await response.json()
        async with session.post(
            f"{self.ha_url}/auth/login_flow/{flow['flow_id']}",
            json={
                "client_id": client_id,
                "username": self.instance.username,
                "password": self.instance.password,
            },
        ) as response:
            result = await response.json()
        async with session.post(
            f"{self.ha_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": client_id,
            },
        ) as response:
            tokens = await response.json()
        self.token = str(tokens["access_token"])
        return self.token

    def headers(self) -> dict[str, str]:
        """Authorization header of the logged-in user."""
        return {"Authorization": f"Bearer {self.token}"}

    async def add_integration(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """Settings → Add integration → MTT Business → sign in → Allow."""
        assert self.instance is not None
        flows = f"{self.ha_url}/api/config/config_entries/flow"
        async with session.post(
            flows, json={"handler": "mtt_business"}, headers=self.headers()
        ) as response:
            step = await response.json()
        if step.get("step_id") != "user":
            raise RuntimeError(f"Unexpected first step: {step}")
        flow_id = step["flow_id"]
        async with session.post(
            f"{flows}/{flow_id}", json={}, headers=self.headers()
        ) as response:
            step = await response.json()
        if step.get("type") != "external":
            raise RuntimeError(f"Expected the sign-in page, got: {step}")
        location = await portal_sign_in(
            session, step["url"], self.instance.username, self.instance.password
        )
        back = URL(location)
        callback = URL(self.ha_url).with_path(back.path).with_query(back.query)
        async with session.get(callback) as response:
            if response.status != 200:
                raise RuntimeError(f"The Redirect URI answered {response.status}")
        async with session.post(
            f"{flows}/{flow_id}", json={}, headers=self.headers()
        ) as response:
            result: dict[str, Any] = await response.json()
        return result

    async def websocket(
        self, session: aiohttp.ClientSession, message: dict[str, Any]
    ) -> Any:
        """One websocket command as the frontend sends it; returns its result."""
        async with session.ws_connect(f"{self.ha_url}/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            auth = await ws.receive_json()
            if auth.get("type") != "auth_ok":
                raise RuntimeError(f"Websocket auth failed: {auth}")
            await ws.send_json({"id": 1, **message})
            while True:
                answer = await ws.receive_json()
                if answer.get("id") == 1:
                    if not answer.get("success"):
                        raise RuntimeError(f"Websocket command failed: {answer}")
                    return answer["result"]
