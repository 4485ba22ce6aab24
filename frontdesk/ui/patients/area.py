"""The Patients area: one search box that finds a chart as the user types, and the results."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.search_query import QueryKind
from frontdesk.services.kernel.changes import touches
from frontdesk.services.patients import search as patients_search
from frontdesk.services.patients.forms import PatientData, SearchPage
from frontdesk.services.patients.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.search_model import (
    AGE,
    BIRTH_DATE,
    LANGUAGE,
    MRN,
    NAME,
    PATIENT_ID_ROLE,
    PHONE,
    PatientSearchModel,
)
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.list_table import list_table

TABLES = frozenset({"patients"})
# A key typed after a pause searches at once; keys typed faster than this are gathered and
# searched once the typing pauses, so a fast typist does not start a query per letter.
SEARCH_DELAY_MS = 100

# (text, cursor, limit) -> one page of results; runs on a worker thread.
SearchCall = Callable[[str, str | None, int], SearchPage]

START_TEXT = (
    "Type a name in any order (“garc mar”), a date of birth (3/4/1961), a phone number or "
    "its last four digits, or an MRN. Results appear as you type.\n\n"
    "Press Ctrl+N to add a new patient."
)


class PatientsArea(QWidget):
    """Search box (Ctrl+F), lazy results table, Enter opens the chart, Ctrl+N a new patient.

    ``results_shown(text)`` fires each time the results of ``text`` are on screen; results
    of an older text never replace those of a newer one.
    """

    results_shown = Signal(str)
    chart_opened = Signal(object)  # PatientChart

    def __init__(
        self,
        screen: ScreenContext,
        parent: QWidget | None = None,
        *,
        search: SearchCall | None = None,
        delay_ms: int = SEARCH_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        context = screen.services
        self.search_call: SearchCall = search or (
            lambda text, cursor, limit: patients_search.search(
                context, text, limit=limit, cursor=cursor
            )
        )
        self.can_edit = context.actor.can(Permission.EDIT_PATIENTS)
        self.can_merge = context.actor.can(Permission.MERGE_PATIENTS)
        self.latest = LatestOnly(screen.runner)
        self.searched_text: str | None = None
        self.pending_text = ""
        self.charts: dict[int, PatientChart] = {}
        self.editor: PatientEditor | None = None
        self.merge_dialog: QWidget | None = None
        # When the last keystroke arrived (perf_counter), for the benchmark's latency figure.
        self.last_key_at = 0.0

        search_call = self.search_call
        self.model = PatientSearchModel(
            lambda text, cursor: search_call(text, cursor, DEFAULT_PAGE_SIZE),
            screen.runner,
            self,
            today=PracticeDay(context),
        )
        self.model.fetch_failed.connect(self._fetch_failed)
        self.model.page_appended.connect(lambda _count: self._update_status())

        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Find a patient")
        self.search_box.setPlaceholderText("Name, date of birth, phone or MRN")
        self.search_box.setToolTip("Find a patient (Ctrl+F); Enter opens the highlighted one")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        font = self.search_box.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.search_box.setFont(font)
        self.search_box.textChanged.connect(self._typed)
        self.search_box.installEventFilter(self)

        self.new_button = mark_primary(QPushButton("New patient…"))
        self.new_button.setToolTip("Add a new patient (Ctrl+N)")
        self.new_button.clicked.connect(self.new_item)
        self.new_button.setVisible(self.can_edit)
        self.can_import_export = context.actor.can(Permission.IMPORT_EXPORT)
        # Administrators' tools share one menu button: the screen keeps one obvious next
        # step (find or add a patient) and stays narrow enough for a small window.
        self.import_action = QAction("Import patients from a CSV file…", self)
        self.import_action.triggered.connect(self.open_import)
        self.export_action = QAction("Export all charts to a CSV file…", self)
        self.export_action.triggered.connect(self.export)
        self.merge_action = QAction("Merge two charts of one person…", self)
        self.merge_action.triggered.connect(self.open_merge)
        self.import_action.setVisible(self.can_import_export)
        self.export_action.setVisible(self.can_import_export)
        self.merge_action.setVisible(self.can_merge)
        self.import_wizard: QWidget | None = None
        self.export_job: QObject | None = None
        tools = QMenu(self)
        tools.addActions([self.import_action, self.export_action])
        tools.addSeparator()
        tools.addAction(self.merge_action)
        self.tools_button = QPushButton("Tools")
        self.tools_button.setAccessibleName("Patient tools")
        self.tools_button.setToolTip("Import, export and merge charts (administrators)")
        self.tools_button.setMenu(tools)
        self.tools_button.setVisible(self.can_import_export or self.can_merge)

        self.table = list_table(self.model, "Patients found")
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for column, sample in (
            (BIRTH_DATE, "Date of birth__"),
            (AGE, "Age___"),
            (MRN, "M00000000__"),
            (PHONE, "(000) 000-0000___"),
        ):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        header.setMinimumSectionSize(48)
        header.resizeSection(NAME, 320)
        header.setStretchLastSection(False)
        header.resizeSection(LANGUAGE, 230)
        # activated covers Enter and double-click.
        self.table.activated.connect(self._activated)

        self.start = EmptyState("Find a patient", START_TEXT)
        self.nothing = EmptyState(
            "No patient found",
            "",
            ("New patient…", self.new_item) if self.can_edit else None,
        )
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start)
        self.pages.addWidget(self.nothing)
        self.pages.addWidget(self.table)

        self.status = plain_label("", "hint", wrap=True)
        self.status.setAccessibleName("Search status")
        self.banner = Banner()

        heading = QHBoxLayout()
        heading.addWidget(plain_label("Patients", "pageTitle"), 1)
        heading.addWidget(self.tools_button)
        heading.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(heading)
        layout.addWidget(self.search_box)
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._pause_reached)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        QWidget.setTabOrder(self.search_box, self.table)
        self.setFocusProxy(self.search_box)

    # Main window hooks -------------------------------------------------------------------

    def focus_target(self) -> QWidget:
        """Where Ctrl+digit puts the keyboard: the search (Down then walks the results)."""
        return self.search_box

    def focus_search(self) -> bool:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()
        return True

    def new_item(self) -> bool:
        if not self.can_edit:
            return False
        if self.editor is not None:
            self.editor.raise_()
            self.editor.activateWindow()
            return True
        editor = PatientEditor(self.screen, None, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(self._created)
        editor.open_chart_requested.connect(self.open_chart)
        editor.finished.connect(lambda _code: setattr(self, "editor", None))
        self.editor = editor
        editor.open()
        return True

    def can_close(self) -> bool:
        editor = self.editor
        if editor is not None and editor.has_unsaved_changes():
            editor.raise_()
            editor.reject()  # asks whether to discard
            if editor.has_unsaved_changes():
                return False
        return all(chart.close() for chart in list(self.charts.values()))

    # Searching ---------------------------------------------------------------------------

    def _typed(self, text: str) -> None:
        self.last_key_at = time.perf_counter()
        self.pending_text = text
        if self._timer.isActive():
            self._timer.start()  # still typing: wait for the pause
            return
        self._timer.start()
        self.run_search(text)

    def _pause_reached(self) -> None:
        if self.pending_text != self.searched_text:
            self.run_search(self.pending_text)

    def run_search(
        self, text: str, *, limit: int = DEFAULT_PAGE_SIZE, keep_id: int | None = None
    ) -> None:
        """Search for ``text`` on a worker thread; only the newest search's results show."""
        self.searched_text = text
        if not text.strip():
            # Nothing to look up: drop whatever is still on its way and show the start page.
            self.latest.run(lambda: None, lambda _none: None)
            self.model.clear()
            self._show_state()
            self.results_shown.emit(text)
            return
        call = self.search_call
        self.status.setText("Searching…")
        self.latest.run(
            lambda: call(text, None, limit),
            lambda page: self._show_results(text, page, keep_id),
            self._search_failed,
        )

    def _show_results(self, text: str, page: SearchPage, keep_id: int | None) -> None:
        self.banner.clear()
        self.model.show_page(text, page)
        self._show_state()
        if self.model.rowCount() and self.pages.currentWidget() is self.table:
            row = self.model.row_of(keep_id) if keep_id is not None else -1
            self.table.selectRow(max(row, 0))
            if row > 0:
                self.table.scrollTo(self.model.index(row, 0))
        self.results_shown.emit(text)

    def _show_state(self) -> None:
        page = self.model.page
        if not self.model.text.strip() or page is None:
            self.pages.setCurrentWidget(self.start)
            self.status.setText("")
        elif self.model.rowCount() == 0:
            if page.kind is QueryKind.INVALID:
                self.nothing.title.setText("Nothing to search for yet")
                self.nothing.text.setText(page.interpretation)
            else:
                self.nothing.title.setText("No patient found")
                self.nothing.text.setText(
                    f"Nobody matches {page.interpretation}. Check the spelling, or try the "
                    "date of birth or phone number."
                    + ("\n\nIf this is a new patient, press Ctrl+N." if self.can_edit else "")
                )
            self.pages.setCurrentWidget(self.nothing)
            self.status.setText("")
        else:
            self.pages.setCurrentWidget(self.table)
        self._update_status()

    def _update_status(self) -> None:
        page = self.model.page
        count = self.model.rowCount()
        if page is None or not count:
            return
        more = "; more load as you scroll" if self.model.has_more else ""
        self.status.setText(f"{counted(count, 'patient')} shown{more} · {page.interpretation}")

    def _search_failed(self, message: str) -> None:
        self.status.setText("")
        self.banner.show_message("error", f"The search did not finish. {message}")

    def _fetch_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load more results. {message}")

    def _on_changed(self, tables: frozenset[str]) -> None:
        if not touches(tables, TABLES) or not (self.searched_text or "").strip():
            return
        # Re-run the search (as many rows as are loaded), keeping the highlighted patient.
        current = self.current_patient_id()
        limit = min(max(self.model.rowCount(), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        self.run_search(self.searched_text or "", limit=limit, keep_id=current)

    # Keys in the search box --------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            moves = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)
            if key in moves and self.model.rowCount():
                self.table.setFocus()
                if key == Qt.Key.Key_Down and not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
        return super().eventFilter(watched, event)

    # Opening charts ----------------------------------------------------------------------

    def current_patient_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        value = index.siblingAtColumn(NAME).data(PATIENT_ID_ROLE)
        return int(value) if value is not None else None

    def open_current(self) -> bool:
        if self.pages.currentWidget() is not self.table:
            return False
        patient_id = self.current_patient_id()
        if patient_id is None and self.model.rowCount():
            patient_id = self.model.summary(0).id
        if patient_id is None:
            return False
        self.open_chart(patient_id)
        return True

    def _activated(self, index: QModelIndex) -> None:
        value = index.siblingAtColumn(NAME).data(PATIENT_ID_ROLE)
        if value is not None:
            self.open_chart(int(value))

    def open_chart(self, patient_id: int) -> PatientChart:
        chart = self.charts.get(patient_id)
        if chart is None:
            chart = PatientChart(self.screen, patient_id, self)
            chart.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            chart.open_chart_requested.connect(self.open_chart)
            chart.destroyed.connect(lambda _obj=None, pid=patient_id: self.charts.pop(pid, None))
            self.charts[patient_id] = chart
        chart.show()
        chart.raise_()
        chart.activateWindow()
        self.chart_opened.emit(chart)
        return chart

    def _created(self, patient: PatientData) -> None:
        self.banner.show_message(
            "success", f"Created the chart of {patient.display_name} ({patient.mrn})."
        )
        self.open_chart(patient.id)

    # Import and export (administrators) --------------------------------------------------

    def open_import(self) -> QWidget | None:
        if not self.can_import_export:
            return None
        from frontdesk.ui.patients.import_wizard import open_import_wizard

        # The list refreshes by itself after an import (ChangeHub reports "patients").
        self.import_wizard = open_import_wizard(self, self.screen)
        return self.import_wizard

    def export(self) -> QObject | None:
        if not self.can_import_export:
            return None
        from frontdesk.ui.patients.export_dialog import export_patients

        self.export_job = export_patients(self, self.screen)
        return self.export_job

    # Merge -------------------------------------------------------------------------------

    def open_merge(self) -> QWidget | None:
        if not self.can_merge:
            return None
        from frontdesk.ui.patients.merge import MergeDialog  # only administrators need it

        dialog = MergeDialog(self.screen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: setattr(self, "merge_dialog", None))
        self.merge_dialog = dialog
        dialog.open()
        return dialog
