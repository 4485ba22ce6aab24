"""An operative report for a surgery the chart lacks: the surgery as the report describes it,
confirmed (and completed) by the person before it is created and the report filed to it."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QWidget

from frontdesk.domain.history_records import SurgeryForm
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.spinal_levels import InvalidLevels, LevelSet
from frontdesk.services.inbox import filing
from frontdesk.services.inbox.data import Suggestions
from frontdesk.ui.inbox.dialogs import NewEntryForm
from frontdesk.ui.widgets.form import add_form_row, line_edit


def _levels_text(codes: object) -> str:
    try:
        levels = LevelSet.from_codes(
            str(code) for code in (codes if isinstance(codes, list | tuple) else ())
        )
    except InvalidLevels:
        return ""
    return levels.text()


class NewSurgeryDialog(NewEntryForm):
    """``done(Filed)`` fires once the surgery exists and the report is filed to it."""

    TITLE = "A new prior surgery from this report"
    NOUN = "surgery"
    SAVE_TIP = "Create the surgery and file the operative report to it (Enter)"
    DISCARD_TEXT = "Close without creating the surgery?"
    file_as_new = staticmethod(filing.file_as_new_surgery)

    def add_fields(self, suggestions: Suggestions) -> QWidget:
        draft = suggestions.surgery
        self.procedure = QComboBox()
        self.procedure.setAccessibleName("Procedure")
        for procedure in Procedure:
            self.procedure.addItem(procedure.label, procedure.value)
        self.procedure.setCurrentIndex(
            max(0, self.procedure.findData(draft.get("procedure") or Procedure.OTHER.value))
        )
        add_form_row(self.rows, self.fields, "procedure", "&Procedure *", self.procedure)
        self.levels = line_edit("Levels", "L4-L5, C5-C6", 100)
        self.levels.setText(_levels_text(draft.get("levels")))
        add_form_row(self.rows, self.fields, "levels", "&Levels", self.levels)
        self.date = line_edit("Date of the surgery", "MM/DD/YYYY, or a month or year", 40)
        when = str(draft.get("surgery_date") or "")
        if when:
            self.date.setText(f"{date.fromisoformat(when):%m/%d/%Y}")
        add_form_row(self.rows, self.fields, "date", "&Date", self.date)
        self.facility = line_edit("Where it was done", "hospital", 200)
        add_form_row(self.rows, self.fields, "facility", "&Where", self.facility)
        self.surgeon = line_edit("Surgeon", "", 200)
        add_form_row(self.rows, self.fields, "surgeon", "&Surgeon", self.surgeon)
        return self.procedure

    def snapshot(self) -> tuple[str, ...]:
        return (
            str(self.procedure.currentData()),
            self.levels.text(),
            self.date.text(),
            self.facility.text(),
            self.surgeon.text(),
        )

    def form(self) -> SurgeryForm:
        return SurgeryForm(
            procedure=str(self.procedure.currentData()),
            levels=self.levels.text(),
            date=self.date.text().strip() or None,
            facility=self.facility.text(),
            surgeon=self.surgeon.text(),
        )
