"""Pieces the booking dialogs share: the practice's choices, time fields, booking refusals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QMessageBox, QWidget

from frontdesk.domain.scheduling import (
    MAX_DAYS_AHEAD,
    format_clock,
    local_moment,
    minutes_to_time,
    parse_clock,
    time_to_minutes,
)
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import LocationData, ProviderData
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import appointment_types
from frontdesk.services.scheduling import availability as scheduling_availability
from frontdesk.services.scheduling.data import AppointmentTypeData, AvailabilityData
from frontdesk.ui.widgets.form import line_edit, plain_label
from frontdesk.ui.widgets.saving_form import FormDialog


@dataclass(frozen=True)
class Choices:
    """What the booking forms offer, read once when a dialog opens (a handful of rows)."""

    zone: tzinfo
    types: tuple[AppointmentTypeData, ...]
    providers: tuple[ProviderData, ...]
    locations: tuple[LocationData, ...]
    availability: tuple[AvailabilityData, ...]

    def type_named(self, type_id: int | None) -> AppointmentTypeData | None:
        return next((kind for kind in self.types if kind.id == type_id), None)

    def new_consultation(self) -> AppointmentTypeData | None:
        return next((kind for kind in self.types if kind.is_new_consultation), None)

    def location_at(
        self, provider_id: int | None, day: date, start_minute: int, end_minute: int
    ) -> AvailabilityData | None:
        """The weekly block the time falls in, to show where the provider works then (the
        service decides for real; time away is not considered for this hint)."""
        for block in self.availability:
            if (
                block.provider_id == provider_id
                and block.applies_on(day)
                and block.start_minute <= start_minute
                and end_minute <= block.end_minute
            ):
                return block
        return None


def load_choices(context: ServiceContext) -> Choices:
    """Runs off the UI thread."""
    return Choices(
        zone=practice_clock.practice_zone(context),
        types=tuple(appointment_types.list_appointment_types(context)),
        providers=tuple(list_providers(context)),
        locations=tuple(list_locations(context)),
        availability=tuple(scheduling_availability.list_availability(context)),
    )


# --- combo boxes --------------------------------------------------------------------------


def fill_combo(combo: QComboBox, items: Sequence[tuple[str, Any]], selected: Any = None) -> None:
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    combo.blockSignals(False)
    select_data(combo, selected)


def select_data(combo: QComboBox, data: Any) -> bool:
    index = combo.findData(data)
    if index < 0:
        return False
    combo.setCurrentIndex(index)
    return True


def type_items(choices: Choices) -> list[tuple[str, Any]]:
    return [(f"{kind.name} ({kind.duration_minutes} min)", kind.id) for kind in choices.types]


def provider_items(choices: Choices) -> list[tuple[str, Any]]:
    return [(provider.display_name, provider.id) for provider in choices.providers]


def location_items(choices: Choices) -> list[tuple[str, Any]]:
    return [(location.name, location.id) for location in choices.locations]


# --- dates and times ----------------------------------------------------------------------


def date_edit(accessible_name: str) -> QDateEdit:
    """A date typed or picked from a calendar (Alt+Down opens it); the service refuses days
    that are past or too far ahead, next to the field. Its range and day come with the
    practice's zone (:func:`show_practice_days`, when the dialog's choices are read)."""
    edit = QDateEdit()
    edit.setAccessibleName(accessible_name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd MM/dd/yyyy")
    return edit


def show_practice_days(edit: QDateEdit, zone: tzinfo, day: date | None = None) -> None:
    """Show ``day`` in ``edit`` (the practice's today without one), in a range around the
    practice's today: the computer's own day is another one near midnight or in another zone."""
    today = practice_clock.today_in(zone)
    # Wider than the service allows, so its worded refusal shows instead of a silent clamp.
    last_year = today.year + MAX_DAYS_AHEAD // 366 + 8
    edit.setDateRange(QDate(today.year - 1, 1, 1), QDate(last_year, 12, 31))
    set_date(edit, day or today)


def date_of(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


def set_date(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def clock_edit(accessible_name: str) -> Any:
    return line_edit(accessible_name, "hh:mm", max_length=8)


def clock_text(moment: datetime, zone: tzinfo) -> str:
    return format_clock(time_to_minutes(moment.astimezone(zone).time()))


def parse_minutes(text: str) -> tuple[int | None, str]:
    """Minutes after midnight and '' or None and why the text is not a time."""
    if not text.strip():
        return None, "enter a time, for example 9:30 or 2:15 pm"
    try:
        return parse_clock(text), ""
    except ValueError as error:
        return None, str(error)


def moment(day: date, minutes: int, zone: tzinfo) -> datetime:
    """``day`` at ``minutes`` on the practice's wall clock, as an aware UTC datetime."""
    return local_moment(day, minutes_to_time(minutes), zone)


def day_and_minutes(value: datetime, zone: tzinfo) -> tuple[date, int]:
    local = value.astimezone(zone)
    return local.date(), time_to_minutes(local.time())


def when_text(start: datetime, end: datetime, zone: tzinfo) -> str:
    """ "Thu 03/12/2026 09:00–09:45"."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%a %m/%d/%Y} {local_start:%H:%M}–{local_end:%H:%M}"


def confirm(parent: QWidget, title: str, text: str, *, default_yes: bool = False) -> bool:
    """One yes/no question before a deliberate step (an overbook, a no-show, a booking).
    Enter answers No unless ``default_yes``: the step the person just chose, not an
    exception to the rules."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    answer = QMessageBox.question(parent, title, text, yes | no, yes if default_yes else no)
    return answer == QMessageBox.StandardButton.Yes


def date_at_time(day: QDateEdit, start: QWidget) -> QWidget:
    """The date, "at", the start time on one form row; focus on the row goes to the date."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(day, 1)
    row.addWidget(plain_label("at"))
    row.addWidget(start)
    box = QWidget()
    box.setLayout(row)
    box.setFocusProxy(day)
    return box


def offer_overbook(
    form: FormDialog, title: str, error: Exception, declined: str, save: Callable[..., None]
) -> None:
    """The time is outside the provider's hours: ask, then save again as a deliberate
    overbook, or say what to do instead."""
    form.end_save()
    form.banner.clear()
    if confirm(form, title, str(error)):
        save(allow_outside_availability=True)
    else:
        form.banner.show_message("info", declined)


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
