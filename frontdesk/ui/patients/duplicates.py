"""Before a new chart is created: the likely duplicates beside the new entry, and a choice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue, normalize_phone
from frontdesk.domain.dates import parse_date
from frontdesk.domain.names import listed_name
from frontdesk.services.patients.forms import DuplicateCandidate, PatientForm
from frontdesk.ui.patients.comparison import ComparisonModel
from frontdesk.ui.patients.display import age_text, birth_date_text, phone_text
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

ROWS = ("Name", "Preferred name", "Date of birth", "Age", "Phone", "MRN", "Why it may match")


def _typed_birth_date(form: PatientForm, today: date) -> tuple[str, str]:
    value = form.date_of_birth
    try:
        born = parse_date(value, today=today) if isinstance(value, str) else value
    except InvalidValue:
        born = None
    if born is None:
        return (str(value or ""), "")
    return birth_date_text(born), age_text(born, today)


def _typed_phone(form: PatientForm) -> str:
    typed = form.mobile_phone or form.home_phone or form.work_phone
    try:
        return phone_text(normalize_phone(typed))
    except InvalidValue:
        return typed


def new_entry_column(form: PatientForm, today: date) -> list[str]:
    born, age = _typed_birth_date(form, today)
    name = listed_name(form.last_name, form.first_name, form.middle_name)
    return [name, form.preferred_name.strip(), born, age, _typed_phone(form), "(new)", ""]


def candidate_column(candidate: DuplicateCandidate, today: date) -> list[str]:
    patient = candidate.patient
    return [
        patient.display_name,
        patient.preferred_name,
        birth_date_text(patient.date_of_birth),
        age_text(patient.date_of_birth, today),
        patient.phone_display,
        patient.mrn,
        "; ".join(candidate.reasons),
    ]


class DuplicatesDialog(QDialog):
    """Shows the new entry next to each existing chart that may be the same person.

    "Open selected chart" (the default: a second chart for one person is the mistake to
    avoid) emits ``open_existing(patient_id)``; "Create new chart anyway" emits
    ``create_anyway``; Esc goes back to the form with nothing saved. Ages are on ``today``,
    the practice's day.
    """

    open_existing = Signal(int)
    create_anyway = Signal()

    def __init__(
        self,
        form: PatientForm,
        candidates: Sequence[DuplicateCandidate],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.candidates = list(candidates)
        self.setWindowTitle("Is this patient already here?")
        self.setAccessibleName("Possible duplicate charts")
        self.model = ComparisonModel(ROWS, self)
        self.model.set_columns(
            ["New entry (not saved)"]
            + [f"Existing chart {c.patient.mrn}" for c in self.candidates],
            [new_entry_column(form, today)] + [candidate_column(c, today) for c in self.candidates],
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("The new entry and the existing charts side by side")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setStyleSheet("QTableView::item { padding: 3px 4px; }")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setHighlightSections(True)

        count = len(self.candidates)
        intro = (
            f"{'A chart' if count == 1 else f'{count} charts'} with a similar name and the same "
            "date of birth or phone number already "
            f"{'exists' if count == 1 else 'exist'}. Compare them with what you typed. "
            "If it is the same person, open the existing chart; if not, create a new one."
        )
        self.buttons = QDialogButtonBox()
        self.open_button = mark_primary(QPushButton("Open selected chart"))
        self.open_button.setToolTip("Open the existing chart selected above (Enter)")
        self.open_button.setDefault(True)
        self.create_button = QPushButton("Create new chart anyway")
        self.create_button.setToolTip("This is a different person: save the new chart")
        self.back_button = QPushButton("Back to the form")
        self.back_button.setToolTip("Change what you typed (Esc)")
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.create_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.clicked.connect(self._open)
        self.create_button.clicked.connect(self._create)
        self.back_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Is this patient already here?", "sectionTitle"))
        layout.addWidget(plain_label(intro, "hint", wrap=True))
        layout.addWidget(self.table)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, QSize(360 + 240 * min(count, 3), 420))
        self.select_candidate(0)
        self.table.setFocus()

    def fit_rows(self) -> None:
        """Rows as tall as their (wrapped) text at the current widths; no empty space below."""
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(row) for row in range(self.model.rowCount()))
        self.table.setMinimumHeight(height)
        self.table.setMaximumHeight(height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.fit_rows()
        fit_to_screen(self, QSize(self.width(), self.sizeHint().height()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.isVisible():
            self.fit_rows()

    def select_candidate(self, number: int) -> None:
        index = self.model.index(0, number + 1)
        self.table.selectionModel().select(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Columns,
        )
        self.table.setCurrentIndex(index)

    def selected_candidate(self) -> DuplicateCandidate:
        current = self.table.currentIndex()
        column = current.column() if current.isValid() else 1
        return self.candidates[max(column, 1) - 1]

    def _open(self) -> None:
        chosen = self.selected_candidate()
        self.accept()
        self.open_existing.emit(chosen.patient.id)

    def _create(self) -> None:
        self.accept()
        self.create_anyway.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            if self.focusWidget() in (self.create_button, self.back_button):
                self.focusWidget().click()  # type: ignore[union-attr]
            else:
                self._open()
            return
        super().keyPressEvent(event)
