"""Cancel an appointment: who asked (the patient or the practice) and why, both required."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.scheduling import status
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
    show_whole_placeholder,
)
from frontdesk.ui.widgets.saving_form import FormDialog


class CancelAppointmentDialog(FormDialog):
    """``cancelled(AppointmentData)`` fires once the cancellation is stored."""

    cancelled = Signal(object)
    NOT_DONE = "Not cancelled"
    BUSY = "Cancelling…"
    DISCARD_TITLE = "Keep the appointment?"
    DISCARD_TEXT = "Close without cancelling and discard the reason?"

    def __init__(
        self,
        screen: ScreenContext,
        appointment: AppointmentData,
        when: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.appointment = appointment
        self.setWindowTitle("Cancel the appointment")
        self.setAccessibleName("Cancel the appointment")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.by_patient = QRadioButton(CancelledBy.PATIENT.label)
        self.by_practice = QRadioButton(CancelledBy.PRACTICE.label)
        self.by_patient.setChecked(True)
        self.who = QButtonGroup(self)
        for button in (self.by_patient, self.by_practice):
            button.setAccessibleName(f"Cancelled {button.text().lower()}")
            self.who.addButton(button)
        who_row = QHBoxLayout()
        who_row.setContentsMargins(0, 0, 0, 0)
        who_row.addWidget(self.by_patient)
        who_row.addWidget(self.by_practice)
        who_row.addStretch(1)
        who_box = QWidget()
        who_box.setLayout(who_row)
        who_box.setFocusProxy(self.by_patient)
        add_form_row(form, self.fields, "by", "Cancelled", who_box)
        self.reason = show_whole_placeholder(
            line_edit("Reason for cancelling", "why (feeling better, surgeon away…)", 500)
        )
        add_form_row(form, self.fields, "reason", "&Reason *", self.reason)
        self.confirm_button = QPushButton("Cancel the &appointment")
        self.confirm_button.setToolTip("Cancel it and free the time (Enter)")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self.save)
        self.follow_gate(self.confirm_button)
        keep = QPushButton("&Keep it")
        keep.setToolTip("Close without cancelling (Esc)")
        keep.setAutoDefault(False)
        keep.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(keep)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        summary = (
            f"{appointment.patient_name}: {appointment.type_name} with "
            f"{appointment.provider_name}, {when}. The time becomes free for others."
        )
        layout.addWidget(plain_label(summary, wrap=True))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.reason.setFocus()
        self.mark_clean()

    def chosen_by(self) -> CancelledBy:
        return CancelledBy.PRACTICE if self.by_practice.isChecked() else CancelledBy.PATIENT

    def snapshot(self) -> str:
        # The reason is what was typed; who cancelled is one click to redo.
        return self.reason.text().strip()

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(
            status.cancel,
            self.screen.services,
            self.appointment.id,
            by=self.chosen_by(),
            reason=self.reason.text(),
            expected_version=self.appointment.version,
        )
        self.screen.runner.run(call, self._saved, failure=self._failed)

    def _saved(self, result: object) -> None:
        self.end_save()
        self.banner.clear()
        self.reason.clear()
        self.mark_clean()
        self.cancelled.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, ValidationError):
            self.end_save()
            self.show_refusal(error)
        else:
            # A conflict reads the same as any refusal: someone changed it first.
            self.save_error(error)  # also a save whose reply was lost
