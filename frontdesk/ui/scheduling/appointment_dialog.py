"""One appointment: what, who, when, its status buttons, moving, cancelling, and its history."""

from __future__ import annotations

from datetime import tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import QMetaMethod, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import reading
from frontdesk.services.scheduling import booking, lookup
from frontdesk.services.scheduling import data as scheduling_data
from frontdesk.services.scheduling import status as scheduling_status
from frontdesk.services.scheduling.data import AppointmentData, AppointmentDetail
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.patients.display import birth_date_text
from frontdesk.ui.runner import user_message
from frontdesk.ui.scheduling.dialog_fields import confirm, when_text
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog, is_enter
from frontdesk.ui.widgets.screen_fit import fit_to_screen

# The button for each status the appointment may move to (cancelling has its own dialog).
STATUS_BUTTONS = {
    AppointmentStatus.CONFIRMED: ("Con&firm", "The patient confirmed they are coming"),
    AppointmentStatus.CHECKED_IN: ("Check &in", "The patient has arrived"),
    AppointmentStatus.COMPLETED: ("Co&mplete", "The visit is over"),
    AppointmentStatus.NO_SHOW: ("&No-show…", "The patient did not come (frees the time)"),
    AppointmentStatus.BOOKED: ("Mark &unconfirmed", "Back to booked, not yet confirmed"),
}
UNDO_CHECK_IN = ("&Undo check-in", "Checked in by mistake: back to confirmed")


def _read(context: ServiceContext, appointment_id: int) -> tuple[AppointmentDetail, tzinfo]:
    """Runs off the UI thread."""
    return (
        lookup.get_appointment(context, appointment_id),
        practice_clock.practice_zone(context),
    )


def _handout_inputs(
    context: ServiceContext, item: AppointmentData
) -> tuple[PatientData, RequestCategory | None]:
    """The chart and the linked request's category for Give handouts; runs off the UI thread."""
    patient = get_patient(context, item.patient_id, record_view=False)
    if item.request_id is None:
        return patient, None
    return patient, reading.get_request(context, item.request_id).request.category


def status_text(item: AppointmentData) -> str:
    text = item.status.label
    if item.status is AppointmentStatus.CANCELLED and item.cancelled_by is not None:
        text += f" {item.cancelled_by.label.lower()}"
        if item.cancel_reason:
            text += f": {item.cancel_reason}"
    if item.overbooked:
        text += " · overbooked on purpose (outside the provider's hours)"
    return text


