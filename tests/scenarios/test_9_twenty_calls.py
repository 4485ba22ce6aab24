"""Scenario 9, any day: the phone rings while a chart is open. Ctrl+K, "4027": the caller's
chart with her next visit and open request. Her CT is on the request; the call is logged with
Ctrl+Shift+C and "call back Friday"; on Friday, Today lists the call to return."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.kernel import clock
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import checklist, intake
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.quick_find.dialog import QuickFindDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from tests.helpers.screens import QT_NOISE
from tests.requests.conftest import maria_intake
from tests.scenarios.conftest import WAIT_MS
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

pytestmark = QT_NOISE
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=2)


@pytest.fixture
def window(qtbot: QtBot, screen: ScreenContext, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, PatientChart):
            widget.close()


def test_scenario_9_a_call_found_by_four_digits_logged_and_listed_on_friday(
    qtbot: QtBot,
    window: MainWindow,
    clinic: Practice,
    context: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caller = intake.create_request(
        context, maria_intake(first_name="Hoa", last_name="Tran", phone="(503) 201-4027")
    )
    item = checklist.add_checklist_item(context, caller.id, ChecklistKind.IMAGING_REPORT, "CT")
    checklist.mark_received(context, item.id)
    visit = booking.book(
        context,
        BookingForm(
            patient_id=caller.patient_id,
            provider_id=clinic.lindqvist,
            type_id=clinic.type_id("Follow-up"),
            start=at(next_weekday(0), 10),
        ),
    )
    # Another patient's chart is open when the phone rings.
    other = window.open_chart(clinic.patients[1].id)
    assert isinstance(other, PatientChart)
    qtbot.waitUntil(lambda: other.patient is not None, timeout=WAIT_MS)

    qtbot.keyClick(other, Qt.Key.Key_K, CTRL)
    finder = window.quick_find_dialog
    assert isinstance(finder, QuickFindDialog)
    qtbot.waitUntil(finder.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(finder.shown, timeout=WAIT_MS):
        qtbot.keyClicks(finder.query, "4027")
    assert finder.results.count() == 1
    line = finder.results.item(0).text()
    assert "Tran, Hoa" in line and "Next: " in line and "Lindqvist" in line
    assert "1 open request" in line
    qtbot.keyClick(finder.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not finder.isVisible(), timeout=WAIT_MS)
    chart = window.open_chart(caller.patient_id)
    assert isinstance(chart, PatientChart)
    qtbot.waitUntil(lambda: chart.patient is not None, timeout=WAIT_MS)
    assert visit.patient_id == caller.patient_id

    # "Did you get my CT?": the request on her chart has it received.
    tab = chart.requests_tab
    qtbot.waitUntil(lambda: len(getattr(tab, "items", [])) == 1, timeout=WAIT_MS)
    assert tab.items[0].id == caller.id

    # Ctrl+Shift+C: who, about what, the promise, call back Friday; Enter logs it.
    friday = next_friday(today(context))
    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(chart.tabs, Qt.Key.Key_C, CTRL | SHIFT)
    dialog = chart.phone_note_dialog
    assert isinstance(dialog, PhoneNoteDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(dialog.caller, "Patient")
    qtbot.keyClicks(dialog.subject, "Did we receive her CT: yes")
    qtbot.keyClicks(dialog.promised, "call back Friday with the surgeon's answer")
    qtbot.keyClicks(dialog.follow_up, f"{friday:%m/%d/%Y}")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(dialog.follow_up, Qt.Key.Key_Return)
    assert saved.args[0].follow_up_on == friday

    # Friday: Today (Ctrl+1) lists the call to return.
    monkeypatch.setattr(clock, "today_in", lambda _zone: friday)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    area = window.current_area()
    assert isinstance(area, TodayArea)
    with qtbot.waitSignal(area.calls.loaded, timeout=WAIT_MS):
        area.refresh_button.click()  # F5
    lines = [area.calls.list.item(row).text() for row in range(area.calls.list.count())]
    assert len(lines) == 1 and "Tran" in lines[0] and "Patient called" in lines[0]


def next_friday(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7 or 7)
