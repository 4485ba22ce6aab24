"""Table models of a chart's surgeries and imaging studies: small, in memory, sortable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from frontdesk.domain.partial_dates import PartialDate, sort_key_undated_first
from frontdesk.services.history.chart_history import ImagingData, SurgeryData
from frontdesk.ui.style import ERROR_INK

AnyIndex = QModelIndex | QPersistentModelIndex
RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
MISSING = "Missing"


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    sort_key: Callable[[Any], Any] | None = None
    # Cells worth drawing in the warning colour (their words already say why).
    warning: Callable[[Any], bool] | None = None
    stretch: bool = False


def _day(value: date | None) -> str:
    return f"{value:%m/%d/%Y}" if value is not None else ""


def date_cell(value: PartialDate | None) -> str:
    return value.display() if value is not None else "date unknown"


def _date_key(record: Any) -> tuple[Any, ...]:
    return (*sort_key_undated_first(record.date), record.id)


def _files(record: Any) -> str:
    count = len(record.documents)
    return "" if count == 0 else f"{count} file" if count == 1 else f"{count} files"


def operative_report_text(surgery: SurgeryData) -> str:
    if surgery.report_received:
        return f"On file {_day(surgery.report_received_on)}"
    if surgery.report_requested_on is not None:
        return f"{MISSING} (requested {_day(surgery.report_requested_on)})"
    return MISSING


def imaging_report_text(study: ImagingData) -> str:
    return f"On file {_day(study.report_received_on)}" if study.report_received else MISSING


def images_text(study: ImagingData) -> str:
    if not study.images_received:
        return MISSING
    medium = f" ({study.images_medium.short})" if study.images_medium is not None else ""
    return f"On file{medium} {_day(study.images_received_on)}"


def age_flag_text(study: ImagingData) -> str:
    if study.flags.too_old:
        return "Too old for a new consult"
    if study.flags.possibly_too_old:
        return "May be too old" if study.date is not None else "Date unknown: may be too old"
    return ""


def _procedure_text(surgery: SurgeryData) -> str:
    text = surgery.procedure_text
    if surgery.revises_description:
        text += f" (revises {surgery.revises_description})"
    return text


SURGERY_COLUMNS: tuple[Column, ...] = (
    Column("Date", lambda s: date_cell(s.date), _date_key),
    Column("Procedure", _procedure_text, stretch=True),
    Column(
        "Levels",
        lambda s: s.levels.text(),
        lambda s: (s.levels.levels[0].sort_position if s.levels else -1, s.id),
    ),
    Column("Approach", lambda s: s.approach.label if s.approach else ""),
    Column("Surgeon", lambda s: s.surgeon),
    Column("Facility", lambda s: s.facility),
    Column("Outcome", lambda s: s.outcome.label if s.outcome else ""),
    Column("Fusion", lambda s: s.fusion_status.short.capitalize() if s.fusion_status else ""),
    Column(
        "Operative report",
        operative_report_text,
        lambda s: (s.report_received, s.report_received_on or date.min, s.id),
        warning=lambda s: not s.report_received,
    ),
    Column("Files", _files, lambda s: (len(s.documents), s.id)),
)

IMAGING_COLUMNS: tuple[Column, ...] = (
    Column("Date", lambda i: date_cell(i.date), _date_key),
    Column(
        "Study",
        lambda i: (
            (i.modality_label or i.modality.label) + (f", {i.contrast.short}" if i.contrast else "")
        ),
    ),
    Column("Regions", lambda i: i.regions_text),
    Column("Facility", lambda i: i.facility, stretch=True),
    Column(
        "Report",
        imaging_report_text,
        lambda i: (i.report_received, i.report_received_on or date.min, i.id),
        warning=lambda i: not i.report_received,
    ),
    Column(
        "Images",
        images_text,
        lambda i: (i.images_received, i.images_received_on or date.min, i.id),
        warning=lambda i: not i.images_received,
    ),
    Column(
        "Age",
        age_flag_text,
        lambda i: (i.flags.too_old, i.flags.possibly_too_old, i.id),
        warning=lambda i: i.flags.too_old or i.flags.possibly_too_old,
    ),
    Column("Files", _files, lambda i: (len(i.documents), i.id)),
)


class EntryTableModel(QAbstractTableModel):
    """History entries (frozen dataclasses with ``id``) as rows; sorting is done here, in
    Python, because dates are partial and their order is the domain's, not text order."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.records: list[Any] = []
        self._warning = QBrush(QColor(ERROR_INK))
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.DescendingOrder)

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
            return record.description
        if role == Qt.ItemDataRole.ForegroundRole:
            if column.warning is not None and column.warning(record):
                return self._warning
            return None
        if role == RECORD_ID_ROLE:
            return record.id
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
        ids = [self.records[index.row()].id for index in before]
        self.records = self._sorted(self.records)
        rows = {record.id: row for row, record in enumerate(self.records)}
        self.changePersistentIndexList(
            before,
            [
                self.index(rows[record_id], index.column())
                for record_id, index in zip(ids, before, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def _sorted(self, records: list[Any]) -> list[Any]:
        column_number, order = self._sort
        column = self.columns[column_number]
        key = column.sort_key or (lambda record: (column.text(record).casefold(), record.id))
        return sorted(records, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
