"""Tables edited as text: what a line holds, and the text written back."""

from __future__ import annotations

from custom_components.mtt_business.calls.text_table import (
    TableLine,
    format_table,
    table_lines,
)


def test_lines_that_hold_something_keep_their_line_numbers() -> None:
    text = "# Customers\n\n  +7916 = Иван = Петров  \n\t\n+7495\n = \n"
    assert list(table_lines(text)) == [
        TableLine(3, "+7916 = Иван = Петров", "+7916", "Иван = Петров"),
        TableLine(5, "+7495", "+7495", None),
        TableLine(6, "=", "", ""),
    ]
    assert list(table_lines("")) == []


def test_rows_are_written_one_a_line_and_read_back() -> None:
    rows = [("+7916", "Иван = Петров"), ("+7495", "Москва")]
    text = format_table(rows)
    assert text == "+7916 = Иван = Петров\n+7495 = Москва"
    assert [(line.key, line.value) for line in table_lines(text)] == rows
    assert format_table([]) == ""
