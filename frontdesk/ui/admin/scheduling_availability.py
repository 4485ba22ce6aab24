"""Admin → Scheduling: each provider's weekly hours per location, and what they accept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QListWidget, QListWidgetItem, QWidget

from frontdesk.domain.scheduling import Weekday, format_clock
from frontdesk.services.scheduling import availability
from frontdesk.services.scheduling.data import AvailabilityData, AvailabilityForm
from frontdesk.ui.admin.records import RecordDialog
from frontdesk.ui.admin.scheduling_choices import (
    ProviderRecordsPanel,
    SchedulingChoices,
    date_text,
    fill_combo,
    optional_date,
    provider_combo,
    refusing,
)
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.date_field import check_date_field
from frontdesk.ui.widgets.form import add_form_row, line_edit, set_field_text
from frontdesk.ui.widgets.record_table import Column

TIME_HINT = "On the practice's clock, e.g. 8:00, 13:30 or 1:30 pm."


def hours_text(record: AvailabilityData) -> str:
    return f"{format_clock(record.start_minute)}–{format_clock(record.end_minute)}"


def valid_text(record: AvailabilityData) -> str:
    if record.valid_from and record.valid_until:
        return f"{date_text(record.valid_from)}–{date_text(record.valid_until)}"
    if record.valid_from:
        return f"from {date_text(record.valid_from)}"
    if record.valid_until:
        return f"until {date_text(record.valid_until)}"
    return "Every week"


@dataclass(frozen=True)
class AvailabilityTyping:
    """What the dialog holds, as typed (dates are text until saved)."""

    provider_id: int | None
    weekday: int
    start: str
    end: str
    location_id: int | None
    every_type: bool
    type_ids: tuple[int, ...]
    valid_from: str
    valid_until: str


class AvailabilityDialog(RecordDialog):
    def __init__(
        self,
        screen: ScreenContext,
        block: AvailabilityData | None,
        choices: SchedulingChoices,
        provider_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = "New weekly availability" if block is None else "Edit weekly availability"
        super().__init__(screen, title, parent)
        self.block = block
        self.practice_day = PracticeDay(screen.services)  # typed days' two-digit years
        self.provider = provider_combo(choices, block.provider_id if block else None, provider_id)
        self.weekday = QComboBox()
        self.weekday.setAccessibleName("Day of the week")
        for day in Weekday:
            self.weekday.addItem(day.label, int(day))
        self.start = line_edit("Start time", "e.g. 8:00", 10)
        self.end = line_edit("End time", "e.g. 12:00", 10)
        self.location = QComboBox()
        self.location.setAccessibleName("Location")
        fill_combo(
            self.location,
            [
                (loc.name if loc.active else f"{loc.name} (inactive)", loc.id)
                for loc in choices.locations
                if loc.active or (block is not None and loc.id == block.location_id)
            ],
            block.location_id if block else None,
        )
        self.every_type = QCheckBox("Every appointment type")
        self.every_type.setAccessibleName("Accepts every appointment type")
        self.every_type.setChecked(True)
        self.types = QListWidget()
        self.types.setAccessibleName("Appointment types this block accepts")
        named = set(block.type_ids) if block else set()
        for kind in choices.types:
            if not kind.active and kind.id not in named:
                continue
            item = QListWidgetItem(kind.name if kind.active else f"{kind.name} (inactive)")
            item.setData(Qt.ItemDataRole.UserRole, kind.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if kind.id in named else Qt.CheckState.Unchecked
            )
            self.types.addItem(item)
        rows = max(1, min(self.types.count(), 5))
        self.types.setFixedHeight(self.types.sizeHintForRow(0) * rows + 8)
        self.every_type.toggled.connect(lambda every: self.types.setEnabled(not every))
        self.valid_from = line_edit("First week (optional)", "blank: from now on", 20)
        self.valid_until = line_edit("Last week (optional)", "blank: no end", 20)

        add_form_row(self.form, self.fields, "provider", "&Provider *", self.provider)
        add_form_row(self.form, self.fields, "weekday", "&Day *", self.weekday)
        add_form_row(self.form, self.fields, "start", "&Starts *", self.start, hint=TIME_HINT)
        add_form_row(self.form, self.fields, "end", "&Ends *", self.end)
        add_form_row(self.form, self.fields, "location", "&Location *", self.location)
        add_form_row(self.form, self.fields, "every_type", "Accepts", self.every_type)
        add_form_row(
            self.form,
            self.fields,
            "types",
            "&Only these",
            self.types,
            hint="Untick “Every appointment type” to keep this time for some types only "
            "(new consultations in the morning, say). Space ticks a type.",
        )
        add_form_row(
            self.form,
            self.fields,
            "valid_from",
            "&From",
            self.valid_from,
            hint="A date such as 3/4/2027; blank for no first or last date.",
        )
        add_form_row(self.form, self.fields, "valid_until", "&Until", self.valid_until)
        for key, edit in (("valid_from", self.valid_from), ("valid_until", self.valid_until)):
            check_date_field(edit, self.fields.message(key), self.practice_day)

        if block is not None:
            self.weekday.setCurrentIndex(self.weekday.findData(int(block.weekday)))
            set_field_text(self.start, format_clock(block.start_minute))
            set_field_text(self.end, format_clock(block.end_minute))
            self.every_type.setChecked(not block.type_ids)
            set_field_text(self.valid_from, date_text(block.valid_from))
            set_field_text(self.valid_until, date_text(block.valid_until))
        self.types.setEnabled(not self.every_type.isChecked())
        self.mark_clean()
        (self.start if block is None and self.provider.count() else self.provider).setFocus()

    def checked_types(self) -> tuple[int, ...]:
        return tuple(
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.types.item(row) for row in range(self.types.count()))
            if item.checkState() == Qt.CheckState.Checked
        )

    def set_types(self, type_ids: set[int] | None) -> None:
        """Accept every type (None) or only those given."""
        self.every_type.setChecked(type_ids is None)
        for row in range(self.types.count()):
            item = self.types.item(row)
            wanted = type_ids is not None and item.data(Qt.ItemDataRole.UserRole) in type_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def snapshot(self) -> AvailabilityTyping:
        return AvailabilityTyping(
            provider_id=self.provider.currentData(),
            weekday=int(self.weekday.currentData()),
            start=self.start.text().strip(),
            end=self.end.text().strip(),
            location_id=self.location.currentData(),
            every_type=self.every_type.isChecked(),
            type_ids=self.checked_types(),
            valid_from=self.valid_from.text().strip(),
            valid_until=self.valid_until.text().strip(),
        )

    def save_call(self) -> Callable[[], Any]:
        typed = self.snapshot()
        problems: dict[str, str] = {}
        today = self.practice_day()
        valid_from = optional_date(problems, "valid_from", typed.valid_from, today)
        valid_until = optional_date(problems, "valid_until", typed.valid_until, today)
        if not typed.every_type and not typed.type_ids:
            problems["types"] = "tick at least one type, or accept every type"
        if problems:
            return refusing(problems)
        form = AvailabilityForm(
            provider_id=typed.provider_id or 0,
            location_id=typed.location_id or 0,
            weekday=typed.weekday,
            start=typed.start,
            end=typed.end,
            type_ids=() if typed.every_type else typed.type_ids,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        return self.record_save_call(availability.save_availability, form, self.block)


class AvailabilityPanel(ProviderRecordsPanel):
    TABLES = frozenset({"availability_blocks", "providers", "locations", "appointment_types"})
    NOUN = "availability block"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        columns = [
            Column("Provider", lambda record: record.provider_name),
            Column("Day", lambda record: record.weekday.label),
            Column("Hours", hours_text),
            Column("Location", lambda record: record.location_name),
            Column("Accepts", self.types_text, stretch=True),
            Column("Weeks", valid_text),
        ]
        super().__init__(
            screen,
            "Weekly availability",
            "When and where each provider sees patients, week after week. Free time for "
            "booking is found inside these hours; time away is taken out of them.",
            columns,
            (
                "No weekly availability yet",
                "Add each provider's regular hours at each office (Monday 8:00–12:00 at the "
                "main office, say) so the calendar can offer free times.",
            ),
            parent,
        )

    def types_text(self, record: AvailabilityData) -> str:
        if not record.type_ids:
            return "Every type"
        names = {kind.id: kind.name for kind in self.choices.types} if self.choices else {}
        return ", ".join(names.get(type_id, f"type {type_id}") for type_id in record.type_ids)

    def _show_choices(self, choices: SchedulingChoices) -> None:
        super()._show_choices(choices)
        rows = self.model.rowCount()
        if rows:  # the type names may arrive after the blocks
            self.model.dataChanged.emit(
                self.model.index(0, 0), self.model.index(rows - 1, self.model.columnCount() - 1)
            )

    def load_call(self) -> Callable[[], list[AvailabilityData]]:
        return partial(availability.list_availability, self.screen.services, self.provider_ids())

    def make_dialog(self, record: AvailabilityData | None) -> AvailabilityDialog:
        assert self.choices is not None
        return AvailabilityDialog(self.screen, record, self.choices, self.provider_id(), self)

    def describe(self, record: AvailabilityData) -> str:
        return f"{record.provider_name}'s {record.description}"

    def delete_call(self, record: AvailabilityData) -> Callable[[], None]:
        return partial(availability.delete_availability, self.screen.services, record.id)

    def delete_question(self, record: AvailabilityData) -> str:
        return (
            f"Delete {record.provider_name}'s weekly availability, {record.description}? "
            "Appointments already booked in these hours stay booked; no new free times "
            "will be offered there."
        )
