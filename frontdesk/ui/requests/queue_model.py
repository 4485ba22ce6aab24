"""The work queue's lazy table: rows arrive a page at a time from the requests service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from frontdesk.domain.plurals import counted
from frontdesk.services.requests.data import QueuePage, QueueRow
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.plain_text import plain_tooltip

AnyIndex = QModelIndex | QPersistentModelIndex
PageCall = Callable[[str | None], QueuePage]

# State and next action come early: they are what the desk acts on.
COLUMNS = (
    "Patient",
    "Age",
    "Urgency",
    "State",
    "Next action",
    "Category",
    "Referred by",
    "Assignee",
)
NEXT_ACTION = COLUMNS.index("Next action")
# On a narrow screen these narrow, then hide, in this order (the row's tooltip and the open
# request still show them).
GIVE_WAY = tuple(COLUMNS.index(name) for name in ("Referred by", "Assignee", "Category"))
OVERDUE_TEXT = "Overdue: past the practice's time limit for this urgency, or follow-up due"
OVERDUE_BACKGROUND = QColor("#fdecea")
URGENT_INK = QColor("#a4161a")
REQUEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def age_text(row: QueueRow) -> str:
    days = counted(row.age_days, "day")
    # The word, not only the colour, says it is overdue.
    return f"{days} · OVERDUE" if row.overdue else days


def cells(row: QueueRow) -> tuple[str, ...]:
    """The row's text in COLUMNS' order."""
    return (
        f"{row.patient_name} ({row.mrn})",
        age_text(row),
        row.urgency.label,
        row.state.label,
        row.next_action,
        row.category.label,
        row.referrer_name or "—",
        row.assignee_name or "Unassigned",
    )


def row_tooltip(row: QueueRow) -> str | None:
    """The whole row, one column a line: what a narrowed or hidden column no longer shows."""
    lines = [f"{title}: {text}" for title, text in zip(COLUMNS, cells(row), strict=True)]
    return plain_tooltip("\n".join([*lines, OVERDUE_TEXT] if row.overdue else lines))


class RequestQueueModel(QAbstractTableModel):
    """Holds only the fetched rows; ``fetchMore`` reads the next page off the UI thread.

    ``reset(call)`` starts over with a new page function (a filter change); results of an
    older generation are dropped, so a slow answer never overwrites a newer one.
    """

    page_loaded = Signal()
    fetch_failed = Signal(str)

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.rows: list[QueueRow] = []
        self.cursor: str | None = None
        self.exhausted = True
        self.loading = False
        self.generation = 0
        self.call: PageCall | None = None

    def reset(self, call: PageCall, first: QueuePage | None = None) -> None:
        self.generation += 1
        self.beginResetModel()
        self.call = call
        self.rows = []
        self.cursor = None
        self.exhausted = False
        self.loading = False
        self.endResetModel()
        if first is not None:
            self._append(self.generation, first)
        else:
            self.fetchMore(QModelIndex())

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and not self.exhausted and not self.loading

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid() or self.call is None or self.exhausted or self.loading:
            return
        self.loading = True
        generation, call, cursor = self.generation, self.call, self.cursor
        self.runner.run(
            lambda: call(cursor),
            lambda page: self._append(generation, page),
            lambda message: self._failed(generation, message),
        )

    def _append(self, generation: int, page: QueuePage) -> None:
        if generation != self.generation:
            return
        self.loading = False
        self.cursor = page.next_cursor
        self.exhausted = page.next_cursor is None
        if page.rows:
            start = len(self.rows)
            self.beginInsertRows(QModelIndex(), start, start + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.page_loaded.emit()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.loading = False
            self.exhausted = True
            self.fetch_failed.emit(message)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def row_at(self, row: int) -> QueueRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cells(item)[column]
        if role == Qt.ItemDataRole.BackgroundRole and item.overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and column == 2
            and item.urgency.value == "urgent"
        ):
            return QBrush(URGENT_INK)
        if role == Qt.ItemDataRole.FontRole and column == 2 and item.urgency.value == "urgent":
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return row_tooltip(item)
        if role == REQUEST_ID_ROLE:
            return item.id
        return None
