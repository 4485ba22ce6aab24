"""Log a call on a chart in a few keys: who called, about what, what was promised, call back by."""

from __future__ import annotations

from datetime import date, tzinfo
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QCompleter, QDialogButtonBox, QVBoxLayout, QWidget

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.phone_notes import (
    CALLER_MAX,
    SUBJECT_MAX,
    PhoneNoteData,
    PhoneNoteForm,
    parse_follow_up,
)
from frontdesk.services.kernel.clock import today_in
from frontdesk.services.patients.phone_notes import log_call
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import (
    Banner,
    FieldMessage,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen

LOG_CALL_KEYS = "Ctrl+Shift+C"
# Who usually calls about a patient: offered as the caller is typed.
USUAL_CALLERS = (
    "The patient",
    "Spouse",
    "Daughter",
    "Son",
    "Parent",
    "Caregiver",
    "Referring office",
    "Primary care office",
    "Pharmacy",
    "Insurance",
    "Imaging center",
    "Attorney",
)
FOLLOW_UP_TIP = (
    "Empty: no call-back. +3 is three days from today; also today, tomorrow, friday, a date."
)


def follow_up_text(typed: str, today: date) -> tuple[str, str]:
    """(the problem, or "") and (the day it means, in words, or "") for a typed call-back."""
    try:
        day = parse_follow_up(typed, today)
    except InvalidValue as error:
        message = str(error)
        return message[:1].upper() + message[1:], ""
    return "", f"Call back on {day:%a %m/%d/%Y}" if day is not None else ""


class PhoneNoteDialog(FormDialog):
    """``saved(PhoneNoteData)`` once the call is logged (the window then closes). ``zone`` is
    the practice's: "tomorrow" is the practice's tomorrow, not the computer's."""

    saved = Signal(object)
    NOT_DONE = "Not logged"
    BUSY = "Logging the call…"
    DISCARD_TITLE = "Discard this call?"
    DISCARD_TEXT = "The call is not logged yet. Close and discard what you typed?"

    def __init__(
        self,
        screen: ScreenContext,
        patient_id: int,
        patient_name: str,
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient_id = patient_id
        self.zone = zone
        self.setWindowTitle(f"Log a call — {patient_name}")
        self.setAccessibleName("Log a call")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.caller = line_edit(
            "Who called", "the patient, daughter, Dr Patel's office…", CALLER_MAX
        )
        completer = QCompleter(list(USUAL_CALLERS), self.caller)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.caller.setCompleter(completer)
        add_form_row(form, self.fields, "caller", "Who &called *", self.caller)
        self.subject = line_edit("What about", "MRI results, refill, directions…", SUBJECT_MAX)
        add_form_row(form, self.fields, "subject", "&About *", self.subject)
        self.promised = multiline_edit("What was promised", rows=3)
        self.promised.setPlaceholderText("what you said the practice would do (optional)")
        add_form_row(form, self.fields, "promised", "&Promised", self.promised)
        self.follow_up = line_edit("Call back by", "+2, tomorrow or 12/14/2026", 20)
        self.follow_up.setToolTip(FOLLOW_UP_TIP)
        self.follow_up_message: FieldMessage = add_form_row(
            form, self.fields, "follow_up_on", "Call &back by", self.follow_up, FOLLOW_UP_TIP
        )
        self.follow_up_day = plain_label("", "hint")
        self.follow_up_day.setAccessibleName("Call-back day")
        form.addRow("", self.follow_up_day)
        self.follow_up.textChanged.connect(self.follow_up_typed)
        self.follow_up.editingFinished.connect(self._follow_up_left)

        buttons = self.save_cancel_buttons(
            "Log the call (Enter; Ctrl+Enter in Promised)", save_text="&Log call"
        )
        self.follow_gate(buttons.button(QDialogButtonBox.StandardButton.Save))
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"A call about {patient_name}. With a call-back date it shows on Today under "
                "Calls to return until marked done.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(620, 440))
        self.caller.setFocus()
        self.mark_clean()

    # The call-back field -------------------------------------------------------------------

    def follow_up_typed(self, text: str) -> None:
        problem, day = follow_up_text(text, today_in(self.zone))
        self.follow_up_day.setText(day)
        if not problem:
            self.follow_up_message.show_message("")
            self.follow_up.setAccessibleDescription("")

    def _follow_up_left(self) -> None:
        problem, day = follow_up_text(self.follow_up.text(), today_in(self.zone))
        self.follow_up_message.show_message(problem)
        self.follow_up.setAccessibleDescription(problem)
        self.follow_up_day.setText(day)

    # Saving --------------------------------------------------------------------------------

    def form(self) -> PhoneNoteForm:
        return PhoneNoteForm(
            caller=self.caller.text(),
            subject=self.subject.text(),
            promised=self.promised.toPlainText(),
            follow_up_on=self.follow_up.text(),
        )

    def snapshot(self) -> PhoneNoteForm:
        return self.form()

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(log_call, self.screen.services, self.patient_id, self.form())
        self.screen.runner.run(call, self._saved, failure=self.save_error)

    def _saved(self, note: PhoneNoteData) -> None:
        self.end_save()
        self.mark_clean()
        self.saved.emit(note)
        self.accept()
