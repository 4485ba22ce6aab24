"""The filing panel beside a document: whose it is, what it is, where it goes, and why.

Everything comes pre-set from the reading's suggestions, each with the words on the page
that led to it; the person corrects what is wrong here and files with Enter.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.plurals import counted
from frontdesk.services.inbox.data import InboxRow, PatientSuggestion, Suggestions
from frontdesk.services.inbox.destinations import Destination, destinations
from frontdesk.ui.patients.display import birth_date_text
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import form_layout, plain_label


def evidence_text(suggestions: Suggestions) -> str:
    """The words on the page behind each suggestion, one per line (plain text)."""
    lines: list[str] = []
    patient = suggestions.patient
    if patient is not None:
        lines.append(f"Patient {patient.name} ({patient.mrn}), score {patient.score}:")
        lines.extend(f"  {item.what}: “{item.words}”" for item in patient.evidence)
        for other in suggestions.patients[1:]:
            lines.append(f"Also possible: {other.name} ({other.mrn}), score {other.score}")
    if suggestions.kind_evidence:
        kind = DocumentKind(suggestions.kind).label
        words = ", ".join(f"“{item.words}”" for item in suggestions.kind_evidence)
        lines.append(
            f"{kind}{' (' + suggestions.modality + ')' if suggestions.modality else ''}: {words}"
        )
    if suggestions.referrer is not None:
        referrer = suggestions.referrer
        who = referrer.name or "not in the directory"
        lines.extend(f"Sender {who}: {item.what} “{item.words}”" for item in referrer.evidence)
    if suggestions.intake:
        lines.append(
            "For a new request: "
            + ", ".join(
                f"{key.replace('_', ' ')} {value}"
                for key, value in suggestions.intake.items()
                if key != "referrer_id"
            )
        )
    return "\n".join(lines) or "Nothing on the pages matched a chart, a kind or a sender yet."


class FilingPanel(QWidget):
    """``file_requested(Destination)``: the person chose where it goes (Enter or a button);
    ``choose_patient_requested()``: open the patient search; ``new_request_requested()``."""

    file_requested = Signal(object)
    choose_patient_requested = Signal()
    new_request_requested = Signal()
    new_study_requested = Signal()
    new_surgery_requested = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.row: InboxRow | None = None
        self.suggestions: Suggestions | None = None
        self.patient_id: int | None = None
        self.loads = LatestOnly(screen.runner)
        self.reading_line = plain_label("", "hint", wrap=True)
        self.patient_line = plain_label("No document chosen.", wrap=True)
        self.patient_line.setAccessibleName("Patient")
        # Name, birth date, MRN and "(suggested)" take three lines in a narrow panel; the
        # splitter does not ask a wrapped label for its height, so room for them is kept.
        self.patient_line.setMinimumHeight(self.patient_line.fontMetrics().lineSpacing() * 3)
        self.change_patient = QPushButton("Change &patient…")
        self.change_patient.setToolTip("Search for the right chart (Alt+P)")
        self.change_patient.clicked.connect(self.choose_patient_requested)
        self.kind = QComboBox()
        self.kind.setAccessibleName("What it is")
        for kind in DocumentKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind.currentIndexChanged.connect(self._reload_destinations)
        self.destination = QComboBox()
        self.destination.setAccessibleName("File to")
        self.destination.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.destination.setMinimumContentsLength(24)
        # Long places ("Request 12: Imaging report: MRI lumbar May 2024 (missing…)") are
        # cut in the box: the list opens wide enough, and the tooltip says it whole.
        self.destination.view().setMinimumWidth(520)
        self.destination.currentIndexChanged.connect(self._destination_changed)
        # No mnemonic: Alt+F opens the main window's File menu; Enter files.
        self.file_button = mark_primary(QPushButton("File"))
        self.file_button.setToolTip("File it where chosen (Enter)")
        self.file_button.clicked.connect(self.file_here)
        # Short: at 150% the panel is about 280 pixels wide and "New request from this
        # referral…" lost its first letter beside File; the tooltip says the rest.
        self.new_request = QPushButton("&New request…")
        self.new_request.setToolTip(
            "A new consultation request from this referral: the intake form filled in from "
            "the letter (Alt+N)"
        )
        self.new_request.clicked.connect(self.new_request_requested)
        self.evidence = QPlainTextEdit()
        self.evidence.setReadOnly(True)
        self.evidence.setAccessibleName("Why these suggestions")
        # It takes the rest of the column: a fixed cap spread the leftover height as gaps.
        self.evidence.setMinimumHeight(80)

        form = form_layout()
        # The name, birth date and MRN wrap over the panel's whole width (beside the button
        # the third line was cut off); the button goes under them.
        patient_column = QVBoxLayout()
        patient_column.addWidget(self.patient_line)
        patient_column.addWidget(self.change_patient, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Patient", patient_column)
        form.addRow("&What it is", self.kind)
        form.addRow("File &to", self.destination)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_request)
        buttons.addStretch(1)
        buttons.addWidget(self.file_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(plain_label("File this document", "sectionTitle"))
        layout.addWidget(self.reading_line)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(plain_label("Why (the words on the page)", "hint"))
        layout.addWidget(self.evidence, 1)
        self.setEnabled(False)

    # Showing a document ------------------------------------------------------------------

    def show_document(self, row: InboxRow, suggestions: Suggestions) -> None:
        self.setEnabled(True)
        same = self.row is not None and self.row.id == row.id
        self.row = row
        self.suggestions = suggestions
        self.reading_line.setText(reading_text(row))
        self.evidence.setPlainText(evidence_text(suggestions))
        if same and self.patient_id is not None:
            return  # a page more was read: keep what the person already chose
        best = suggestions.patient
        self._set_patient(best.patient_id if best else None, _patient_label(best))
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(0, self.kind.findData(suggestions.kind or "other")))
        self.kind.blockSignals(False)
        self._reload_destinations()

    def clear(self, text: str = "No document chosen.") -> None:
        self.row = None
        self.suggestions = None
        self.patient_id = None
        self.patient_line.setText(text)
        self.destination.clear()
        self.evidence.clear()
        self.reading_line.clear()
        self.setEnabled(False)

    def set_patient(self, patient_id: int, label: str) -> None:
        """The person chose another chart (the search dialog)."""
        self._set_patient(patient_id, label)
        self._reload_destinations()

    def resizeEvent(self, event: QResizeEvent) -> None:
        # The wrapped patient line may be given less height than its lines need in nested
        # layouts (Qt asks its one-line hint): its height for its width is its minimum.
        super().resizeEvent(event)
        self._keep_patient_line_whole()

    def _keep_patient_line_whole(self) -> None:
        line = self.patient_line
        needed = line.heightForWidth(line.width())
        if needed > 0 and line.minimumHeight() != needed:
            line.setMinimumHeight(needed)

    def _set_patient(self, patient_id: int | None, label: str) -> None:
        self.patient_id = patient_id
        self.patient_line.setText(label or "No chart matched: choose one, or start a new request.")
        self._keep_patient_line_whole()

    @property
    def chosen_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.currentData() or DocumentKind.OTHER.value)

    def _reload_destinations(self) -> None:
        referral = self.chosen_kind is DocumentKind.REFERRAL
        self.new_request.setVisible(referral or self.patient_id is None)
        self.destination.clear()
        if self.patient_id is None:
            self.destination.addItem("Choose the patient first (Alt+P)", None)
            self.file_button.setEnabled(False)
            return
        self.file_button.setEnabled(False)
        modality = self.suggestions.modality if self.suggestions is not None else ""
        surgery = self.suggestions.surgery if self.suggestions is not None else {}
        call = partial(
            destinations,
            self.screen.services,
            self.patient_id,
            self.chosen_kind,
            modality,
            surgery,
        )
        self.loads.run(call, self._show_destinations, self._failed)

    def _show_destinations(self, found: list[Destination]) -> None:
        self.destination.clear()
        for destination in found:
            self.destination.addItem(destination.label, destination)
        self.file_button.setEnabled(_fileable(self.destination.currentData()))

    def _destination_changed(self, _index: int) -> None:
        self.destination.setToolTip(self.destination.currentText())
        # "Choose where it goes" files nothing: Enter must not file it anywhere.
        self.file_button.setEnabled(_fileable(self.destination.currentData()))

    def _failed(self, message: str) -> None:
        self.destination.clear()
        self.destination.addItem(message, None)

    def destination_where(self, where: str) -> Destination | None:
        for index in range(self.destination.count()):
            destination = self.destination.itemData(index)
            if isinstance(destination, Destination) and destination.where == where:
                return destination
        return None

    def file_here(self) -> None:
        destination = self.destination.currentData()
        if _fileable(destination) and self.file_button.isEnabled():
            assert isinstance(destination, Destination)
            if destination.where == "new-request":
                self.new_request_requested.emit()
            elif destination.where == "new-study":
                self.new_study_requested.emit()
            elif destination.where == "new-surgery":
                self.new_surgery_requested.emit()
            else:
                self.file_requested.emit(destination)


def _fileable(destination: object) -> bool:
    return isinstance(destination, Destination) and destination.where != "none"


def _patient_label(patient: PatientSuggestion | None) -> str:
    if patient is None:
        return ""
    born = birth_date_text(date.fromisoformat(patient.date_of_birth))
    return f"{patient.name}  ·  {born}  ·  {patient.mrn}  (suggested)"


def reading_text(row: InboxRow) -> str:
    if row.reading == "done":
        return f"Read: {counted(row.page_count, 'page')}."
    if row.reading == "no_ocr":
        return "Scanned pages could not be read on this computer (no OCR): choose by looking."
    if row.reading == "failed":
        return "The pages could not be read; choose by looking."
    return f"Reading page {row.pages_read + 1} of {row.page_count}…"
