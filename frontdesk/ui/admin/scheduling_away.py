"""Admin → Scheduling: time away (vacation, surgery days, conferences) taken out of the
weekly availability, for whole days or part of each day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from frontdesk.domain.scheduling import ExceptionKind, format_clock
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import time_away
from frontdesk.services.scheduling.data import ExceptionData, ExceptionForm
from frontdesk.ui.admin.records import RecordDialog
from frontdesk.ui.admin.scheduling_availability import TIME_HINT
from frontdesk.ui.admin.scheduling_choices import (
    ProviderRecordsPanel,
    SchedulingChoices,
    date_text,
    optional_date,
    provider_combo,
    refusing,
)
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.date_field import check_date_field
from frontdesk.ui.widgets.form import add_form_row, line_edit, multiline_edit, set_field_text
from frontdesk.ui.widgets.record_table import Column


def days_text(record: ExceptionData) -> str:
    if record.starts_on == record.ends_on:
        return f"{record.starts_on:%a} {date_text(record.starts_on)}"
    return f"{date_text(record.starts_on)}–{date_text(record.ends_on)}"


def hours_text(record: ExceptionData) -> str:
    if record.start_minute is None or record.end_minute is None:
        return "Whole days"
    return f"{format_clock(record.start_minute)}–{format_clock(record.end_minute)} each day"


def _time_away(
    context: ServiceContext, provider_ids: list[int] | None, past: bool
) -> list[ExceptionData]:
    """Runs off the UI thread: time away from the practice's today on (all of it with ``past``)."""
    since = None if past else practice_clock.today(context)
    return time_away.list_exceptions(context, provider_ids, since=since)


@dataclass(frozen=True)
class TimeAwayTyping:
    provider_id: int | None
    kind: str
    starts_on: str
    ends_on: str
    whole_days: bool
    start: str
    end: str
    note: str


class TimeAwayDialog(RecordDialog):
    def __init__(
        self,
        screen: ScreenContext,
        away: ExceptionData | None,
        choices: SchedulingChoices,
        provider_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(screen, "New time away" if away is None else "Edit time away", parent)
        self.away = away
        self.practice_day = PracticeDay(screen.services)  # typed days' two-digit years
        self.provider = provider_combo(choices, away.provider_id if away else None, provider_id)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of time away")
        for kind in ExceptionKind:
            self.kind.addItem(kind.label, kind.value)
        self.starts_on = line_edit("First day", "e.g. 7/6/2027", 20)
        self.ends_on = line_edit("Last day", "blank: the first day only", 20)
        self.whole_days = QCheckBox("Whole days")
        self.whole_days.setAccessibleName("Away whole days")
        self.whole_days.setChecked(True)
        self.start = line_edit("Away from", "e.g. 13:00", 10)
        self.end = line_edit("Away until", "e.g. 17:00", 10)
        hours = QWidget()
        hours.setAccessibleName("Hours away each day")
        row = QHBoxLayout(hours)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.start)
        row.addWidget(self.end)
        self.note = multiline_edit("Note", rows=2)
        self.note.setPlaceholderText("optional, e.g. NASS annual meeting")
        self.whole_days.toggled.connect(self._follow_whole_days)

        add_form_row(self.form, self.fields, "provider", "&Provider *", self.provider)
        add_form_row(self.form, self.fields, "kind", "&Reason *", self.kind)
        add_form_row(
            self.form,
            self.fields,
            "starts_on",
            "&First day *",
            self.starts_on,
            hint="A date such as 7/6/2027 (month/day/year) or 2027-07-06.",
        )
        add_form_row(self.form, self.fields, "ends_on", "&Last day", self.ends_on)
        for key, edit in (("starts_on", self.starts_on), ("ends_on", self.ends_on)):
            check_date_field(edit, self.fields.message(key), self.practice_day)
        add_form_row(self.form, self.fields, "whole_days", "Hours", self.whole_days)
        start_message = add_form_row(
            self.form,
            self.fields,
            "start",
            "F&rom – until",
            hours,
            hint="Part of each day only: untick “Whole days”. " + TIME_HINT,
        )
        # One row holds both times; a message about the end shows in the same slot.
        self.fields.remove("start")
        self.fields.add("start", self.start, start_message)
        self.fields.add("end", self.end, start_message)
        add_form_row(self.form, self.fields, "note", "&Note", self.note)

        if away is not None:
            self.kind.setCurrentIndex(self.kind.findData(away.kind.value))
            set_field_text(self.starts_on, date_text(away.starts_on))
            if away.ends_on != away.starts_on:
                set_field_text(self.ends_on, date_text(away.ends_on))
            self.whole_days.setChecked(away.whole_days)
            if away.start_minute is not None and away.end_minute is not None:
                set_field_text(self.start, format_clock(away.start_minute))
                set_field_text(self.end, format_clock(away.end_minute))
            set_field_text(self.note, away.note)
        self._follow_whole_days(self.whole_days.isChecked())
        self.mark_clean()
        (self.starts_on if away is None and self.provider.count() else self.provider).setFocus()

    def _follow_whole_days(self, whole: bool) -> None:
        self.start.setEnabled(not whole)
        self.end.setEnabled(not whole)

    def snapshot(self) -> TimeAwayTyping:
        return TimeAwayTyping(
            provider_id=self.provider.currentData(),
            kind=str(self.kind.currentData()),
            starts_on=self.starts_on.text().strip(),
            ends_on=self.ends_on.text().strip(),
            whole_days=self.whole_days.isChecked(),
            start=self.start.text().strip(),
            end=self.end.text().strip(),
            note=self.note.toPlainText().strip(),
        )

    def save_call(self) -> Callable[[], Any]:
        typed = self.snapshot()
        problems: dict[str, str] = {}
        today = self.practice_day()
        starts_on = optional_date(problems, "starts_on", typed.starts_on, today)
        ends_on = optional_date(problems, "ends_on", typed.ends_on, today)
        if not typed.starts_on:
            problems["starts_on"] = "required"
        if not typed.whole_days and not (typed.start or typed.end):
            problems["start"] = "give the hours away, or tick “Whole days”"
        if problems:
            return refusing(problems)
        form = ExceptionForm(
            provider_id=typed.provider_id or 0,
            starts_on=starts_on,
            ends_on=ends_on,
            kind=typed.kind,
            start=None if typed.whole_days else typed.start,
            end=None if typed.whole_days else typed.end,
            note=typed.note,
        )
        return self.record_save_call(time_away.save_exception, form, self.away)


