"""The one table model of short in-memory lists of frozen records, and its column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from frontdesk.ui.style import ERROR_INK, MUTED
from frontdesk.ui.widgets.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex
# The row's record itself, for views and delegates that act on it.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    """One column of a record table: its title and how a record reads in it."""

    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    # Cells worth drawing in the warning colour (their words already say why).
    warning: Callable[[Any], bool] | None = None
    # How the column sorts when the view sorts (text order, case-folded, when None).
    sort_key: Callable[[Any], Any] | None = None
    # The one column that takes the spare width (an address, a specialty).
    stretch: bool = False
    # On a narrow view, columns with a higher number give way first (narrowed, then hidden;
    # see widgets.table_columns); 0 is a column that keeps its text.
    give_way: int = 0


class RecordTableModel(QAbstractTableModel):
    """Frozen records (dataclasses, most with an ``id``) as rows of a short list.

    ``is_inactive`` mutes a record's whole row; ``row_tooltip`` is the tooltip of columns
    without their own. Rows keep the order given unless ``sort_by`` (column, order) is set or
    the view sorts: sorting is done here, with each column's ``sort_key``, because some
    orders are the domain's (partial dates), not the text's.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        is_inactive: Callable[[Any], bool] | None = None,
        row_tooltip: Callable[[Any], str] | None = None,
        sort_by: tuple[int, Qt.SortOrder] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.is_inactive = is_inactive
        self.row_tooltip = row_tooltip
        self.records: list[Any] = []
        self._sort = sort_by
        self._warning = QBrush(QColor(ERROR_INK))
        self._muted = QBrush(QColor(MUTED))

    # Contents ---------------------------------------------------------------------------

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self.records = self._sorted(list(records))
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self.records[row]

    def row_of(self, record_id: int) -> int:
        for row, record in enumerate(self.records):
            if record.id == record_id:
                return row
        return -1

    # Qt model ---------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        record = self.records[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column.tooltip is not None:
                return plain_tooltip(column.tooltip(record))
            if self.row_tooltip is not None:
                return plain_tooltip(self.row_tooltip(record))
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.warning is not None and column.warning(record):
                return self._warning
            if self.is_inactive is not None and self.is_inactive(record):
                return self._muted
            return None
        if role == RECORD_ROLE:
            return record
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return super().headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        moved = [self.records[index.row()] for index in before]
        self.records = self._sorted(self.records)
        rows = {id(record): row for row, record in enumerate(self.records)}
        self.changePersistentIndexList(
            before,
            [
                self.index(rows[id(record)], index.column())
                for record, index in zip(moved, before, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def _sorted(self, records: list[Any]) -> list[Any]:
        if self._sort is None:
            return records
        number, order = self._sort
        column = self.columns[number]
        # Ties in text order keep a stable order: by id where records have one.
        key = column.sort_key or (
            lambda record: (column.text(record).casefold(), getattr(record, "id", 0))
        )
        return sorted(records, key=key, reverse=order == Qt.SortOrder.DescendingOrder)


def whole_row(columns: Sequence[Column]) -> Callable[[Any], str]:
    """A ``row_tooltip`` listing the whole row, one column a line: what a column that gave
    way on a narrow view (``widgets.table_columns``) no longer shows."""
    return lambda record: "\n".join(f"{column.title}: {column.text(record)}" for column in columns)
