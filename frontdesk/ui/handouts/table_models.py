"""Small in-memory table models: the handout library list and a patient's handouts given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.handout_prints import PrintRecord
from frontdesk.services.handouts.library import HandoutSummary, ReviewState, review_state
from frontdesk.ui.style import ERROR_INK

AnyIndex = QModelIndex | QPersistentModelIndex
RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str] | None = None
    warning: Callable[[Any], bool] | None = None


class RecordTableModel(QAbstractTableModel):
    """Frozen records as rows, in the order given (the lists are short)."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.records: list[Any] = []
        self._warning = QBrush(QColor(ERROR_INK))

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self.records = list(records)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self.records[row]

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
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.warning is not None and column.warning(record):
                return self._warning
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
        return None


# The library --------------------------------------------------------------------------------


def review_text(summary: HandoutSummary, today: dt.date | None = None) -> str:
    """ "Overdue (was due 01/15/2026)" / "Due soon (05/25/2027)" / "" — words, not colour."""
    state = review_state(summary.review_due, today or dt.date.today())
    due = f"{summary.review_due:%m/%d/%Y}"
    if state is ReviewState.OVERDUE:
        return f"Overdue (was due {due})"
    if state is ReviewState.DUE_SOON:
        return f"Due soon ({due})"
    return ""


def _library_tooltip(summary: HandoutSummary) -> str:
    origin = "the practice's own file" if summary.origin == "practice" else "shipped"
    return (
        f"{summary.summary}\nLast reviewed {summary.last_reviewed:%m/%d/%Y} by "
        f"{summary.reviewer}; review due {summary.review_due:%m/%d/%Y} ({origin})"
    ).strip()


def library_model(parent: QObject | None = None) -> RecordTableModel:
    return RecordTableModel(
        (
            Column("Handout", lambda s: s.title, _library_tooltip),
            Column("Language", lambda s: s.language_name),
            Column("Version", lambda s: s.version),
            Column("Review", review_text, warning=lambda s: bool(review_text(s))),
        ),
        parent,
    )


# A patient's handouts given ----------------------------------------------------------------


def given_when(record: PrintRecord) -> str:
    return record.given_at.astimezone().strftime("%m/%d/%Y %I:%M %p").replace(" 0", " ")


def given_how(record: PrintRecord) -> str:
    if record.destination.startswith(handout_prints.PRINTER):
        return "Printed on " + record.destination.removeprefix(handout_prints.PRINTER)
    return "Saved as " + record.destination.removeprefix(handout_prints.SAVED)


def given_what(record: PrintRecord) -> str:
    extras = []
    if record.large_print:
        extras.append("large print")
    if record.reprint_of_id is not None:
        extras.append("reprint")
    return record.title + (f" ({', '.join(extras)})" if extras else "")


def _given_tooltip(record: PrintRecord) -> str:
    lines = [f"{record.handout_id}, version {record.version}, {record.page_size.upper()} paper"]
    if record.note:
        lines.append(f"Note: {record.note}")
    lines.append(f"Content SHA-256: {record.content_sha256[:16]}…")
    return "\n".join(lines)


def given_model(parent: QObject | None = None) -> RecordTableModel:
    return RecordTableModel(
        (
            Column("Given", given_when),
            Column("Handout", given_what, _given_tooltip),
            Column("Version", lambda r: r.version),
            Column("Language", lambda r: r.language_name),
            Column("How", given_how),
            Column("By", lambda r: r.given_by),
        ),
        parent,
    )