class TimeAwayPanel(ProviderRecordsPanel):
    TABLES = frozenset({"availability_exceptions", "providers"})
    NOUN = "time away"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        self.show_past: QCheckBox | None = None
        columns = [
            Column("Provider", lambda record: record.provider_name),
            Column("Reason", lambda record: record.kind.label),
            Column("Days", days_text),
            Column("Hours", hours_text),
            Column("Note", lambda record: record.note, stretch=True),
        ]
        super().__init__(
            screen,
            "Time away",
            "Vacations, surgery days, conferences: no free times are offered then. "
            "Appointments already booked stay booked and show over the time away, so the "
            "desk can move them.",
            columns,
            (
                "No time away ahead",
                "Add vacations, surgery days and conferences so nobody is booked while "
                "the provider is away.",
            ),
            parent,
        )
        self.show_past = QCheckBox("Show past time away")
        self.show_past.setAccessibleName("Show past time away")
        self.show_past.toggled.connect(lambda _on: self.refresh())
        self.picker_row.insertWidget(self.picker_row.count() - 1, self.show_past)

    def load_call(self) -> Callable[[], list[ExceptionData]]:
        past = self.show_past is not None and self.show_past.isChecked()
        return partial(_time_away, self.screen.services, self.provider_ids(), past)

    def make_dialog(self, record: ExceptionData | None) -> TimeAwayDialog:
        assert self.choices is not None
        return TimeAwayDialog(self.screen, record, self.choices, self.provider_id(), self)

    def describe(self, record: ExceptionData) -> str:
        return f"{record.provider_name}'s time away ({record.description})"

    def delete_call(self, record: ExceptionData) -> Callable[[], None]:
        return partial(time_away.delete_exception, self.screen.services, record.id)

    def delete_question(self, record: ExceptionData) -> str:
        return (
            f"Delete {record.provider_name}'s time away, {record.description}? "
            "Those hours become free for booking again."
        )
