"""The lazy list of search results: only fetched rows are held; more pages load on scroll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    Qt,
)

from frontdesk.domain.search_query import QueryKind
from frontdesk.services.patients.forms import PatientSummary, SearchPage
from frontdesk.ui.patients.display import (
    age_text,
    birth_date_text,
    language_text,
    name_with_preferred,
    phone_text,
)
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.paged_table import AnyIndex, PagedTableModel
from frontdesk.ui.widgets.plain_text import plain_tooltip

# (text, cursor) -> the next page of that search; runs on a worker thread.
PageFetcher = Callable[[str, str | None], SearchPage]

COLUMNS = ("Name", "Date of birth", "Age", "MRN", "Phone", "Language")
NAME, BIRTH_DATE, AGE, MRN, PHONE, LANGUAGE = range(len(COLUMNS))
# The patient's id, for whoever opens the chart of a row.
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class PatientSearchModel(PagedTableModel):
    """Rows of one search, a page at a time, following the service's keyset cursor.

    ``show_page`` replaces the list with a new search's first page. When a view scrolls to
    the end, Qt calls ``fetchMore``: the next page is read on the runner's worker thread and
    appended on the UI thread, unless a newer search replaced the list in the meantime.
    A row is never listed twice (the cursor guarantees it; the ids held here make sure).
    Ages are on ``today()``: the practice's day (``PracticeDay``), not the computer's.
    """

    COLUMNS = COLUMNS

    def __init__(
        self,
        fetch_page: PageFetcher,
        runner: Runner,
        parent: QObject | None = None,
        *,
        today: Callable[[], date],
    ) -> None:
        super().__init__(runner, parent)
        self.fetch_page = fetch_page
        self.today = today
        self.text = ""
        self.page: SearchPage | None = None
        self._rows: list[PatientSummary] = []
        # Display strings, made the first time a row is painted (formatting phones costs).
        self._shown: list[tuple[str, ...] | None] = []
        self._ids: set[int] = set()
        self._cursor: str | None = None

    # Filling -----------------------------------------------------------------------------

    def show_page(self, text: str, page: SearchPage) -> None:
        """Show a new search's first page (older pages still on their way are dropped)."""
        self.beginResetModel()
        self.start_over()
        self.text = text
        self.page = page
        self._rows = []
        self._shown = []
        self._ids = set()
        self._add(page.items)
        self._cursor = page.next_cursor
        self.endResetModel()

    def clear(self) -> None:
        self.show_page("", SearchPage((), None, "", QueryKind.EMPTY))

    def _add(self, items: tuple[PatientSummary, ...] | list[PatientSummary]) -> None:
        for item in items:
            if item.id not in self._ids:
                self._ids.add(item.id)
                self._rows.append(item)
                self._shown.append(None)

    @property
    def has_more(self) -> bool:
        return self._cursor is not None

    def next_page(self) -> Callable[[], SearchPage] | None:
        fetch, text, cursor = self.fetch_page, self.text, self._cursor
        if cursor is None:
            return None
        return lambda: fetch(text, cursor)

    def add_page(self, page: SearchPage) -> int:
        fresh = [item for item in page.items if item.id not in self._ids]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._add(fresh)
            self.endInsertRows()
        self._cursor = page.next_cursor
        return len(fresh)

    # Reading -----------------------------------------------------------------------------

    def summary(self, row: int) -> PatientSummary:
        return self._rows[row]

    def summaries(self) -> list[PatientSummary]:
        return list(self._rows)

    def row_of(self, patient_id: int) -> int:
        for row, item in enumerate(self._rows):
            if item.id == patient_id:
                return row
        return -1

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def _texts(self, row: int) -> tuple[str, ...]:
        shown = self._shown[row]
        if shown is None:
            item = self._rows[row]
            shown = (
                name_with_preferred(item.display_name, item.preferred_name),
                birth_date_text(item.date_of_birth),
                age_text(item.date_of_birth, self.today()),
                item.mrn,
                phone_text(item.phone),
                language_text(item.preferred_language, item.interpreter_needed),
            )
            self._shown[row] = shown
        return shown

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == NAME:
            return plain_tooltip(self._texts(index.row())[NAME])
        if role == PATIENT_ID_ROLE:
            return self._rows[index.row()].id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == AGE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
