"""Tables edited as text, one `key = value` a line (the routing table, the phone book).

Blank lines and lines starting with `#` are skipped; the value is everything after
the first `=`, so it may hold `=` itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TableLine:
    """One line of a table that holds something."""

    number: int
    """Its line number in the text, from 1."""
    text: str
    """The whole line, trimmed."""
    key: str
    """What stands before the first `=`, trimmed."""
    value: str | None
    """What stands after the first `=`, trimmed; None without an `=`."""


def table_lines(text: str) -> Iterator[TableLine]:
    """The lines of a table that hold something, with their line numbers."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sign, value = line.partition("=")
        yield TableLine(number, line, key.strip(), value.strip() if sign else None)


def format_table(rows: Iterable[tuple[str, str]]) -> str:
    """One `key = value` a line."""
    return "\n".join(f"{key} = {value}" for key, value in rows)
