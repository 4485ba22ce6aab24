"""Move an appointment to another day, time or provider; the history keeps where it was."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.scheduling import format_clock
from frontdesk.services.scheduling import appointments as scheduling
from frontdesk.services.scheduling.appointments import AppointmentData
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.main_window import ScreenContext
from frontdesk.ui.schedule.dialog_fields import (
    Choices,
    NeedsOverbook,
    SlotTaken,
    clock_edit,
    confirm,
    date_edit,
    date_of,
    day_and_minutes,
    fill_combo,
    keeping_booking_refusals,
    load_choices,
    location_items,
    moment,
    parse_minutes,
    provider_items,
    sentence,
    set_date,
    when_text,
)
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    Rejected,
    add_form_row,
    ask_to_discard,
    form_layout,
    line_edit,
    plain_label,
)


class RescheduleDialog(QDialog):
    """``moved(AppointmentData)`` fires once the appointment is at its new time."""

    moved = Signal(object)

    def __init__(
        self, screen: ScreenContext, appointment: AppointmentData, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.appointment = appointment
        self.choices: Choices | None = None
        self.saving = False
        self.end_touched = False
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
        when_row = QHBoxLayout()
        when_row.setContentsMargins(0, 0, 0, 0)
        when_row.addWidget(self.date, 1)
        when_row.addWidget(plain_label("at"))
        when_row.addWidget(self.start_edit)
        when_box = QWidget()
        when_box.setLayout(when_row)
        when_box.setFocusProxy(self.date)
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
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Reschedule the appointment", "sectionTitle"))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._baseline: tuple[Any, ...] | None = None
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
        set_date(self.date, day)
        self.start_edit.setText(format_clock(start))
        self._start_typed("")
        self.move_button.setEnabled(saving_allowed())
        self._baseline = self.snapshot()
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

    def has_changes(self) -> bool:
        return self._baseline is not None and self.snapshot() != self._baseline

    def save(self, *, allow_outside_availability: bool = False) -> None:
        if self.saving or refused_while_paused(self.banner) or self.choices is None:
            return
        start, why_start = parse_minutes(self.start_edit.text())
        end, why_end = parse_minutes(self.end_edit.text()) if self.end_edit.text() else (None, "")
        problems = {key: text for key, text in (("start", why_start), ("end", why_end)) if text}
        if problems or start is None:
            self.fields.show_messages(problems)
            self.banner.show_message("error", "Not moved: please correct the marked fields.")
            return
        day, zone = date_of(self.date), self.choices.zone
        self.saving = True
        self.move_button.setEnabled(False)
        self.fields.clear_messages()
        self.banner.show_message("info", "Moving…")
        call = partial(
            scheduling.reschedule,
            self.screen.services,
            self.appointment.id,
            start=moment(day, start, zone),
            end=moment(day, end, zone) if end is not None else None,
            provider_id=self.provider_combo.currentData(),
            location_id=self.location_combo.currentData(),
            allow_outside_availability=allow_outside_availability,
            note=self.note.text(),
            expected_version=self.appointment.version,
        )
        self.screen.runner.run(keeping_booking_refusals(call), self._saved, self._failed)

    def _saved(self, result: object) -> None:
        self.saving = False
        self.move_button.setEnabled(saving_allowed())
        if isinstance(result, NeedsOverbook):
            self.banner.clear()
            if confirm(self, "Move as an overbook?", result.message):
                self.save(allow_outside_availability=True)
            else:
                self.banner.show_message("info", "Not moved. Choose a time inside the hours.")
            return
        if isinstance(result, SlotTaken):
            self.banner.show_message("error", f"Not moved. {sentence(result.message)}")
            return
        if isinstance(result, Rejected):
            if result.conflict:
                self.banner.show_message("error", f"Not moved. {result.message}")
                return
            unplaced = self.fields.show_messages(result.fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
            self.banner.show_message("error", f"Not moved: {text}")
            return
        self.banner.clear()
        self._baseline = self.snapshot()
        self.moved.emit(result)
        self.accept()

    def _failed(self, message: str) -> None:
        self.saving = False
        self.move_button.setEnabled(saving_allowed())
        self.banner.show_message("error", f"Not moved. {message}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.saving:
            return
        if self.has_changes() and not ask_to_discard(
            self, "Discard the new time?", "The appointment is not moved. Discard the changes?"
        ):
            return
        super().reject()
