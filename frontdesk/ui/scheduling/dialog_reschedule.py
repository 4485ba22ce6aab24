"""Move an appointment to another day, time or provider; the history keeps where it was."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import SlotTakenError, ValidationError
from frontdesk.domain.scheduling import format_clock
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    saving_allowed,
)
from frontdesk.ui.scheduling.dialog_fields import (
    Choices,
    clock_edit,
    date_at_time,
    date_edit,
    date_of,
    day_and_minutes,
    fill_combo,
    load_choices,
    location_items,
    moment,
    offer_overbook,
    parse_minutes,
    provider_items,
    sentence,
    show_practice_days,
    when_text,
)
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
from frontdesk.ui.widgets.saving_form import FormDialog


class RescheduleDialog(FormDialog):
    """``moved(AppointmentData)`` fires once the appointment is at its new time."""

    moved = Signal(object)
    NOT_DONE = "Not moved"
    BUSY = "Moving…"
    DISCARD_TITLE = "Discard the new time?"
    DISCARD_TEXT = "The appointment is not moved. Discard the changes?"

    def __init__(
        self, screen: ScreenContext, appointment: AppointmentData, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.appointment = appointment
        self.choices: Choices | None = None
        self.end_touched = False
        # Appointments booked before this are ones the person could see: one in the way is
        # an ordinary overlap, not "just booked by someone else".
        self.opened_at = datetime.now(UTC)
        self.setWindowTitle("Reschedule")
        self.setAccessibleName("Reschedule the appointment")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.now_label = plain_label("", wrap=True)
        form.addRow("Now", self.now_label)
        self.provider_combo = QComboBox()
        self.provider_combo.setAccessibleName("Provider")
        add_form_row(form, self.fields, "provider", "P&rovider", self.provider_combo)
        self.location_combo = QComboBox()
        self.location_combo.setAccessibleName("Location")
        add_form_row(form, self.fields, "location", "&Location", self.location_combo)
        self.date = date_edit("New date")
        self.start_edit = clock_edit("New start time")
        self.start_edit.textEdited.connect(self._start_typed)
        self.end_edit = clock_edit("New end time")
        self.end_edit.textEdited.connect(
            lambda text: setattr(self, "end_touched", bool(text.strip()))
        )
        when_box = date_at_time(self.date, self.start_edit)
        add_form_row(form, self.fields, "start", "&Date and time", when_box)
        self.fields.add("start", self.start_edit, self.fields.message("start"))
        add_form_row(
            form, self.fields, "end", "&Ends at", self.end_edit, "Keeps the length until changed."
        )
        self.note = line_edit("Why it moves", "why it moves (patient asked, surgeon away…)", 500)
        add_form_row(form, self.fields, "note", "&Why", self.note)
        self.move_button = mark_primary(QPushButton("&Move"))
        self.move_button.setToolTip("Move the appointment (Enter)")
        self.move_button.setDefault(True)
        self.move_button.clicked.connect(self.save)
        follow_saving_gate(
            self.move_button, lambda: self.saving, ready=lambda: self.choices is not None
        )
        cancel = QPushButton("Cancel")
        cancel.setToolTip("Close without moving it (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.move_button)
        self.save_button = self.move_button
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Reschedule the appointment", "sectionTitle"))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        screen.runner.run(
            partial(load_choices, screen.services),
            self._opened,
            lambda message: self.banner.show_message("error", message),
        )

    def _opened(self, choices: Choices) -> None:
        self.choices = choices
        item = self.appointment
        self.now_label.setText(
            f"{item.type_name} with {item.provider_name} at {item.location_name}, "
            f"{when_text(item.start, item.end, choices.zone)}"
        )
        fill_combo(self.provider_combo, provider_items(choices), item.provider_id)
        fill_combo(
            self.location_combo,
            [("Where the provider works then", None), *location_items(choices)],
            None,
        )
        day, start = day_and_minutes(item.start, choices.zone)
        show_practice_days(self.date, choices.zone, day)
        self.start_edit.setText(format_clock(start))
        self._start_typed("")
        self.move_button.setEnabled(saving_allowed())
        self.mark_clean()
        self.date.setFocus()

    def _start_typed(self, _text: str) -> None:
        if self.end_touched:
            return
        start, _ = parse_minutes(self.start_edit.text())
        if start is None:
            return
        self.end_edit.setText(format_clock(min(start + self.appointment.minutes, 24 * 60)))

    def snapshot(self) -> tuple[Any, ...]:
        return (
            self.provider_combo.currentData(),
            self.location_combo.currentData(),
            date_of(self.date),
            self.start_edit.text().strip(),
            self.end_edit.text().strip(),
            self.note.text().strip(),
        )

    def save(self, *, allow_outside_availability: bool = False) -> None:
        if self.save_refused() or self.choices is None:
            return
        start, why_start = parse_minutes(self.start_edit.text())
        end, why_end = parse_minutes(self.end_edit.text()) if self.end_edit.text() else (None, "")
        problems = {key: text for key, text in (("start", why_start), ("end", why_end)) if text}
        if problems or start is None:
            self.fields.show_messages(problems)
            self.banner.show_message("error", "Not moved: please correct the marked fields.")
            return
        day, zone = date_of(self.date), self.choices.zone
        self.begin_save()
        self.fields.clear_messages()
        call = partial(
            booking.reschedule,
            self.screen.services,
            self.appointment.id,
            start=moment(day, start, zone),
            end=moment(day, end, zone) if end is not None else None,
            provider_id=self.provider_combo.currentData(),
            location_id=self.location_combo.currentData(),
            allow_outside_availability=allow_outside_availability,
            note=self.note.text(),
            expected_version=self.appointment.version,
            known_at=self.opened_at,
        )
        self.screen.runner.run(call, self._saved, failure=self._failed)

    def _saved(self, result: object) -> None:
        self.end_save()
        self.banner.clear()
        self.mark_clean()
        self.moved.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, OutsideAvailabilityError):
            declined = "Not moved. Choose a time inside the hours."
            offer_overbook(self, "Move as an overbook?", error, declined, self.save)
        elif isinstance(error, SlotTakenError):
            self.end_save()
            self.banner.show_message("error", f"Not moved. {sentence(str(error))}")
        elif isinstance(error, ValidationError):
            self.end_save()
            self.show_refusal(error)
        else:
            self.save_error(error)  # also a save whose reply was lost
