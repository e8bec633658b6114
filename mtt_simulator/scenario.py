"""A scenario: the account, its PBX directory and the timings of the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

DEMO = Path(__file__).parent / "scenarios" / "demo.json"


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
class Scenario:
    """Everything the simulator is started with."""

    login: str = "demo"
    password: str = "demo"
    centrex_id: str = "67821426"
    external_numbers: list[str] = field(default_factory=list)
    workplaces: list[WorkplaceSpec] = field(default_factory=list)
    terminals: list[TerminalSpec] = field(default_factory=list)
    access_token_lifetime: float = 7200
    refresh_token_lifetime: float = 3 * 86400
    code_lifetime: float = 60
    parking_window: float = 5.0
    answer_timeout: float = 60.0
    ring_timeout: float = 30.0
    record_calls: bool = True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        """Read the JSON form (see scenarios/demo.json)."""
        account = data.get("account", {})
        lifetimes = data.get("lifetimes", {})
        return cls(
            login=account.get("login", "demo"),
            password=account.get("password", "demo"),
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
            access_token_lifetime=lifetimes.get("access_token", 7200),
            refresh_token_lifetime=lifetimes.get("refresh_token", 3 * 86400),
            code_lifetime=lifetimes.get("code", 60),
            parking_window=data.get("parking_window", 5.0),
            answer_timeout=data.get("answer_timeout", 60.0),
            ring_timeout=data.get("ring_timeout", 30.0),
            record_calls=data.get("record_calls", True),
        )

    @classmethod
    def load(cls, path: Path) -> Scenario:
        """Read a scenario file."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def demo(cls) -> Scenario:
        """The built-in demo scenario."""
        return cls.load(DEMO)
