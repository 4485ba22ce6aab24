"""The Handouts area: the library (search, language, category, review marks), a personalized
preview inside the app, and Print… / Save as PDF… for a chosen patient (logged as given)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.handout_format import LANGUAGE_NAMES, language_code
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.handout_prints import PrintRecord, RenderedHandout
from frontdesk.services.handouts.library import HandoutLibrary, HandoutSummary, ReviewState
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.ui.connection_monitor import (
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.handouts.giving import HandoutGiving, RenderCall, given_sentence
from frontdesk.ui.handouts.options import PersonalOptions
from frontdesk.ui.handouts.patient_picker import PatientPicker, patient_line
from frontdesk.ui.handouts.preview import LivePreview, PreviewCall, still_there
from frontdesk.ui.handouts.table_models import library_model
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.record_table import RECORD_ROLE
from frontdesk.ui.widgets.table_columns import FittedColumns

NO_PATIENT = "No patient chosen: the preview shows the handout without a name."
NOTHING_SELECTED = "Choose a handout on the left to see it here as the patient will."
ALL = ""


def _read_library(context: ServiceContext) -> tuple[HandoutLibrary, dt.tzinfo]:
    """Runs off the UI thread: the handout files and the practice's zone (its day, not the
    computer's, marks a review overdue and dates a saved file's name)."""
    return handouts.load_library(), practice_clock.practice_zone(context)


class HandoutsArea(QWidget):
    """Library on the left, the personalized preview on the right.

    ``list_shown`` fires each time the filtered list is on screen; ``preview_shown`` when a
    preview's pages are drawn; ``given(list[PrintRecord])`` after a print or save is logged.
    """

    list_shown = Signal()
    preview_shown = Signal(object)
    given = Signal(list)

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.services = screen.services
        self.can_print = self.services.actor.can(Permission.PRINT_HANDOUTS)
        self.library: HandoutLibrary | None = None
        self.patient: PatientSummary | None = None
        self.picker: PatientPicker | None = None
        self.filter_latest = LatestOnly(screen.runner)
        self._shown_once = False

        # The library ---------------------------------------------------------------------
        title = plain_label("Handouts", "pageTitle")
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Search handouts")
        self.search_box.setPlaceholderText("Search titles and headings (e.g. “fusion”)")
        self.search_box.setToolTip("Search the handouts (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        self.search_box.textChanged.connect(lambda _text: self.apply_filter())
        self.language_box = QComboBox()
        self.language_box.setAccessibleName("Language")
        self.language_box.addItem("All languages", ALL)
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(name, code)
        self.language_box.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.category_box = QComboBox()
        self.category_box.setAccessibleName("Request category")
        self.category_box.addItem("All categories", ALL)
        for category in RequestCategory:
            self.category_box.addItem(category.label, category.value)
        self.category_box.currentIndexChanged.connect(lambda _i: self.apply_filter())

        # Replaced by the practice's zone with each library read, before any row is shown:
        # its day marks a review overdue and dates a saved file.
        self.zone: dt.tzinfo = dt.UTC
        self.model = library_model(lambda: self.zone, self)
        self.table = QTableView()
        self.table.setAccessibleName("Handouts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        # The title is what staff read: it wraps in a narrow list (150%) instead of ending
        # in "…"; language, version and review keep their text.
        self.columns = FittedColumns(self.table, wrap=0)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.count_label = plain_label("Loading the handouts…", "hint", wrap=True)

        filters = QHBoxLayout()
        filters.addWidget(self.language_box, 1)
        filters.addWidget(self.category_box, 2)

        # Personalizing -------------------------------------------------------------------
        self.patient_label = plain_label(NO_PATIENT, wrap=True)
        self.patient_label.setAccessibleName("Patient")
        self.choose_button = QPushButton("Choose &patient…")
        self.choose_button.setToolTip("Find the patient this handout is for")
        self.choose_button.clicked.connect(self.choose_patient)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setAccessibleName("Clear the patient")
        self.clear_button.clicked.connect(lambda: self.set_patient(None))
        self.clear_button.setEnabled(False)
        patient_buttons = QHBoxLayout()
        patient_buttons.addWidget(self.choose_button)
        patient_buttons.addWidget(self.clear_button)
        patient_buttons.addStretch(1)
        self.options = PersonalOptions()
        self.options.changed.connect(self.update_preview)
        self.print_button = mark_primary(QPushButton("Print…"))
        self.print_button.setToolTip("Print this handout for the patient (Ctrl+P)")
        self.print_button.clicked.connect(self.print_current)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Save this handout for the patient as a PDF file (Ctrl+S)")
        self.save_button.clicked.connect(self.save_pdf)
        self.action_hint = plain_label("", "hint", wrap=True)
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_button)
        actions.addStretch(1)
        personal = QGroupBox("For a patient")
        personal_layout = QVBoxLayout(personal)
        personal_layout.addWidget(self.patient_label)
        personal_layout.addLayout(patient_buttons)
        personal_layout.addWidget(self.options)
        personal_layout.addLayout(actions)
        personal_layout.addWidget(self.action_hint)

        self.banner = Banner()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(16, 12, 8, 12)
        left_layout.addWidget(title)
        left_layout.addWidget(self.search_box)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(personal)
        self.packets_button = QPushButton("Pre-&visit packets…")
        self.packets_button.setToolTip(
            "Letters, what to bring and handouts for a day's appointments, saved or printed"
        )
        self.packets_button.setEnabled(self.can_print)
        self.packets_button.clicked.connect(lambda: self.open_packets())
        left_layout.addWidget(self.packets_button)
        left.setMinimumWidth(340)

        self.pages = PageView(screen.runner)
        self.pages.setMinimumWidth(280)
        self.preview = LivePreview(screen.runner, self.pages, self)
        self.preview.shown.connect(self._preview_shown)
        self.preview.failed.connect(lambda _message: self._update_actions())
        self.pages.show_message(NOTHING_SELECTED)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 12, 16, 12)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.pages, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 530])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.giving = HandoutGiving(self.services, screen.runner, self)
        self.giving.given.connect(self._given)
        self.giving.failed.connect(lambda message: self.banner.show_message("error", message))
        self.giving.busy_changed.connect(lambda _busy: self._update_actions())
        watch_saving_gate(self, lambda _allowed: self._update_actions())
        save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self)
        save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_shortcut.activated.connect(self.save_pdf)
        self._update_actions()
        self.load_library()

    # The library ---------------------------------------------------------------------------

    def load_library(self) -> None:
        """(Re)read the content files off the UI thread: a practice may have added one."""
        self.screen.runner.run(
            partial(_read_library, self.services), self._library_loaded, self._load_failed
        )

    def _library_loaded(self, read: tuple[HandoutLibrary, dt.tzinfo]) -> None:
        if not still_there(self):
            return
        library, self.zone = read
        self.library = library
        if library.problems:
            first = library.problems[0]
            more = len(library.problems) - 1
            self.banner.show_message(
                "info",
                f"A handout file could not be used: {first}"
                + (f" (and {more} more)" if more else "")
                + ". The other handouts are listed; Admin lists every problem.",
            )
        self.apply_filter()

    def _load_failed(self, message: str) -> None:
        self.count_label.setText("The handouts could not be loaded.")
        self.banner.show_message("error", message)

    def apply_filter(self) -> None:
        library = self.library
        if library is None:
            return
        text = self.search_box.text()
        language = str(self.language_box.currentData()) or None
        category = str(self.category_box.currentData()) or None
        self.filter_latest.run(
            lambda: handouts.list_handouts(library, text, language=language, category=category),
            self._show_list,
            lambda message: self.banner.show_message("error", message),
        )

    def _show_list(self, rows: list[HandoutSummary]) -> None:
        if not still_there(self):
            return
        current = self.selected_summary()
        self.model.set_records(rows)
        keys = [(row.id, row.language) for row in rows]
        wanted = (current.id, current.language) if current is not None else None
        row = keys.index(wanted) if wanted in keys else (0 if rows else -1)
        if row >= 0:
            self.table.selectRow(row)
        else:
            self.update_preview()
        self._count(rows)
        self.list_shown.emit()

    def _count(self, rows: list[HandoutSummary]) -> None:
        total = len(self.library.entries) if self.library is not None else 0
        if not rows:
            self.count_label.setText(
                "No handout matches. Clear the search or choose “All languages” and "
                "“All categories”."
            )
            return
        shown = f"{len(rows)} of {total} handouts" if len(rows) != total else f"{total} handouts"
        today = practice_clock.today_in(self.zone)
        due = [
            row
            for row in rows
            if handouts.review_state(row.review_due, today) is ReviewState.OVERDUE
        ]
        soon = [
            row
            for row in rows
            if handouts.review_state(row.review_due, today) is ReviewState.DUE_SOON
        ]
        marks = []
        if due:
            marks.append(f"{len(due)} overdue for review")
        if soon:
            marks.append(f"{len(soon)} due for review soon")
        self.count_label.setText(shown + (" · " + ", ".join(marks) if marks else ""))

    def selected_summary(self) -> HandoutSummary | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        summary: HandoutSummary = rows[0].data(RECORD_ROLE)
        return summary

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.update_preview()

    # The patient --------------------------------------------------------------------------

    def choose_patient(self) -> PatientPicker:
        if self.picker is None:
            self.picker = PatientPicker(self.screen, self)
            self.picker.chosen.connect(self.set_patient)
        self.picker.open()
        self.picker.search_box.setFocus()
        self.picker.search_box.selectAll()
        return self.picker

    def set_patient(self, patient: PatientSummary | None) -> None:
        self.patient = patient
        self.clear_button.setEnabled(patient is not None)
        if patient is None:
            self.patient_label.setText(NO_PATIENT)
        else:
            self.patient_label.setText("For: " + patient_line(patient))
            self.options.follow_chart(patient.large_print)
            # Show the library in the patient's language when handouts come in it.
            code = language_code(patient.preferred_language)
            index = self.language_box.findData(code) if code else -1
            if index >= 0 and self.language_box.currentIndex() != 0:
                self.language_box.setCurrentIndex(index)
            elif index >= 0:
                self._select_language_version(code)
        self.update_preview()

    def _select_language_version(self, code: str) -> None:
        """With every language listed, move to the same handout in the patient's language."""
        current = self.selected_summary()
        if current is None or current.language == code:
            return
        for row, record in enumerate(self.model.records):
            if record.id == current.id and record.language == code:
                self.table.selectRow(row)
                return

    # Preview, print, save -----------------------------------------------------------------

    def render_call(self) -> PreviewCall | None:
        """What the preview, Print and Save render now (the choices are read here, once)."""
        summary = self.selected_summary()
        library = self.library
        if summary is None or library is None:
            return None
        return partial(
            handout_prints.prepare,
            self.services,
            summary.id,
            summary.language,
            self.patient.id if self.patient is not None else None,
            note=self.options.note_text(),
            large_print=self.options.is_large_print(),
            page_size=self.options.page_size(),
            library=library,
        )

    def update_preview(self) -> None:
        self.preview.show(self.render_call(), NOTHING_SELECTED)
        self._update_actions()

    def _preview_shown(self, rendered: RenderedHandout) -> None:
        self._update_actions()
        self.preview_shown.emit(rendered)

    def _gives(self) -> RenderCall | None:
        call = self.render_call()
        if call is None or self.patient is None:
            return None
        return lambda: [call()]

    def _update_actions(self) -> None:
        ready = (
            self.can_print
            and self.selected_summary() is not None
            and self.patient is not None
            and not self.giving.busy
            and saving_allowed()  # a handout given is recorded in the chart
        )
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)
        hint = self.giving.why_not(self.can_print)
        if not hint and self.patient is None:
            hint = (
                "Choose the patient to print or save: every handout given is recorded in "
                "their chart."
            )
        self.action_hint.setText(hint)
        self.action_hint.setVisible(bool(hint))

    def print_current(self) -> bool:
        """Ctrl+P: the system print dialog for this handout and patient."""
        return self.giving.print_chosen(
            self.banner, self._gives, self.print_button, self.options.page_size()
        )

    def print_to(self, printer: QPrinter) -> bool:
        gives = self._gives()
        if gives is None:
            return False
        self.giving.print_to(printer, gives)
        return True

    def save_pdf(self) -> bool:
        if refused_while_paused(self.banner):
            return False
        gives = self._gives()
        summary = self.selected_summary()
        if gives is None or summary is None or not self.save_button.isEnabled():
            return False
        patient = self.patient
        name = printed_name(patient.first_name, patient.last_name) if patient is not None else ""
        suggested = handout_prints.suggested_file_name(
            summary.id, name, practice_clock.today_in(self.zone)
        )
        self.giving.save_dialog(gives, [suggested])
        return True

    def save_to(self, path: Path) -> bool:
        """Save this handout for the patient to ``path`` (what the save dialog does)."""
        gives = self._gives()
        if gives is None:
            return False
        self.giving.save_file(path, gives)
        return True

    def _given(self, records: list[PrintRecord]) -> None:
        self.banner.show_message("success", given_sentence(records))
        self.given.emit(records)

    def open_packets(self) -> QWidget:
        """The pre-visit packets dialog (imported on first use: it is not needed at start)."""
        from frontdesk.ui.handouts.packets_dialog import PacketsDialog

        dialog = PacketsDialog(self.screen, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # Area hooks ---------------------------------------------------------------------------

    def focus_search(self) -> bool:
        self.search_box.setFocus()
        self.search_box.selectAll()
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_once:
            self.load_library()  # a practice may have added or edited a file meanwhile
        self._shown_once = True
