"""Choose the patient a handout is for: search as you type, Enter picks the highlighted one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.patients import search as patients_search
from frontdesk.services.patients.forms import PatientSummary, SearchPage
from frontdesk.ui.patients.display import birth_date_text
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

SEARCH_DELAY_MS = 120
RESULT_LIMIT = 30
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1


def patient_line(patient: PatientSummary) -> str:
    """ "Núñez-García, María José · 03/04/1961 · M0000001 · Spanish"."""
    parts = [
        patient.display_name,
        birth_date_text(patient.date_of_birth),
        patient.mrn,
        patient.preferred_language,
    ]
    return "  ·  ".join(part for part in parts if part)


class PatientPicker(QDialog):
    """``chosen(PatientSummary)`` fires when a patient is picked (Enter or double-click)."""

    chosen = Signal(object)
    results_shown = Signal(str)

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose the patient")
        self.setAccessibleName("Choose the patient")
        self.screen = screen
        self.latest = LatestOnly(screen.runner)
        self.search_box = QLineEdit()
        self.search_box.setAccessibleName("Find a patient")
        self.search_box.setPlaceholderText("Name, date of birth, phone or MRN")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaxLength(200)
        self.search_box.installEventFilter(self)
        self.results = QListWidget()
        self.results.setAccessibleName("Patients found")
        self.results.itemActivated.connect(lambda _item: self.accept())
        self.status = plain_label("Type part of a name, a date of birth or an MRN.", "hint")
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.search)
        self.search_box.textChanged.connect(lambda _text: self.timer.start())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Choose")
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.results.currentRowChanged.connect(lambda row: self.ok_button.setEnabled(row >= 0))
        layout = QVBoxLayout(self)
        layout.addWidget(self.search_box)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(560, 420))

    def search(self) -> None:
        text = self.search_box.text()
        context = self.screen.services
        self.latest.run(
            lambda: patients_search.search(context, text, limit=RESULT_LIMIT),
            lambda page: self._show(text, page),
            self.status.setText,
        )

    def _show(self, text: str, page: SearchPage) -> None:
        self.results.clear()
        for summary in page.items:
            item = QListWidgetItem(patient_line(summary))
            item.setData(SUMMARY_ROLE, summary)
            self.results.addItem(item)
        if page.items:
            self.results.setCurrentRow(0)
            more = " (the first ones; type more to narrow)" if page.next_cursor else ""
            self.status.setText(
                f"{len(page.items)} found{more}. Enter chooses the highlighted one."
            )
        else:
            self.status.setText(page.interpretation or "No patient matches.")
        self.results_shown.emit(text)

    def selected(self) -> PatientSummary | None:
        item = self.results.currentItem()
        return item.data(SUMMARY_ROLE) if item is not None else None

    def accept(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        self.chosen.emit(summary)
        super().accept()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Up and Down move through the results while typing continues in the box.
        if watched is self.search_box and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            ):
                step = -1 if event.key() == Qt.Key.Key_Up else 1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            ):
                self.accept()
                return True
        return super().eventFilter(watched, event)
