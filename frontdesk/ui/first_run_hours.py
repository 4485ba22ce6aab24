"""First-run step: where the providers see patients and their usual weekly hours, filled in
with sensible defaults (Monday to Friday, 8:00 to 17:00, "Main office") and editable."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from frontdesk.domain.contact import clean_text
from frontdesk.domain.scheduling import Weekday
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.scheduling.usual_hours import UsualHoursForm, usual_hours_problems
from frontdesk.ui.widgets.form import (
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)

DEFAULT_LOCATION = "Main office"
DEFAULT_HOURS = UsualHoursForm()


class LocationHoursPage(QWidget):
    """The first location and the hours every provider works there. Unticking "Give the
    providers these hours" saves the location only (hours then come from Admin →
    Scheduling, and Today says so)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = FormFields()
        where = form_layout()
        self.location_name = line_edit("Location name", "e.g. Main office", 120)
        self.location_name.setText(DEFAULT_LOCATION)
        add_form_row(where, self.fields, "location.name", "&Location *", self.location_name)
        self.location_address = line_edit("Location address", "e.g. 100 Main St, Springfield")
        add_form_row(where, self.fields, "location.address", "A&ddress", self.location_address)
        self.location_phone = line_edit("Location phone", "e.g. (217) 555-0100", 40)
        add_form_row(where, self.fields, "location.phone", "P&hone", self.location_phone)

        self.use_hours = QCheckBox("&Give every provider these usual weekly hours")
        self.use_hours.setChecked(True)
        self.use_hours.setAccessibleName("Give every provider these usual weekly hours")
        self.use_hours.toggled.connect(self._hours_toggled)

        hours = form_layout()
        self.day_boxes: dict[Weekday, QCheckBox] = {}
        days_row = QHBoxLayout()
        days_row.setContentsMargins(0, 0, 0, 0)
        for day in Weekday:
            box = QCheckBox(day.short)
            box.setAccessibleName(f"Works on {day.label}")
            box.setChecked(int(day) in DEFAULT_HOURS.weekdays)
            self.day_boxes[day] = box
            days_row.addWidget(box)
        days_row.addStretch(1)
        self.days_box = QWidget()
        self.days_box.setLayout(days_row)
        self.days_box.setFocusProxy(self.day_boxes[Weekday.MONDAY])
        add_form_row(hours, self.fields, "hours.weekdays", "Da&ys", self.days_box)
        self.start = line_edit("Usual start", "e.g. 8:00", 10)
        self.start.setText(DEFAULT_HOURS.start)
        self.end = line_edit("Usual end", "e.g. 17:00", 10)
        self.end.setText(DEFAULT_HOURS.end)
        times_row = QHBoxLayout()
        times_row.setContentsMargins(0, 0, 0, 0)
        times_row.addWidget(self.start)
        times_row.addWidget(plain_label("until"))
        times_row.addWidget(self.end)
        times_row.addStretch(1)
        self.times_box = QWidget()
        self.times_box.setLayout(times_row)
        self.times_box.setFocusProxy(self.start)
        add_form_row(
            hours,
            self.fields,
            "hours.start",
            "&From",
            self.times_box,
            "Every appointment type can be booked in these hours.",
        )
        self.fields.add("hours.end", self.end, self.fields.message("hours.start"))
        self.hours_form = QWidget()
        self.hours_form.setLayout(hours)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(where)
        layout.addSpacing(8)
        layout.addWidget(self.use_hours)
        layout.addWidget(self.hours_form)
        layout.addWidget(
            plain_label(
                "Find the next free time offers times inside these hours. Change a provider's "
                "hours, days off and other locations later in Admin → Scheduling.",
                "hint",
                wrap=True,
            )
        )
        layout.addStretch(1)
        self._defaults = (self.location_form(), self.hours_form_data())

    def _hours_toggled(self, on: bool) -> None:
        self.hours_form.setEnabled(on)

    def location_form(self) -> LocationForm:
        return LocationForm(
            name=self.location_name.text(),
            address=self.location_address.text(),
            phone=self.location_phone.text(),
        )

    def hours_form_data(self) -> UsualHoursForm | None:
        if not self.use_hours.isChecked():
            return None
        return UsualHoursForm(
            weekdays=tuple(int(day) for day, box in self.day_boxes.items() if box.isChecked()),
            start=self.start.text(),
            end=self.end.text(),
        )

    def precheck(self) -> dict[str, str]:
        """The messages found without the database: a name, days, and times in order."""
        problems: dict[str, str] = {}
        if not clean_text(self.location_name.text()):
            problems["location.name"] = "Required"
        hours = self.hours_form_data()
        if hours is not None:
            problems.update(usual_hours_problems(hours))
        return problems

    def show_messages(self, messages: Mapping[str, str]) -> None:
        self.fields.show_messages(messages)

    def has_text(self) -> bool:
        """Whether anything differs from the defaults (work to keep on Esc)."""
        return (self.location_form(), self.hours_form_data()) != self._defaults
