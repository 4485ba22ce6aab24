"""Cancel an appointment: who asked (the patient or the practice) and why, both required."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.scheduling import appointments as scheduling
from frontdesk.services.scheduling.appointments import AppointmentData
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.main_window import ScreenContext
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    Rejected,
    add_form_row,
    ask_to_discard,
    form_layout,
    keeping_form_errors,
    line_edit,
    plain_label,
)


class CancelAppointmentDialog(QDialog):
    """``cancelled(AppointmentData)`` fires once the cancellation is stored."""

    cancelled = Signal(object)

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
        self.saving = False
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
        self.reason = line_edit("Reason for cancelling", "why (feeling better, surgeon away…)", 500)
        add_form_row(form, self.fields, "reason", "&Reason *", self.reason)
        self.confirm_button = QPushButton("Cancel the &appointment")
        self.confirm_button.setToolTip("Cancel it and free the time (Enter)")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self.save)
        follow_saving_gate(self.confirm_button, lambda: self.saving)
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

    def chosen_by(self) -> CancelledBy:
        return CancelledBy.PRACTICE if self.by_practice.isChecked() else CancelledBy.PATIENT

    def save(self) -> None:
        if self.saving or refused_while_paused(self.banner):
            return
        self.saving = True
        self.confirm_button.setEnabled(False)
        self.fields.clear_messages()
        call = partial(
            scheduling.cancel,
            self.screen.services,
            self.appointment.id,
            by=self.chosen_by(),
            reason=self.reason.text(),
            expected_version=self.appointment.version,
        )
        self.screen.runner.run(keeping_form_errors(call), self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self.saving = False
        self.confirm_button.setEnabled(saving_allowed())
        if isinstance(result, Rejected):
            if result.conflict:
                self.banner.show_message("error", f"Not cancelled. {result.message}")
                return
            unplaced = self.fields.show_messages(result.fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
            self.banner.show_message("error", f"Not cancelled: {text}")
            return
        self.banner.clear()
        self.reason.clear()
        self.cancelled.emit(result)
        self.accept()

    def _failed(self, message: str) -> None:
        self.saving = False
        self.confirm_button.setEnabled(saving_allowed())
        self.banner.show_message("error", f"Not cancelled. {message}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.saving:
            return
        if self.reason.text().strip() and not ask_to_discard(
            self, "Keep the appointment?", "Close without cancelling and discard the reason?"
        ):
            return
        super().reject()
