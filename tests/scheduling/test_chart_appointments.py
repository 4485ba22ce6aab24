"""The chart's Appointments tab with real widgets on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.scheduling import booking, status
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.chart_tab import PatientAppointmentsTab, upcoming_first
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from tests.helpers.screens import open_screen
from tests.scheduling.conftest import Practice, at, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 10_000


@pytest.fixture(autouse=True)
def no_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    # A form closed at teardown discards; no modal box may block the test.
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Discard)


@pytest.fixture
def relay() -> ChangeRelay:
    return ChangeRelay()


@pytest.fixture
def screen(qtbot: QtBot, clinic: Practice, relay: ChangeRelay) -> Iterator[ScreenContext]:
    with open_screen(clinic.context, relay) as screen:
        yield screen


def book(clinic: Practice, patient: int, start: Any, **changes: Any) -> AppointmentData:
    values: dict[str, Any] = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id("New consultation"),
        "start": start,
        "reason": "Failed fusion, second opinion",
    }
    values.update(changes)
    return booking.book(clinic.context, BookingForm(**values))


def open_tab(qtbot: QtBot, screen: ScreenContext, patient_id: int) -> PatientAppointmentsTab:
    tab = PatientAppointmentsTab(screen, patient_id)
    qtbot.addWidget(tab)
    with qtbot.waitSignal(tab.loaded, timeout=WAIT):
        tab.show()
    return tab


def cells(tab: PatientAppointmentsTab, row: int) -> list[str]:
    return [tab.table.item(row, column).text() for column in range(tab.table.columnCount())]


def test_the_tab_lists_the_patients_appointments_upcoming_first(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    later = next_weekday(3, after=next_weekday(3))
    soon = next_weekday(0)
    far = book(clinic, 0, at(later, 9))
    near = book(clinic, 0, at(soon, 10), type_id=clinic.type_id("Follow-up"), reason="Check")
    other = book(clinic, 0, at(soon, 14), provider_id=clinic.lindqvist)
    status.cancel(clinic.context, other.id, by=CancelledBy.PATIENT, reason="Better")
    book(clinic, 1, at(soon, 11))  # someone else's
    tab = open_tab(qtbot, screen, clinic.patients[0].id)
    assert tab.stack.currentWidget() is tab.table
    assert [item.id for item in tab.items] == [near.id, other.id, far.id]
    assert cells(tab, 0) == [
        f"{soon:%a %m/%d/%Y}",
        "10:00–10:15",
        "Follow-up",
        "Adaeze Okafor, MD",
        "Main office",
        "Booked",
        "Check",
    ]
    assert cells(tab, 1)[5] == "Cancelled"
    assert cells(tab, 1)[3] == "Erik Lindqvist, MD"


def test_upcoming_first_puts_past_visits_after_coming_ones_newest_first(
    clinic: Practice,
) -> None:
    now = datetime(2026, 3, 10, 15, tzinfo=UTC)
    future = book(clinic, 0, at(next_weekday(3), 9))

    def moved(hours: int) -> AppointmentData:
        start = now + timedelta(hours=hours)
        return AppointmentData(
            **{**future.__dict__, "id": hours, "start": start, "end": start + timedelta(hours=1)}
        )

    items = [moved(-48), moved(5), moved(-3), moved(2)]
    assert [item.id for item in upcoming_first(items, now)] == [2, 5, -3, -48]


def test_an_empty_tab_says_what_to_do_and_books_for_this_patient(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    tab = open_tab(qtbot, screen, clinic.patients[1].id)
    assert tab.stack.currentWidget() is tab.empty
    assert tab.empty.button is not None
    assert "Book appointment" in tab.empty.button.text()
    tab.book_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, BookDialog)
    assert dialog.patient_id == clinic.patients[1].id
    qtbot.waitUntil(lambda: "O'Connor" in dialog.patient_label.text(), timeout=WAIT)
    assert dialog.ready
    dialog.date.setDate(next_weekday(3))
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(clinic.type_id("Follow-up")))
    dialog.provider_combo.setCurrentIndex(dialog.provider_combo.findData(clinic.okafor))
    qtbot.keyClicks(dialog.start_edit, "8:30")
    with qtbot.waitSignal(tab.loaded, timeout=WAIT):
        dialog.save()
    assert [item.start for item in tab.items] == [at(next_weekday(3), 8, 30)]
    assert "Booked Follow-up with Adaeze Okafor, MD" in tab.banner.text


def test_enter_opens_the_appointment_and_a_change_there_refreshes_the_list(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    first = book(clinic, 0, at(next_weekday(3), 9))
    tab = open_tab(qtbot, screen, clinic.patients[0].id)
    tab.table.setCurrentCell(0, 0)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    dialog = tab.dialog
    assert isinstance(dialog, AppointmentDialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    assert dialog.detail is not None and dialog.detail.appointment.id == first.id
    assert dialog.chart_button.isHidden()  # the chart is already open
    with qtbot.waitSignal(tab.loaded, timeout=WAIT):
        dialog.status_buttons[AppointmentStatus.CONFIRMED].click()
    assert cells(tab, 0)[5] == "Confirmed"


def test_a_booking_elsewhere_shows_through_the_change_hub(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, relay: ChangeRelay
) -> None:
    tab = open_tab(qtbot, screen, clinic.patients[0].id)
    assert tab.items == []
    book(clinic, 0, at(next_weekday(3), 9))
    with qtbot.assertNotEmitted(tab.loaded, wait=0):
        relay.changed.emit(frozenset({"patients"}))  # not about appointments
    with qtbot.waitSignal(tab.loaded, timeout=WAIT):
        relay.changed.emit(frozenset({"appointments"}))
    assert len(tab.items) == 1


def test_the_chart_shows_the_appointments_tab(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    book(clinic, 0, at(next_weekday(3), 9))
    chart = PatientChart(screen, clinic.patients[0].id)
    qtbot.addWidget(chart)
    chart.show()
    titles = [chart.tabs.tabText(index) for index in range(chart.tabs.count())]
    tab = chart.tabs.widget(titles.index("A&ppointments"))
    assert tab is chart.appointments_tab
    assert isinstance(tab, PatientAppointmentsTab)
    qtbot.waitUntil(lambda: len(tab.items) == 1, timeout=WAIT)
