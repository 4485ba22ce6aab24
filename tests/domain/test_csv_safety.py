"""Exported cells never run as spreadsheet formulas."""

from __future__ import annotations

import pytest

from frontdesk.domain.csv_safety import neutralize_cell, neutralize_row


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+12175550142",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
    ],
)
def test_formula_starters_are_neutralized(cell: str) -> None:
    assert neutralize_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["María José", "O'Connor", "", "1961-03-04", "a=b", "Núñez-García"]
)
def test_ordinary_text_is_unchanged(cell: str) -> None:
    assert neutralize_cell(cell) == cell


def test_rows() -> None:
    assert neutralize_row(["=1", "ok"]) == ["'=1", "ok"]
