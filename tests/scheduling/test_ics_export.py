"""The iCalendar export, read back with the icalendar library: one event per appointment that
holds its time, initials by default, stable UIDs, times right across a daylight-saving
change, and the export in the audit trail; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.practice import settings
from frontdesk.services.scheduling import booking, schedule_export, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.scheduling.ics_dialog import IcsExportDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.scheduling.conftest import CHICAGO, Practice, at


def next_spring_forward() -> date:
    """The next Sunday Chicago's clocks go forward, at least a week ahead (so the Thursday
    before it is bookable whatever day the tests run)."""
    day = datetime.now(CHICAGO).date() + timedelta(days=11)
    for _ in range(400):
        before = datetime.combine(day, time(0), CHICAGO).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), CHICAGO).utcoffset()
        if after is not None and before is not None and after > before:
            return day
        day += timedelta(days=1)
    raise AssertionError("no daylight-saving change within a year")


CHANGE = next_spring_forward()
THURSDAY_BEFORE = CHANGE - timedelta(days=3)
MONDAY_AFTER = CHANGE + timedelta(days=1)


def book(clinic: Practice, patient: int, start: datetime, **changes: object) -> int:
    values: dict[str, object] = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id("New consultation"),
        "start": start,
        "reason": "Failed fusion, second opinion",
    }
    values.update(changes)
    return booking.book(clinic.context, BookingForm(**values)).id  # type: ignore[arg-type]


@pytest.fixture
def week(clinic: Practice) -> dict[str, int]:
    """Okafor's week across the change: María José on the Thursday before, Seán on the
    Monday after (confirmed), Hoa cancelled, and Lindqvist's patient (another calendar)."""
    ids = {
        "maria": book(clinic, 0, at(THURSDAY_BEFORE, 9)),
        "sean": book(clinic, 1, at(MONDAY_AFTER, 9)),
        "hoa": book(clinic, 2, at(MONDAY_AFTER, 10)),
        "zoe": book(clinic, 3, at(MONDAY_AFTER, 9), provider_id=clinic.lindqvist),
    }
    status.set_status(clinic.context, ids["sean"], AppointmentStatus.CONFIRMED)
    status.cancel(clinic.context, ids["hoa"], by=CancelledBy.PRACTICE, reason="Surgery ran late")
    return ids


