"""The lazy audit table: a page of entries at a time, following the service's keyset cursor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    Qt,
)

from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.platform.audit_trail import AuditCursor, AuditEntryData, AuditPage
from frontdesk.ui.audit.display import (
    action_text,
    record_with_patient,
    summary_text,
    user_text,
    when_text,
)
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.paged_table import AnyIndex, PagedTableModel
from frontdesk.ui.widgets.plain_text import plain_tooltip

COLUMNS = ("When", "User", "Action", "Record", "Details", "Workstation", "#")
WHEN, USER, ACTION, RECORD, DETAILS, WORKSTATION, NUMBER = range(len(COLUMNS))
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class AuditRows:
    """One page of entries, with the charts they name (to show who, not a number)."""

    page: AuditPage
    patients: Mapping[int, PatientSummary] = field(default_factory=dict)


# cursor (None: the first page) -> that page; runs on a worker thread.
AuditFetcher = Callable[[AuditCursor | None], AuditRows]


class AuditTableModel(PagedTableModel):
    """Holds only the pages fetched so far; Qt's ``fetchMore`` reads the next when a view
    scrolls to the end. ``show(fetch)`` starts over with a new filter; pages of an older
    filter still on their way are dropped."""

    COLUMNS = COLUMNS

    def __init__(self, runner: Runner, zone: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(runner, parent)
        # The practice's zone: each entry's time is shown on its clock.
        self.zone = zone
        self.fetch: AuditFetcher | None = None
        self._entries: list[AuditEntryData] = []
        self._texts: list[tuple[str, ...] | None] = []
        self._patients: dict[int, PatientSummary] = {}
        self._cursor: AuditCursor | None = None
        self._more = False
        self.loaded_once = False

    def show(self, fetch: AuditFetcher) -> None:
        self.beginResetModel()
        self.start_over()
        self.fetch = fetch
        self._entries, self._texts, self._patients = [], [], {}
        self._cursor, self._more = None, True
        self.loaded_once = False
        self.endResetModel()
        self.fetchMore()

    @property
    def has_more(self) -> bool:
        return self._more

    def next_page(self) -> Callable[[], AuditRows] | None:
        fetch, cursor = self.fetch, self._cursor
        if not self._more or fetch is None:
            return None
        return lambda: fetch(cursor)

    def add_page(self, rows: AuditRows) -> int:
        self._patients.update(rows.patients)
        entries = rows.page.entries
        if entries:
            first = len(self._entries)
            self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
            self._entries.extend(entries)
            self._texts.extend([None] * len(entries))
            self.endInsertRows()
        self._cursor = rows.page.next_cursor
        self._more = self._cursor is not None
        self.loaded_once = True
        return len(entries)

    def page_failed(self) -> None:
        self._more = False  # the area says why; a new filter tries again

    # Reading -----------------------------------------------------------------------------

    def entry(self, row: int) -> AuditEntryData:
        return self._entries[row]

    def patient(self, patient_id: int | None) -> PatientSummary | None:
        return self._patients.get(patient_id) if patient_id is not None else None

    def entries(self) -> list[AuditEntryData]:
        return list(self._entries)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def texts(self, row: int) -> tuple[str, ...]:
        shown = self._texts[row]
        if shown is None:
            entry = self._entries[row]
            shown = (
                when_text(entry.at, self.zone),
                user_text(entry),
                action_text(entry.action),
                record_with_patient(entry, self.patient(entry.patient_id)),
                summary_text(entry),
                entry.workstation,
                str(entry.id),
            )
            self._texts[row] = shown
        return shown

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.texts(index.row())[index.column()])
        if role == ENTRY_ROLE:
            return self._entries[index.row()].id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
