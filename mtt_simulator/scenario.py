"""A scenario: the account, its PBX directory and the timings of the simulator.

The JSON form (see `scenarios/demo.json`)::

    {
      "account": {"login": "demo", "password": "demo", "centrex_id": "67821426"},
      "external_numbers": [{"number": "74996497803", "type": null}],
      "workplaces": [{"workplace": "883140777716581", "name": "Ресепшн"}],
      "terminals": [{"terminal": "883140777380595", "workplace": "883140777716581"}],
      "routes": {"78005560251": "883140777828305"},
      "clients": [{"client_id": "…", "client_secret": "…", "name": "…",
                   "redirect_uri": null}],
      "lifetimes": {"access_token": 7200, "refresh_token": 259200, "code": 60},
      "parking_window": 5.0, "answer_timeout": 60.0, "ring_timeout": 30.0,
      "push_delay": 0.0, "record_calls": true, "variants": []
    }

Every key is optional. `routes` is the portal's own routing of an external number
(a workplace SIP ID or a number, or a list of workplaces: a ring group, each rings
on its own leg); an external number without a route rings the first workplace.
`variants` names the behaviours the documentation does not show that the simulator
adds (see `variants.py`; an unknown name is refused). A client without
`redirect_uri` is only registered once one is given
(`python -m mtt_simulator --redirect-uri …`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

from .variants import Variant, parse_variants

DEMO = Path(__file__).parent / "scenarios" / "demo.json"


class ScenarioError(ValueError):
    """A scenario file that cannot be read."""


@dataclass
class WorkplaceSpec:
    """A workplace (SIP ID and name)."""

    sip_id: str
    name: str = ""


@dataclass
class TerminalSpec:
    """A terminal bound to a workplace."""

    sip_id: str
    workplace: str


@dataclass
class ClientSpec:
    """An integration created in the portal beforehand (fixed id and secret)."""

    client_id: str
    client_secret: str
    name: str = "Home Assistant"
    redirect_uri: str | None = None


@dataclass
class Scenario:
    """Everything the simulator is started with."""

    login: str = "demo"
    password: str = "demo"
    centrex_id: str = "67821426"
    external_numbers: list[str] = field(default_factory=list)
    workplaces: list[WorkplaceSpec] = field(default_factory=list)
    terminals: list[TerminalSpec] = field(default_factory=list)
    routes: dict[str, str | list[str]] = field(default_factory=dict)
    """External number -> the workplace (or number) the portal routes it to, or a
    list of workplaces (a ring group)."""
    clients: list[ClientSpec] = field(default_factory=list)
    access_token_lifetime: float = 7200
    refresh_token_lifetime: float = 3 * 86400
    code_lifetime: float = 60
    parking_window: float = 5.0
    answer_timeout: float = 60.0
    """makeCall: how long the workplace may ring before the attempt is dropped."""
    ring_timeout: float = 30.0
    """Incoming: how long a workplace rings before the caller gives up."""
    push_delay: float = 0.0
    """Seconds every push waits before it is sent (network and PBX latency)."""
    record_calls: bool = True
    variants: frozenset[Variant] = frozenset()
    """The undocumented behaviours switched on (see `variants.py`)."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Read the JSON form (see the module's docstring)."""
        try:
            account = data.get("account", {})
            lifetimes = data.get("lifetimes", {})
            return cls(
                login=str(account.get("login", "demo")),
                password=str(account.get("password", "demo")),
                centrex_id=str(account.get("centrex_id", "67821426")),
                external_numbers=[
                    str(n["number"]) for n in data.get("external_numbers", [])
                ],
                workplaces=[
                    WorkplaceSpec(str(w["workplace"]), w.get("name") or "")
                    for w in data.get("workplaces", [])
                ],
                terminals=[
                    TerminalSpec(str(t["terminal"]), str(t["workplace"]))
                    for t in data.get("terminals", [])
                ],
                routes={
                    str(k): [str(w) for w in v] if isinstance(v, list) else str(v)
                    for k, v in data.get("routes", {}).items()
                },
                clients=[
                    ClientSpec(
                        str(c["client_id"]),
                        str(c["client_secret"]),
                        str(c.get("name") or "Home Assistant"),
                        c.get("redirect_uri"),
                    )
                    for c in data.get("clients", [])
                ],
                access_token_lifetime=float(lifetimes.get("access_token", 7200)),
                refresh_token_lifetime=float(lifetimes.get("refresh_token", 3 * 86400)),
                code_lifetime=float(lifetimes.get("code", 60)),
                parking_window=float(data.get("parking_window", 5.0)),
                answer_timeout=float(data.get("answer_timeout", 60.0)),
                ring_timeout=float(data.get("ring_timeout", 30.0)),
                push_delay=float(data.get("push_delay", 0.0)),
                record_calls=bool(data.get("record_calls", True)),
                variants=parse_variants(data.get("variants", [])),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise ScenarioError(f"Not a scenario: {err!r}") from err

    @classmethod
    def load(cls, path: Path | str) -> Scenario:
        """Read a scenario file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as err:
            raise ScenarioError(f"{path}: not JSON: {err}") from err
        if not isinstance(data, dict):
            raise ScenarioError(f"{path}: not a JSON object")
        return cls.from_dict(data)

    @classmethod
    def demo(cls) -> Scenario:
        """The built-in demo scenario."""
        return cls.load(DEMO)
