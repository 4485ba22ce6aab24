"""The read-only table of an area's records: whole rows, one chosen at a time."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

# A little air between the column lines and the text.
CELL_PADDING = "QTableView::item { padding-left: 5px; padding-right: 5px; }"


def list_table(
    model: QAbstractItemModel, accessible_name: str, parent: QWidget | None = None
) -> QTableView:
    """A view of ``model`` that selects whole rows, one at a time, never edits, and leaves
    Tab to move on to the next field; banded one-line rows without row numbers."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.setStyleSheet(CELL_PADDING)
    table.horizontalHeader().setHighlightSections(False)
    return table
