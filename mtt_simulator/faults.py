"""Faults the simulator can be told to inject into its answers and its pushes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ApiFault:
    """Answer some API methods wrongly: a status, an HTML body, or late."""

    methods: set[str] | None = None
    """Method names (`makeCall`, `token`, …); None: every method."""
    status: int | None = None
    html: bool = False
    timeout: float | None = None
    """Seconds to wait before answering (longer than the client's timeout)."""
    count: int | None = None
    """How many answers to spoil; None: until cleared."""

    def applies(self, method: str) -> bool:
        """Whether this fault spoils the next answer of `method`."""
        return (self.count is None or self.count > 0) and (
            self.methods is None or method in self.methods
        )


@dataclass
class PushFault:
    """Spoil pushes: delay, duplicate, reorder (swap with the next) or drop them."""

    delay: float = 0.0
    duplicate: bool = False
    reorder: bool = False
    drop: bool = False


@dataclass
class RecordFault:
    """Spoil downloads of recordings (`GET /records/{id}.mp3`).

    A status answers instead of the recording (500: the provider fails, 404: gone);
    otherwise the recording is sent, `size` bytes long if given (an oversized one),
    in chunks of `chunk` bytes with `delay` seconds before each (a slow body), and
    without a Content-Length when `chunked`.
    """

    status: int | None = None
    size: int | None = None
    delay: float = 0.0
    chunked: bool = False
    chunk: int = 4096
    count: int | None = None
    """How many downloads to spoil; None: until cleared."""


@dataclass
class Faults:
    """The faults in force."""

    api: ApiFault | None = None
    push: PushFault = field(default_factory=PushFault)
    record: RecordFault | None = None

    def set_api_fault(
        self,
        *,
        methods: list[str] | None = None,
        status: int | None = None,
        html: bool = False,
        timeout: float | None = None,
        count: int | None = None,
    ) -> None:
        """Spoil API answers from now on."""
        self.api = ApiFault(
            set(methods) if methods else None, status, html, timeout, count
        )

    def take_api_fault(self, method: str) -> ApiFault | None:
        """The fault for this answer, if any (counting it down)."""
        fault = self.api
        if fault is None or not fault.applies(method):
            return None
        if fault.count is not None:
            fault.count -= 1
        return fault

    def take_record_fault(self) -> RecordFault | None:
        """The fault for this download of a recording, if any (counting it down)."""
        fault = self.record
        if fault is None or fault.count == 0:
            return None
        if fault.count is not None:
            fault.count -= 1
        return fault

    def clear(self) -> None:
        """No faults."""
        self.api = None
        self.push = PushFault()
        self.record = None
