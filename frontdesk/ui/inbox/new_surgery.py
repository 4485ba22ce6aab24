"""An operative report for a surgery the chart lacks: the surgery as the report describes it,
confirmed (and completed) by the person before it is created and the report filed to it."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.history_records import SurgeryForm
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.spinal_levels import InvalidLevels, LevelSet
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


def _levels_text(codes: object) -> str:
    try:
        levels = LevelSet.from_codes(
            str(code) for code in (codes if isinstance(codes, list | tuple) else ())
        )
    except InvalidLevels:
        return ""
    return levels.text()


class NewSurgeryDialog(InboxForm):
    """``done(Filed)`` fires once the surgery exists and the report is filed to it."""

    DISCARD_TITLE = "Leave the report in the inbox?"
    DISCARD_TEXT = "Close without creating the surgery?"

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
        self.setWindowTitle("A new prior surgery from this report")
        self.setAccessibleName("A new prior surgery from this report")
        draft = suggestions.surgery
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.procedure = QComboBox()
        self.procedure.setAccessibleName("Procedure")
        for procedure in Procedure:
            self.procedure.addItem(procedure.label, procedure.value)
        self.procedure.setCurrentIndex(
            max(0, self.procedure.findData(draft.get("procedure") or Procedure.OTHER.value))
        )
        add_form_row(form, self.fields, "procedure", "&Procedure *", self.procedure)
        self.levels = line_edit("Levels", "L4-L5, C5-C6", 100)
        self.levels.setText(_levels_text(draft.get("levels")))
        add_form_row(form, self.fields, "levels", "&Levels", self.levels)
        self.date = line_edit("Date of the surgery", "MM/DD/YYYY, or a month or year", 40)
        when = str(draft.get("surgery_date") or "")
        if when:
            self.date.setText(f"{date.fromisoformat(when):%m/%d/%Y}")
        add_form_row(form, self.fields, "date", "&Date", self.date)
        self.facility = line_edit("Where it was done", "hospital", 200)
        add_form_row(form, self.fields, "facility", "&Where", self.facility)
        self.surgeon = line_edit("Surgeon", "", 200)
        add_form_row(form, self.fields, "surgeon", "&Surgeon", self.surgeon)
        save = mark_primary(QPushButton("Create the surgery and &file"))
        save.setToolTip("Create the surgery and file the operative report to it (Enter)")
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
        fit_to_screen(self, QSize(560, self.sizeHint().height()))
        self.procedure.setFocus()
        self.mark_clean()

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

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(
            filing.file_as_new_surgery,
            self.screen.services,
            self.row.id,
            self.patient_id,
            self.form(),
            expected_version=self.row.version,
        )
        self.run_save(call)
