"""Phone numbers in Russian numbering: `8…`, `7…` and `+7…` are one subscriber."""

from __future__ import annotations

from functools import lru_cache
import re

_NOISE = re.compile(r"[\s\-().…]")
"""What people write between digits (and the `…` `format_prefix` ends a prefix with)."""


def normalize_number(raw: str | None) -> str | None:
    """International form (`+7…`) for phone numbers; SIP IDs and extensions as digits.

    `78124241500@pstn` → `+78124241500`; `89219462761` → `+79219462761`;
    `9219462761` → `+79219462761`; `883140777716581` (a SIP ID) stays as it is.
    Returns None for an empty or unreadable value.
    """
    if not isinstance(raw, str):
        return None
    return _normalize(raw)


@lru_cache(maxsize=4096)
def _normalize(raw: str) -> str | None:
    """`normalize_number` of a string (remembered: a call's pushes repeat numbers)."""
    value = _NOISE.sub("", raw.split("@", 1)[0])
    plus = value.startswith("+")
    digits = value.removeprefix("+")
    if not digits.isdigit():
        return None
    if plus:
        return f"+{digits}"
    if len(digits) == 11 and digits[0] in "78":
        return f"+7{digits[1:]}"
    if len(digits) == 10 and digits[0] in "3489":
        return f"+7{digits}"
    return digits


def normalize_prefix(raw: str) -> str | None:
    """A caller number or prefix in international form (`8916…` → `+7916…`).

    Unlike `normalize_number`, a short value is read as the start of a number:
    `8…`/`7…` become `+7…`, a Russian area or mobile code (`3…`, `4…`, `8…`, `9…`
    of at most 10 digits) gets `+7`, anything else is taken as international.
    """
    value = _NOISE.sub("", raw.split("@", 1)[0])
    digits = value.removeprefix("+")
    if not digits.isdigit():
        return None
    if value.startswith("+"):
        return value
    if digits[0] in "78":
        return "+7" + digits[1:]
    if digits[0] in "3489" and len(digits) <= 10:
        return "+7" + digits
    return "+" + digits


_RUSSIAN_NUMBER = re.compile(r"\+7\d{10}")


@lru_cache(maxsize=4096)
def format_number(value: str) -> str:
    """For people: `+7 912 345-67-89` for Russian numbers, others unchanged."""
    if _RUSSIAN_NUMBER.fullmatch(value):
        d = value[2:]
        return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"
    return value


def format_prefix(value: str) -> str:
    """For people: a number or the beginning of one, as `normalize_prefix` keeps it.

    A whole Russian number is written as `format_number` writes it; the beginning
    of one is grouped the same way as far as it goes and ends with `…`, so that it
    reads as "every number starting so": `+7495` → `+7 495…`, `+7916123` →
    `+7 916 123…`, `+7` → `+7…`. Other values (`+4420`, a name) are unchanged.
    `normalize_prefix` reads every form written here back.
    """
    if not re.fullmatch(r"\+7\d{0,9}", value):
        return format_number(value)
    d = value[2:]
    groups = [(" ", d[:3]), (" ", d[3:6]), ("-", d[6:8]), ("-", d[8:])]
    return "+7" + "".join(sep + part for sep, part in groups if part) + "…"
