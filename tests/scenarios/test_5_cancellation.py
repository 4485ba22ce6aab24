"""Scenario 5, Thursday 7:50: a patient cancels the 10:00 through the appointment dialog in
Schedule; Today shows the freed time with Seán O'Connor (urgent, waiting 3 weeks, short
notice) first; Enter books him, and his later appointment frees in turn."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import lookup, waitlist
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.scheduling.dialog_cancel import CancelAppointmentDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from tests.helpers.screens import QT_NOISE
from tests.scenarios.conftest import WAIT_MS
from tests.scheduling.conftest import (
    Practice,
    at,
    backdate_waitlist_entry,
    book,
    make_practice,
    next_weekday,
    wait,
)
from tests.ui.test_today_area import freed_lines

pytestmark = [QT_NOISE, pytest.mark.ui_postgresql]
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=4)


@pytest.fixture
def window(qtbot: QtBot, screen: ScreenContext, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    yield main


def test_scenario_5_a_cancelled_time_goes_to_the_waitlist_first_in_line(
    qtbot: QtBot, window: MainWindow, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    later = thursday + timedelta(days=7)
    cancelled = book(clinic, 0, at(thursday, 10))
    sean_later = book(clinic, 1, at(later, 9))
    sean = wait(
        clinic,
        1,
        urgency="urgent",
        appointment_id=sean_later.id,
        note="Can come at short notice",
        short_notice=True,
    )
    backdate_waitlist_entry(clinic, sean.id, 21)
    wait(clinic, 2)

    # Schedule (Ctrl+3): the 10:00 opened, cancelled by the patient with a reason.
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    schedule = window.current_area()
    assert isinstance(schedule, ScheduleArea)
    qtbot.waitUntil(lambda: schedule.data is not None, timeout=WAIT_MS)
    schedule.open_appointment(cancelled.id)
    dialog = schedule.dialog
    assert isinstance(dialog, AppointmentDialog)
    qtbot.waitUntil(lambda: "Booked" in dialog.facts["status"].text(), timeout=WAIT_MS)
    cancel = dialog.cancel_appointment()
    assert isinstance(cancel, CancelAppointmentDialog)
    qtbot.waitExposed(cancel)
    qtbot.keyClicks(cancel.reason, "Work trip")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        qtbot.keyClick(cancel.reason, Qt.Key.Key_Return)
    assert lookup.get_appointment(clinic.context, cancelled.id).appointment.status is (
        AppointmentStatus.CANCELLED
    )
    dialog.close()

    # Today (Ctrl+1): the freed 10:00 with Seán first.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    today = window.current_area()
    assert isinstance(today, TodayArea)
    qtbot.waitUntil(
        lambda: any(f"{thursday:%m/%d/%Y} 10:00" in line for line in freed_lines(today)),
        timeout=WAIT_MS,
    )
    table = today.freed.matches
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=WAIT_MS)
    assert table.item(0, 0).text() == "O'Connor, Seán"
    assert table.item(0, 2).text() == "Urgent"
    assert table.item(0, 3).text().startswith("21 days")

    # Enter books him; his later appointment's time frees in turn.
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Booked O'Connor, Seán" in today.banner.text, timeout=WAIT_MS)
    moved = lookup.get_appointment(clinic.context, sean_later.id).appointment
    assert moved.start == at(thursday, 10)
    qtbot.waitUntil(
        lambda: any(f"{later:%m/%d/%Y} 09:00" in line for line in freed_lines(today)),
        timeout=WAIT_MS,
    )
    assert sean.id not in [e.id for e in waitlist.list_waitlist(clinic.context)]