def export(clinic: Practice, path: Path) -> Calendar:
    schedule_export.export_ics(clinic.context, clinic.okafor, THURSDAY_BEFORE, MONDAY_AFTER, path)
    return Calendar.from_ical(path.read_bytes())


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_one_event_per_active_appointment_with_initials_not_names(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    calendar = export(clinic, tmp_path / "okafor.ics")
    found = events(calendar)
    assert set(found) == {
        schedule_export.appointment_uid(week["maria"]),
        schedule_export.appointment_uid(week["sean"]),
    }
    maria = found[schedule_export.appointment_uid(week["maria"])]
    assert str(maria["SUMMARY"]) == "New consultation – M.J.N.G."  # type: ignore[index]
    assert str(maria["LOCATION"]) == "Main office"  # type: ignore[index]
    assert str(maria["STATUS"]) == "TENTATIVE"  # type: ignore[index]
    sean = found[schedule_export.appointment_uid(week["sean"])]
    assert str(sean["SUMMARY"]) == "New consultation – S.O."  # type: ignore[index]
    assert str(sean["STATUS"]) == "CONFIRMED"  # type: ignore[index]
    text = (tmp_path / "okafor.ics").read_text(encoding="utf-8")
    for name in ("Núñez", "María", "O'Connor", "Seán", "Nguyễn", "Adams", "fusion"):
        assert name not in text
    assert "Adaeze Okafor, MD" in str(calendar["X-WR-CALNAME"])


def test_times_are_right_across_the_daylight_saving_change(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    calendar = export(clinic, tmp_path / "okafor.ics")
    found = events(calendar)
    before = found[schedule_export.appointment_uid(week["maria"])]
    after = found[schedule_export.appointment_uid(week["sean"])]
    start_before = before["DTSTART"].dt  # type: ignore[index]
    start_after = after["DTSTART"].dt  # type: ignore[index]
    # 09:00 on the wall both days, an hour less from UTC after the change.
    assert start_before.astimezone(CHICAGO).time() == time(9)
    assert start_after.astimezone(CHICAGO).time() == time(9)
    assert start_before.utcoffset() == timedelta(hours=-6)
    assert start_after.utcoffset() == timedelta(hours=-5)
    assert after["DTEND"].dt - start_after == timedelta(minutes=45)  # type: ignore[index]
    assert str(before["DTSTART"].params["TZID"]) == "America/Chicago"  # type: ignore[index]
    zones = [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")]
    assert zones == ["America/Chicago"]


def test_uids_stay_and_the_sequence_grows_when_an_appointment_moves(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    first = events(export(clinic, tmp_path / "a.ics"))
    booking.reschedule(clinic.context, week["maria"], start=at(THURSDAY_BEFORE, 10))
    second = events(export(clinic, tmp_path / "b.ics"))
    uid = schedule_export.appointment_uid(week["maria"])
    assert set(first) == set(second)
    assert int(second[uid]["SEQUENCE"]) > int(first[uid]["SEQUENCE"])  # type: ignore[index]
    moved = second[uid]["DTSTART"].dt.astimezone(CHICAGO)  # type: ignore[index]
    assert moved.time() == time(10)


def test_full_names_only_when_the_practice_setting_is_on(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    settings.set_setting(clinic.context, settings.CALENDAR_EXPORT_FULL_NAMES, True)
    found = events(export(clinic, tmp_path / "okafor.ics"))
    summary = str(found[schedule_export.appointment_uid(week["maria"])]["SUMMARY"])  # type: ignore[index]
    assert summary == "New consultation – María José Núñez-García"


def test_the_export_is_recorded_without_names(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    result = schedule_export.export_ics(
        clinic.context, clinic.okafor, THURSDAY_BEFORE, MONDAY_AFTER, tmp_path / "okafor.ics"
    )
    assert result.events == 2 and not result.full_names
    with clinic.context.reading(None) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "export", AuditEntry.entity == "appointments"
            )
        ).one()
    details = json.loads(entry.details)
    assert details == {
        "events": 2,
        "file": "okafor.ics",
        "format": "ics",
        "from": THURSDAY_BEFORE.isoformat(),
        "full_names": False,
        "provider_id": clinic.okafor,
        "to": MONDAY_AFTER.isoformat(),
    }


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (date(2030, 1, 10), date(2030, 1, 9), "to"),
        (date(2030, 1, 1), date(2031, 1, 2), "to"),
        (None, date(2030, 1, 9), "from"),
    ],
)
def test_a_bad_range_is_refused_next_to_its_field_and_writes_nothing(
    clinic: Practice, tmp_path: Path, first: date | None, last: date, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule_export.export_ics(clinic.context, clinic.okafor, first, last, tmp_path / "x.ics")
    assert field in refused.value.fields
    assert not (tmp_path / "x.ics").exists()


def test_a_missing_folder_is_refused_and_nothing_is_recorded(
    clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="no folder"):
        export(clinic, tmp_path / "nowhere" / "okafor.ics")
    with clinic.context.reading(None) as session:
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export")) is None


# --- the dialog ---------------------------------------------------------------------------


def open_dialog(qtbot: QtBot, screen: ScreenContext, provider_id: int) -> IcsExportDialog:
    dialog = IcsExportDialog(screen, provider_id, today=practice_clock.today(screen.services))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.provider.count() > 0, timeout=10_000)
    return dialog


def test_the_dialog_exports_the_chosen_provider_and_range(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, week: dict[str, int], tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, screen, clinic.okafor)
    assert dialog.provider.currentText() == "Adaeze Okafor, MD"
    assert "initials only" in dialog.privacy.text()
    assert dialog.default_name().startswith("schedule-okafor-")
    set_day(dialog.first_day, THURSDAY_BEFORE)
    set_day(dialog.last_day, MONDAY_AFTER)
    with qtbot.waitSignal(dialog.exported, timeout=10_000) as exported:
        dialog.export_to(tmp_path / "okafor.ics")
    assert exported.args[0].events == 2
    assert "Exported 2 appointments of Adaeze Okafor, MD" in dialog.banner.text
    assert len(events(Calendar.from_ical((tmp_path / "okafor.ics").read_bytes()))) == 2


def test_the_dialog_shows_a_bad_range_next_to_the_field(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, tmp_path: Path
) -> None:
    settings.set_setting(clinic.context, settings.CALENDAR_EXPORT_FULL_NAMES, True)
    dialog = open_dialog(qtbot, screen, clinic.lindqvist)
    assert "full name" in dialog.privacy.text()
    set_day(dialog.first_day, MONDAY_AFTER)
    set_day(dialog.last_day, THURSDAY_BEFORE)
    dialog.choose_file()  # refused before any file dialog opens
    message = dialog.fields.message("to")
    assert message.isVisible() and "before the first" in message.text()
    assert "Not exported" in dialog.banner.text
    assert not list(tmp_path.glob("*.ics"))


def set_day(edit: QDateEdit, day: date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))
