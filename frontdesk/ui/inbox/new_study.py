"""An imaging report for a study the chart lacks: the study as the report describes it,
confirmed (and completed) by the person before it is created and the report filed to it."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.history_records import ImagingForm
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.services.inbox import filing
from frontdesk.services.inbox.data import InboxRow, Suggestions
from frontdesk.ui.inbox.dialogs import InboxForm
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.screen_fit import fit_to_screen


class NewStudyDialog(InboxForm):
    """``done(Filed)`` fires once the study exists and the report is filed to it."""

    DISCARD_TITLE = "Leave the report in the inbox?"
    DISCARD_TEXT = "Close without creating the study?"

    def __init__(
        self,
        screen: ScreenContext,
        row: InboxRow,
        suggestions: Suggestions,
        patient_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.row = row
        self.patient_id = patient_id
        self.setWindowTitle("A new imaging study from this report")
        self.setAccessibleName("A new imaging study from this report")
        draft = suggestions.study
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.modality = QComboBox()
        self.modality.setAccessibleName("Modality")
        for modality in ImagingModality:
            self.modality.addItem(modality.label, modality.value)
        self.modality.setCurrentIndex(
            max(0, self.modality.findData(draft.get("modality") or "mri"))
        )
        add_form_row(form, self.fields, "modality", "&Modality *", self.modality)
        self.regions = line_edit("Regions", "lumbar, cervical", 100)
        self.regions.setText(", ".join(str(region) for region in draft.get("regions", ())))  # type: ignore[union-attr]
        add_form_row(form, self.fields, "regions", "&Regions", self.regions)
        self.date = line_edit("Date of the study", "MM/DD/YYYY, or a month or year", 40)
        exam = str(draft.get("exam_date") or "")
        if exam:
            self.date.setText(f"{date.fromisoformat(exam):%m/%d/%Y}")
        add_form_row(form, self.fields, "date", "&Date", self.date)
        self.facility = line_edit("Where it was done", "imaging centre", 200)
        self.facility.setText(str(draft.get("facility") or ""))
        add_form_row(form, self.fields, "facility", "&Where", self.facility)
        self.findings = line_edit("Key findings", "the report's impression", 500)
        self.findings.setText(str(draft.get("findings") or ""))
        add_form_row(form, self.fields, "findings", "&Findings", self.findings)
        save = mark_primary(QPushButton("Create the study and &file"))
        save.setToolTip("Create the study and file the report to it (Enter)")
        save.setDefault(True)
        save.clicked.connect(self.save)
        self.follow_gate(save)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Filled in from the report: check each line against the page, then create it.",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        # Wide enough that a facility's name and a line of findings read in full.
        fit_to_screen(self, QSize(560, self.sizeHint().height()))
        self.modality.setFocus()
        self.mark_clean()

    def snapshot(self) -> tuple[str, ...]:
        return (
            str(self.modality.currentData()),
            self.regions.text(),
            self.date.text(),
            self.facility.text(),
            self.findings.text(),
        )

    def form(self) -> ImagingForm:
        return ImagingForm(
            modality=str(self.modality.currentData()),
            regions=self.regions.text(),
            date=self.date.text().strip() or None,
            facility=self.facility.text(),
            findings=self.findings.text(),
        )

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(
            filing.file_as_new_study,
            self.screen.services,
            self.row.id,
            self.patient_id,
            self.form(),
            expected_version=self.row.version,
        )
        self.run_save(call)