class AppointmentDialog(FormDialog):
    """``changed(AppointmentData)`` fires after every change made here.

    ``open_chart_requested(patient_id)``: a screen that keeps chart windows opens it; with
    nobody listening the dialog opens the chart itself.
    """

    changed = Signal(object)
    loaded = Signal(object)  # AppointmentDetail
    open_chart_requested = Signal(int)
    DISCARD_TEXT = "The reason or notes are changed but not saved. Close and discard them?"

    def __init__(
        self, screen: ScreenContext, appointment_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.appointment_id = appointment_id
        self.detail: AppointmentDetail | None = None
        self.zone: tzinfo | None = None
        self.details_version: int | None = None
        self._pending_details: tuple[str, str] | None = None
        self.status_buttons: dict[AppointmentStatus, QPushButton] = {}
        self.child_dialog: QDialog | None = None
        self.handouts_dialog: QDialog | None = None
        self.chart: QWidget | None = None
        self.setWindowTitle("Appointment")
        self.setAccessibleName("Appointment")

        self.title = plain_label("Opening the appointment…", "sectionTitle", wrap=True)
        self.banner = Banner()
        self.facts: dict[str, QLabel] = {}
        facts = form_layout()
        for key, caption in (
            ("patient", "Patient"),
            ("type", "Type"),
            ("provider", "Provider"),
            ("location", "Location"),
            ("when", "When"),
            ("status", "Status"),
            ("request", "Request"),
            ("call", "Reminder call"),
        ):
            value = plain_label("", "factValue", wrap=True)
            value.setAccessibleName(caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts[key] = value
            if key == "patient":
                self.chart_button = QPushButton("Open &chart")
                self.chart_button.setToolTip("Open this patient's chart")
                self.chart_button.setAutoDefault(False)
                self.chart_button.clicked.connect(self.open_chart)
                self.handouts_button = QPushButton("Give &handouts…")
                self.handouts_button.setToolTip(
                    "Handouts for the request's category in the patient's language, with "
                    "this appointment printed on them (Alt+H)"
                )
                self.handouts_button.setAutoDefault(False)
                self.handouts_button.clicked.connect(self.give_handouts)
                self.can_give_handouts = screen.services.actor.can(Permission.PRINT_HANDOUTS)
                self.handouts_button.setVisible(self.can_give_handouts)
                row = QHBoxLayout()
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(value, 1)
                row.addWidget(self.chart_button)
                row.addWidget(self.handouts_button)
                facts.addRow(caption, row)
            else:
                facts.addRow(caption, value)

        self.fields = FormFields()
        details = form_layout()
        self.reason = line_edit("Reason", "why the patient is coming", 500)
        add_form_row(details, self.fields, "reason", "&Reason", self.reason)
        self.notes = multiline_edit("Notes", rows=2)
        add_form_row(details, self.fields, "notes", "N&otes", self.notes)
        self.save_button = mark_primary(QPushButton("&Save"))
        self.save_button.setToolTip("Save the reason and notes (Enter, Ctrl+Enter in notes)")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_details)
        follow_saving_gate(
            self.save_button, lambda: self.saving, ready=lambda: self.detail is not None
        )
        save_row = QHBoxLayout()
        save_row.setContentsMargins(0, 0, 0, 0)
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        details.addRow("", save_row)

        self.status_row = QHBoxLayout()
        self.status_row.setContentsMargins(0, 0, 0, 0)
        self.reschedule_button = QPushButton("R&eschedule…")
        self.reschedule_button.setToolTip("Another day, time or provider; the history is kept")
        self.reschedule_button.clicked.connect(self.reschedule)
        self.cancel_button = QPushButton("Cance&l appointment…")
        self.cancel_button.setToolTip("Asks who cancelled and why, then frees the time")
        self.cancel_button.clicked.connect(self.cancel_appointment)
        self.waitlist_button = QPushButton("Add to &waitlist for an earlier time…")
        self.waitlist_button.clicked.connect(self.add_to_waitlist)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addLayout(self.status_row)
        actions.addStretch(1)
        for button in (self.reschedule_button, self.cancel_button, self.waitlist_button):
            button.setAutoDefault(False)
            actions.addWidget(button)
        watch_saving_gate(self, lambda _allowed: self._update_actions())

        self.history = QListWidget()
        self.history.setAccessibleName("Appointment history")
        # "Moved from … to …" is long: wrap it rather than hide its end behind a side scroll.
        self.history.setWordWrap(True)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        history_box = QGroupBox("History")
        history_layout = QVBoxLayout(history_box)
        history_layout.addWidget(self.history)

        close = QPushButton("Close")
        close.setToolTip("Close (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.banner)
        layout.addLayout(facts)
        layout.addLayout(actions)
        layout.addLayout(details)
        layout.addWidget(history_box, 1)
        layout.addLayout(bottom)
        self._update_actions()
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        fit_to_screen(self, QSize(760, 640))
        self.load()

    # Loading -----------------------------------------------------------------------------

    def load(self) -> None:
        self.screen.runner.run(
            partial(_read, self.screen.services, self.appointment_id),
            self._loaded,
            lambda message: self.banner.show_message("error", message),
        )

    def _loaded(self, result: tuple[AppointmentDetail, tzinfo]) -> None:
        self.detail, self.zone = result
        self.show_detail(self.detail, self.zone)
        self.loaded.emit(self.detail)

    def show_detail(self, detail: AppointmentDetail, zone: tzinfo) -> None:
        item = detail.appointment
        self.title.setText(f"{item.type_name}: {item.patient_name}")
        self.setWindowTitle(f"{item.patient_name} — {item.type_name} — Appointment")
        patient = f"{item.patient_name}  ·  born {birth_date_text(item.date_of_birth)}  ·  "
        patient += item.mrn + (f"  ·  {item.phone}" if item.phone else "")
        self.facts["patient"].setText(patient)
        self.facts["type"].setText(item.type_name)
        self.facts["provider"].setText(item.provider_name)
        self.facts["location"].setText(item.location_name)
        self.facts["when"].setText(f"{when_text(item.start, item.end, zone)} ({item.minutes} min)")
        self.facts["status"].setText(status_text(item))
        self.facts["request"].setText(
            f"Consultation request #{item.request_id}" if item.request_id else "None linked"
        )
        self.facts["call"].setText(
            item.last_call_outcome.label if item.last_call_outcome else "Not called yet"
        )
        # Someone's typing survives a refresh; their save is then checked against the
        # version they started from, so a newer save elsewhere is never silently overwritten.
        if not self.has_unsaved_changes():
            self.take_their_details()
        elif _details(item.reason, item.notes) == self._baseline:
            # Only the status or time changed since the typing began: no conflict to flag.
            self.details_version = item.version
        self.history.clear()
        for event in reversed(detail.events):
            at = event.at.astimezone(zone)
            text = f"{at:%m/%d/%Y %H:%M}  ·  {event.by}  ·  {event.description}"
            if event.note:
                text += f" — {event.note}"
            self.history.addItem(text)
        self._rebuild_status_buttons(detail)
        self._update_actions()

    def take_their_details(self) -> None:
        """The stored reason and notes into the fields (after a conflict: theirs)."""
        if self.detail is None:
            return
        item = self.detail.appointment
        self.reason.setText(item.reason)
        self.notes.setPlainText(item.notes)
        self.mark_clean()
        self.details_version = item.version
        self.fields.clear_messages()

    def _rebuild_status_buttons(self, detail: AppointmentDetail) -> None:
        for button in self.status_buttons.values():
            self.status_row.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        current = detail.appointment.status
        for status in detail.allowed_statuses:
            if status is AppointmentStatus.CANCELLED:
                continue
            text, tip = STATUS_BUTTONS[status]
            if current is AppointmentStatus.CHECKED_IN and status is AppointmentStatus.CONFIRMED:
                text, tip = UNDO_CHECK_IN
            button = QPushButton(text)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            button.clicked.connect(partial(self.set_status, status))
            self.status_row.addWidget(button)
            self.status_buttons[status] = button

    def _update_actions(self) -> None:
        detail = self.detail
        allowed = saving_allowed() and not self.saving
        statuses = detail.allowed_statuses if detail else ()
        status = detail.appointment.status if detail else None
        for button in self.status_buttons.values():
            button.setEnabled(allowed)
        self.cancel_button.setEnabled(allowed and AppointmentStatus.CANCELLED in statuses)
        self.reschedule_button.setEnabled(
            allowed and status in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
        )
        self.waitlist_button.setEnabled(
            allowed and status in (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
        )
        self.save_button.setEnabled(allowed and detail is not None)
        # Giving waits out an outage in its own dialog; only the chart must be known here.
        self.handouts_button.setEnabled(detail is not None)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, scheduling_data.TABLES) and not self.saving:
            self.load()

    # Changing it -------------------------------------------------------------------------

    def _run_change(self, call: Any, done_text: str) -> None:
        self.saving = True
        self._update_actions()
        self.banner.show_message("info", "Saving…")
        self.screen.runner.run(call, partial(self._changed, done_text), failure=self._change_failed)

    def _changed(self, done_text: str, result: object) -> None:
        self.saving = False
        self._update_actions()
        if self._pending_details is not None:
            # What was saved is what is stored now: the reload may fill the fields again.
            self._baseline = _details(*self._pending_details)
            self._pending_details = None
        assert isinstance(result, AppointmentData)
        self.banner.show_message("success", done_text)
        self.changed.emit(result)
        self.load()

    def _change_failed(self, error: Exception) -> None:
        self.saving = False
        if isinstance(error, ValidationError | ConflictError):
            self._update_actions()
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.fields.show_messages(fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
            self._pending_details = None
            if isinstance(error, ConflictError):
                self.banner.show_message(
                    "error",
                    f"Not saved. {error} Your text is still in the form.",
                    ("Show their version", self.take_their_details),
                )
                self.load()
            else:
                self.banner.show_message("error", f"Not saved: {text}")
            return
        self._pending_details = None
        self._update_actions()
        self.banner.show_message("error", f"Not saved. {user_message(error)}")

    def set_status(self, status: AppointmentStatus) -> None:
        if self.detail is None or self.saving or refused_while_paused(self.banner):
            return
        item = self.detail.appointment
        if status is AppointmentStatus.NO_SHOW and not confirm(
            self,
            "Mark as a no-show?",
            f"Mark {item.patient_name} as not having come? The time is freed for others.",
        ):
            return
        call = partial(
            scheduling_status.set_status,
            self.screen.services,
            item.id,
            status,
            expected_version=item.version,
        )
        self._run_change(call, f"Marked {status.label.lower()}.")

    def snapshot(self) -> tuple[str, str]:
        return _details(self.reason.text(), self.notes.toPlainText())

    def save(self) -> None:
        self.save_details()

    def save_details(self) -> None:
        if self.detail is None or self.save_refused():
            return
        self.fields.clear_messages()
        reason, notes = self.reason.text(), self.notes.toPlainText()
        call = partial(
            booking.update_details,
            self.screen.services,
            self.detail.appointment.id,
            reason=reason,
            notes=notes,
            expected_version=self.details_version,
        )
        self._pending_details = (reason, notes)
        self._run_change(call, "Reason and notes saved.")

    def cancel_appointment(self) -> QDialog | None:
        if self.detail is None or self.zone is None or refused_while_paused(self.banner):
            return None
        from frontdesk.ui.scheduling.dialog_cancel import CancelAppointmentDialog

        item = self.detail.appointment
        dialog = CancelAppointmentDialog(
            self.screen, item, when_text(item.start, item.end, self.zone), self
        )
        dialog.cancelled.connect(self._cancelled)
        self.child_dialog = dialog
        dialog.open()
        return dialog

    def _cancelled(self, data: AppointmentData) -> None:
        self.banner.show_message(
            "success",
            "Cancelled. The time is free for others.",
            ("Who on the waitlist fits it?", partial(self.show_waitlist_matches, data)),
        )
        self.changed.emit(data)
        self.load()

    def show_waitlist_matches(self, data: AppointmentData) -> QDialog | None:
        try:
            from frontdesk.ui.scheduling.waitlist_dialogs import WaitlistMatchesDialog
        except ImportError:
            self.banner.show_message("info", "The waitlist is not part of this version yet.")
            return None
        dialog = WaitlistMatchesDialog(
            self.screen,
            provider_id=data.provider_id,
            location_id=data.location_id,
            start=data.start,
            end=data.end,
            parent=self,
        )
        dialog.booked.connect(self._filled_from_waitlist)
        self.child_dialog = dialog
        dialog.open()
        return dialog

    def _filled_from_waitlist(self, booked: AppointmentData) -> None:
        # The banner's "Who on the waitlist fits it?" would offer the time just filled.
        self.banner.show_message(
            "success",
            f"Cancelled. The time went to {booked.patient_name} from the waitlist.",
        )

    def reschedule(self) -> QDialog | None:
        if self.detail is None or refused_while_paused(self.banner):
            return None
        from frontdesk.ui.scheduling.dialog_reschedule import RescheduleDialog

        dialog = RescheduleDialog(self.screen, self.detail.appointment, self)
        dialog.moved.connect(self._moved)
        self.child_dialog = dialog
        dialog.open()
        return dialog

    def _moved(self, data: AppointmentData) -> None:
        self.banner.show_message("success", "Moved. The old time is free for others.")
        self.changed.emit(data)
        self.load()

    def add_to_waitlist(self) -> QDialog | None:
        if self.detail is None:
            return None
        try:
            from frontdesk.ui.scheduling.waitlist_dialogs import AddToWaitlistDialog
        except ImportError:
            self.banner.show_message("info", "The waitlist is not part of this version yet.")
            return None
        item = self.detail.appointment
        dialog = AddToWaitlistDialog(
            self.screen,
            patient_id=item.patient_id,
            type_id=item.type_id,
            provider_id=item.provider_id,
            appointment_id=item.id,
            request_id=item.request_id,
            parent=self,
        )
        self.child_dialog = dialog
        dialog.open()
        return dialog

    def give_handouts(self) -> None:
        """Open Give handouts for this patient, the request's category ticked and the
        appointment on every handout (a cancelled or missed one is left off)."""
        if self.detail is None or not self.can_give_handouts:
            return
        if self.handouts_dialog is not None:
            self.handouts_dialog.raise_()
            self.handouts_dialog.activateWindow()
            return
        item = self.detail.appointment
        self.screen.runner.run(
            partial(_handout_inputs, self.screen.services, item),
            partial(self._open_handouts, item),
            lambda message: self.banner.show_message("error", message),
        )

    def _open_handouts(
        self, item: AppointmentData, inputs: tuple[PatientData, RequestCategory | None]
    ) -> None:
        if self.handouts_dialog is not None:
            return  # a second click while the chart was read
        from frontdesk.ui.handouts.give_dialog import GiveHandoutsDialog

        patient, category = inputs
        # The id, not the details: the dialog reads it fresh and follows a reschedule.
        appointment = item.id if item.holds_time else None
        dialog = GiveHandoutsDialog(
            self.screen, patient, self, category=category, appointment=appointment
        )
        dialog.finished.connect(lambda _code: setattr(self, "handouts_dialog", None))
        self.handouts_dialog = dialog
        dialog.open()

    def open_chart(self) -> None:
        if self.detail is None:
            return
        patient_id = self.detail.appointment.patient_id
        if self.isSignalConnected(QMetaMethod.fromSignal(self.open_chart_requested)):
            self.open_chart_requested.emit(patient_id)
            return
        from frontdesk.ui.patients.chart import PatientChart

        chart = PatientChart(self.screen, patient_id, self)
        chart.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.chart = chart
        chart.show()

    # Keys and closing --------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        in_notes = isinstance(self.focusWidget(), QPlainTextEdit)
        if is_enter(event) and not in_notes and not self.has_unsaved_changes():
            event.accept()  # nothing to save, and Enter never closes the window by accident
            return
        super().keyPressEvent(event)


def _details(reason: str, notes: str) -> tuple[str, str]:
    """The reason and notes as they compare: surrounding blanks are not a change."""
    return reason.strip(), notes.strip()
