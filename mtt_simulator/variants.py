"""Named variants: pushes the documentation does not show, each switched on by name.

Without any variant the simulator sends only the documented minimal sequences (see
`engine.py`). Each variant adds one behaviour the documentation neither shows nor
excludes, so that the product can be tested against every plausible PBX.
"""

from __future__ import annotations

from enum import StrEnum


class Variant(StrEnum):
    """A behaviour the documentation does not show."""

    PARKING_HIDING = "parking_hiding"
    """The parked leg `~1o` that moves on (transferCall, terminateCall, or the
    parking window passing) gets `hiding` before the next leg is shown."""

    RING_GROUP_HIDING = "ring_group_hiding"
    """The other ringing legs of a ring group get `hiding` when one workplace
    answers, or when the call ends while they ring (sent before the `finished`)."""

    HIDING_BEFORE_FINISHED = "hiding_before_finished"
    """A leg that only rang gets `hiding` before its `finished` (the caller hangs up
    while it rings, the ring timeout, makeCall's answer timeout, terminateCall)."""

    NO_PARKING_LEG = "no_parking_leg"
    """A call to a number without parking starts on `~2o` with `trying` then
    `showing` (no `~1o` leg): the simulator's earlier behaviour."""


VARIANTS: tuple[Variant, ...] = tuple(Variant)


def parse_variants(names: object) -> frozenset[Variant]:
    """A list of variant names as a set (TypeError, or ValueError naming an unknown one)."""
    if not isinstance(names, list | tuple | set | frozenset):
        raise TypeError("variants must be a list of names")
    result: set[Variant] = set()
    for name in names:
        try:
            result.add(Variant(name))
        except ValueError:
            known = ", ".join(VARIANTS)
            raise ValueError(f"unknown variant {name!r} (known: {known})") from None
    return frozenset(result)
