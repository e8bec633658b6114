"""Numbers and prefixes as people read them, and read back."""

from __future__ import annotations

import pytest

from custom_components.mtt_business.api.phone_number import (
    format_prefix,
    normalize_prefix,
)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+79161234567", "+7 916 123-45-67"),
        ("+7495", "+7 495…"),
        ("+749564", "+7 495 64…"),
        ("+7916123", "+7 916 123…"),
        ("+79161234", "+7 916 123-4…"),
        ("+791612345", "+7 916 123-45…"),
        ("+791612345678", "+791612345678"),
        ("+79", "+7 9…"),
        ("+7", "+7…"),
        ("+4420", "+4420"),
        ("+442071234567", "+442071234567"),
        ("Иван Петров, ООО Ромашка", "Иван Петров, ООО Ромашка"),
    ],
)
def test_prefixes_are_grouped_and_read_back(stored: str, shown: str) -> None:
    """A prefix is grouped like a whole number and ends with `…`; it reads back."""
    assert format_prefix(stored) == shown
    if stored.startswith("+"):
        assert normalize_prefix(shown) == stored
