"""An imaging report for a study the chart lacks: the study as the report describes it,
confirmed (and completed) by the person before it is created and the report filed to it."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QWidget

from frontdesk.domain.history_records import ImagingForm
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.services.inbox import filing
from frontdesk.services.inbox.data import Suggestions
from frontdesk.ui.inbox.dialogs import NewEntryForm
from frontdesk.ui.widgets.form import add_form_row, line_edit


class NewStudyDialog(NewEntryForm):
    """``done(Filed)`` fires once the study exists and the report is filed to it."""

    TITLE = "A new imaging study from this report"
    NOUN = "study"
    SAVE_TIP = "Create the study and file the report to it (Enter)"
    DISCARD_TEXT = "Close without creating the study?"
    file_as_new = staticmethod(filing.file_as_new_study)

    def add_fields(self, suggestions: Suggestions) -> QWidget:
        draft = suggestions.study
        self.modality = QComboBox()
        self.modality.setAccessibleName("Modality")
        for modality in ImagingModality:
            self.modality.addItem(modality.label, modality.value)
        self.modality.setCurrentIndex(
            max(0, self.modality.findData(draft.get("modality") or "mri"))
        )
        add_form_row(self.rows, self.fields, "modality", "&Modality *", self.modality)
        self.regions = line_edit("Regions", "lumbar, cervical", 100)
        self.regions.setText(", ".join(str(region) for region in draft.get("regions", ())))  # type: ignore[union-attr]
        add_form_row(self.rows, self.fields, "regions", "&Regions", self.regions)
        self.date = line_edit("Date of the study", "MM/DD/YYYY, or a month or year", 40)
        exam = str(draft.get("exam_date") or "")
        if exam:
            self.date.setText(f"{date.fromisoformat(exam):%m/%d/%Y}")
        add_form_row(self.rows, self.fields, "date", "&Date", self.date)
        self.facility = line_edit("Where it was done", "imaging centre", 200)
        self.facility.setText(str(draft.get("facility") or ""))
        add_form_row(self.rows, self.fields, "facility", "&Where", self.facility)
        self.findings = line_edit("Key findings", "the report's impression", 500)
        self.findings.setText(str(draft.get("findings") or ""))
        add_form_row(self.rows, self.fields, "findings", "&Findings", self.findings)
        return self.modality

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
