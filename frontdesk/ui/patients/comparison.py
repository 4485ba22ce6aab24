"""Charts side by side: one column per chart, one row per fact (duplicates, merge)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from frontdesk.ui.widgets.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex


class ComparisonModel(QAbstractTableModel):
    """A small read-only grid of text; rows are labelled by the vertical header."""

    def __init__(
        self,
        row_labels: Sequence[str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.row_labels = list(row_labels)
        self.titles: list[str] = []
        # columns[c][r]: the text of fact r for chart c
        self.columns: list[list[str]] = []

    def set_columns(self, titles: Sequence[str], columns: Sequence[Sequence[str]]) -> None:
        assert len(titles) == len(columns)
        assert all(len(column) == len(self.row_labels) for column in columns)
        self.beginResetModel()
        self.titles = list(titles)
        self.columns = [list(column) for column in columns]
        self.endResetModel()

    def cell(self, row: int, column: int) -> str:
        return self.columns[column][row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.columns else len(self.row_labels)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.column() < len(self.columns) and 0 <= index.row() < len(self.row_labels)
        ):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.columns[index.column()][index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.columns[index.column()][index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.titles):
                return self.titles[section]
            if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.row_labels):
                return self.row_labels[section]
        return super().headerData(section, orientation, role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
