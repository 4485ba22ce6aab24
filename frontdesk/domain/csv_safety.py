"""CSV cells that a spreadsheet will not run as formulas (CSV/formula injection)."""

from __future__ import annotations

from collections.abc import Iterable

# A spreadsheet treats a cell starting with these as a formula (tab and carriage return too,
# since some programs strip them first and then see the formula behind them).
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(cell: str) -> bool:
    """Whether a spreadsheet could read the cell as a formula."""
    return cell.startswith(FORMULA_STARTERS) or cell.lstrip(" ").startswith(FORMULA_STARTERS)


def neutralize_cell(cell: str) -> str:
    """The cell with a leading apostrophe when it could start a formula, else unchanged.

    The apostrophe makes spreadsheets show the rest as plain text; the value stays readable
    ("'+1 217 555 0142", "'=cmd|' /C calc'!A0" shows as typed, and does not run).
    """
    return "'" + cell if is_dangerous(cell) else cell


def neutralize_row(cells: Iterable[str]) -> list[str]:
    return [neutralize_cell(cell) for cell in cells]
