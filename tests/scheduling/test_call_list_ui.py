"""The reminder call list with real widgets on both databases: the day's booked appointments
with phones, one key per call outcome, the status following, cancel asked first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from frontdesk.domain.scheduling import AppointmentStatus, CallOutcome, CancelledBy
from frontdesk.services.scheduling import booking, lookup, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.connection_monitor import saving_gate
from frontdesk.ui.scheduling import call_list
from frontdesk.ui.scheduling.call_list import CallListDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.scheduling.conftest import Practice, at, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

MONDAY = next_weekday(0)


@pytest.fixture
def day(clinic: Practice) -> list[int]:
    """Monday: María José 8:00 and Seán 9:00 with Okafor, Zoë 10:00 with Lindqvist (all
    booked); Hoa's 11:00 was cancelled, so nobody calls her."""
    ids = [
        booking.book(
            clinic.context,
            BookingForm(
                patient_id=clinic.patients[patient].id,
                provider_id=provider,
                type_id=clinic.type_id("Follow-up"),
                start=at(MONDAY, hour),
            ),
        ).id
        for patient, provider, hour in [
            (0, clinic.okafor, 8),
            (1, clinic.okafor, 9),
            (3, clinic.lindqvist, 10),
            (2, clinic.lindqvist, 11),
        ]
    ]
    status.cancel(clinic.context, ids[3], by=CancelledBy.PATIENT, reason="Feeling better")
    return ids[:3]


def open_list(qtbot: QtBot, screen: ScreenContext) -> CallListDialog:
    dialog = CallListDialog(screen, MONDAY)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cell(dialog: CallListDialog, row: int, column: str) -> str:
    return dialog.table.item(row, call_list.COLUMNS.index(column)).text()


def test_the_list_shows_who_to_call_with_phones(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, day: list[int]
) -> None:
    dialog = open_list(qtbot, screen)
    assert [item.id for item in dialog.items] == day
    assert cell(dialog, 0, "Patient") == "Núñez-García, María José"
    assert cell(dialog, 0, "Phone") == "(217) 555-0188"
    assert cell(dialog, 1, "Time") == "09:00"
    assert cell(dialog, 2, "Provider") == "Erik Lindqvist, MD"
    assert dialog.table.hasFocus() and dialog.selected() == dialog.items[0]
    # Another day with nobody booked says so.
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.day.setDate(dialog.day.date().addDays(1))
    assert dialog.stack.currentWidget() is dialog.empty
    assert not dialog.buttons[CallOutcome.CONFIRMED].isEnabled()


def test_a_key_marks_the_call_the_status_follows_and_the_next_row_is_chosen(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, day: list[int]
) -> None:
    dialog = open_list(qtbot, screen)
    with qtbot.waitSignal(dialog.called, timeout=10_000) as called:
        qtbot.keyClick(dialog.table, Qt.Key.Key_1)
    assert called.args[0].status is AppointmentStatus.CONFIRMED
    assert cell(dialog, 0, "Status") == "Confirmed"
    assert cell(dialog, 0, "Last call") == "Confirmed"
    assert dialog.selected() == dialog.items[1]
    with qtbot.waitSignal(dialog.called, timeout=10_000):
        qtbot.keyClick(dialog.table, Qt.Key.Key_2)
    stored = lookup.get_appointment(clinic.context, day[1]).appointment
    assert stored.status is AppointmentStatus.BOOKED
    assert stored.last_call_outcome is CallOutcome.LEFT_MESSAGE
    assert lookup.get_appointment(clinic.context, day[0]).appointment.status is (
        AppointmentStatus.CONFIRMED
    )
    events = lookup.get_appointment(clinic.context, day[1]).events
    assert events[-1].description == "Reminder call: left message"


def test_a_digit_typed_in_the_note_stays_in_the_note(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, day: list[int]
) -> None:
    dialog = open_list(qtbot, screen)
    dialog.note.setFocus()
    qtbot.keyClicks(dialog.note, "Call back after 3")
    assert dialog.note.text() == "Call back after 3"
    assert not dialog.saving
    assert lookup.get_appointment(clinic.context, day[0]).appointment.last_call_outcome is None


def test_cancelled_asks_first_and_uses_the_note_as_the_reason(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    day: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    questions: list[str] = []
    answer = {"value": False}

    def ask(_parent: object, text: str) -> bool:
        questions.append(text)
        return answer["value"]

    monkeypatch.setattr(call_list, "ask_to_cancel", ask)
    dialog = open_list(qtbot, screen)
    dialog.table.selectRow(1)
    qtbot.keyClicks(dialog.note, "Moving to Chicago")
    dialog.buttons[CallOutcome.CANCELLED].click()
    assert "O'Connor, Seán" in questions[0] and "free for others" in questions[0]
    assert lookup.get_appointment(clinic.context, day[1]).appointment.holds_time
    answer["value"] = True
    with qtbot.waitSignal(dialog.called, timeout=10_000):
        dialog.buttons[CallOutcome.CANCELLED].click()
    stored = lookup.get_appointment(clinic.context, day[1]).appointment
    assert stored.status is AppointmentStatus.CANCELLED
    assert stored.cancel_reason == "Moving to Chicago"
    assert stored.cancelled_by is CancelledBy.PATIENT
    assert cell(dialog, 1, "Status") == "Cancelled"
    dialog.table.selectRow(1)
    assert not dialog.buttons[CallOutcome.CONFIRMED].isEnabled()


def test_rescheduled_is_recorded_and_opens_the_appointment_to_move_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, day: list[int]
) -> None:
    dialog = open_list(qtbot, screen)
    dialog.table.selectRow(2)
    with qtbot.waitSignal(dialog.called, timeout=10_000):
        dialog.buttons[CallOutcome.RESCHEDULED].click()
    stored = lookup.get_appointment(clinic.context, day[2]).appointment
    assert stored.last_call_outcome is CallOutcome.RESCHEDULED
    assert stored.status is AppointmentStatus.BOOKED  # the move itself is made in the dialog
    child = dialog.child_dialog
    assert isinstance(child, QDialog) and child.isVisible()
    assert getattr(child, "appointment_id", None) == day[2]
    child.reject()


def test_calls_wait_while_saving_is_paused(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, day: list[int]
) -> None:
    dialog = open_list(qtbot, screen)
    assert dialog.buttons[CallOutcome.CONFIRMED].isEnabled()
    saving_gate().set_allowed(False, "test outage")
    try:
        assert not dialog.buttons[CallOutcome.CONFIRMED].isEnabled()
        qtbot.keyClick(dialog.table, Qt.Key.Key_1)
        assert "Saving is paused" in dialog.banner.text
        assert not dialog.saving
    finally:
        saving_gate().set_allowed(True)
    assert dialog.buttons[CallOutcome.CONFIRMED].isEnabled()
    assert lookup.get_appointment(clinic.context, day[0]).appointment.last_call_outcome is None
