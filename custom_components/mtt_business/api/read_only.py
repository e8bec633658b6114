"""The values a push becomes: read-only for the type checker, cheap to build.

A push is parsed into a `CallNotification`, folded into a `TrackedCall` and a
`CallUpdate`, and shown as a `CallView`: four values built for every push and handed
on to whoever follows the call. They must not change once built, and mypy (`--strict`,
which the tests run) refuses any assignment to their fields, as for a frozen
dataclass. At run time they are plain slotted dataclasses: a frozen dataclass sets
each field through `object.__setattr__`, and building these four that way took about
a tenth of the CPU our push path takes in a loop. Unlike a frozen dataclass, such a
value is not hashable (none of them is used as a key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import dataclass_transform


@dataclass_transform(frozen_default=True)
def read_only[T](cls: type[T]) -> type[T]:
    """A dataclass with slots whose fields nobody assigns (see the module)."""
    return dataclass(slots=True)(cls)
