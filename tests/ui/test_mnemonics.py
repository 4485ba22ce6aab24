"""Each Alt+letter a screen shows does what it says: no two visible buttons, labels, tabs or
menus of one window share a key (two on one key only move the focus between them: Alt+F on
"Find next available…" opened the File menu, Alt+T on the chart's Imaging tab went to
"Attach document…" instead of the Timeline)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPushButton, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling.booking import book
from frontdesk.services.scheduling.data import (
    AppointmentData,
    BookingForm,
    WaitlistEntryData,
    WaitlistForm,
)
from frontdesk.services.scheduling.waitlist import add_to_waitlist
from frontdesk.ui.handouts.patient_picker import PatientPicker
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.area import WEEK, ScheduleArea
from frontdesk.ui.scheduling.day_sheet import DaySheetDialog
from frontdesk.ui.scheduling.dialog_cancel import CancelAppointmentDialog
from frontdesk.ui.scheduling.dialog_reschedule import RescheduleDialog
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.scheduling.waitlist_dialogs import (
    AddToWaitlistDialog,
    EditWaitlistDialog,
    WaitlistMatchesDialog,
)
from frontdesk.ui.scheduling.waitlist_panel import RemoveFromWaitlistDialog
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from frontdesk.ui.today.area import TodayArea
from tests.helpers.mnemonics import alt_keys, clashing_keys, mnemonic, mnemonic_problems
from tests.helpers.screens import open_screen
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

WAIT_MS = 10_000

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=1)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context, ChangeRelay()) as screen:
        yield screen


def test_the_checker_reads_mnemonics_and_finds_a_clash(qtbot: QtBot) -> None:
    assert mnemonic("A&ttach document…") == "t"
    assert mnemonic("Save && close") is None
    assert mnemonic("Save && &close") == "c"
    window = QWidget()
    qtbot.addWidget(window)
    tabs = QTabWidget(window)
    page = QWidget()
    QPushButton("A&ttach document…", page)
    tabs.addTab(page, "&Imaging")
    tabs.addTab(QWidget(), "&Timeline")
    window.show()
    qtbot.waitExposed(window)
    assert set(alt_keys(window)) == {"i", "t"}
    assert clashing_keys(window) == {"t": ["button 'A&ttach document…'", "tab '&Timeline'"]}


def open_area(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path, key: str
) -> tuple[MainWindow, QWidget]:
    """The main window, shown at a desk's size, on the area ``key``."""
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    window.show_area(key)
    return window, window.stack.currentWidget()


def test_the_schedule_area_shares_no_alt_key_with_the_menus_or_itself(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, tmp_path: Path
) -> None:
    window, area = open_area(qtbot, screen, tmp_path, "schedule")
    assert isinstance(area, ScheduleArea)
    qtbot.waitUntil(lambda: area.data is not None, timeout=WAIT_MS)
    QApplication.processEvents()
    keys = alt_keys(window)
    assert keys["f"] == ["menu '&File'"]
    assert keys["n"] == ["button 'Find &next available…'"]
    assert clashing_keys(window) == {}
    area.set_mode(WEEK)
    QApplication.processEvents()
    assert clashing_keys(window) == {}


def test_each_tab_of_the_chart_shares_no_alt_key(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    chart = PatientChart(screen, clinic.patients[0].id)
    qtbot.addWidget(chart)
    chart.resize(1100, 800)
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        chart.show()
    qtbot.waitExposed(chart)
    found = {}
    for index in range(chart.tabs.count()):
        chart.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        clashes = clashing_keys(chart)
        if clashes:
            found[chart.tabs.tabText(index)] = clashes
    assert found == {}
    chart.tabs.setCurrentWidget(chart.imaging)
    QApplication.processEvents()
    assert alt_keys(chart)["t"] == ["tab '&Timeline'"]


def test_each_tab_of_today_shares_no_alt_key_with_the_menus_or_itself(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, tmp_path: Path
) -> None:
    """Alt+R on the Waitlist tab went to "Remove…" instead of opening "Calls to return"."""
    window, area = open_area(qtbot, screen, tmp_path, "today")
    assert isinstance(area, TodayArea)
    screen.runner.wait_for_idle()
    found = {}
    for index in range(area.tabs.count()):
        area.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        clashes = clashing_keys(window)
        if clashes:
            found[area.tabs.tabText(index)] = clashes
    assert found == {}
    area.tabs.setCurrentWidget(area.waitlist)
    QApplication.processEvents()
    assert alt_keys(window)["r"] == ["tab 'Calls to &return (0)'"]


def _visit(clinic: Practice) -> AppointmentData:
    return book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[0].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("New consultation"),
            start=at(next_weekday(3), 9),
        ),
    )


def _entry(clinic: Practice) -> WaitlistEntryData:
    return add_to_waitlist(
        clinic.context,
        WaitlistForm(patient_id=clinic.patients[0].id, type_id=clinic.type_id("Follow-up")),
    )


# The dialogs the Waitlist tab and the Today area open (and those their dialogs open).
WAITLIST_AND_TODAY_DIALOGS: list[tuple[str, Callable[[ScreenContext, Practice], QWidget]]] = [
    ("RemoveFromWaitlistDialog", lambda s, c: RemoveFromWaitlistDialog(s, _entry(c))),
    ("AddToWaitlistDialog", lambda s, c: AddToWaitlistDialog(s, patient_id=c.patients[0].id)),
    ("EditWaitlistDialog", lambda s, c: EditWaitlistDialog(s, _entry(c))),
    ("FindSlotDialog(waitlist)", lambda s, c: FindSlotDialog(s, waitlist_entry=_entry(c))),
    (
        "WaitlistMatchesDialog",
        lambda s, c: WaitlistMatchesDialog(
            s,
            provider_id=c.okafor,
            location_id=c.main_office,
            start=at(next_weekday(0), 9),
            end=at(next_weekday(0), 9) + timedelta(hours=1),
        ),
    ),
    ("PatientPicker", lambda s, c: PatientPicker(s)),
    ("AppointmentDialog", lambda s, c: AppointmentDialog(s, _visit(c).id)),
    ("RescheduleDialog", lambda s, c: RescheduleDialog(s, _visit(c))),
    (
        "CancelAppointmentDialog",
        lambda s, c: CancelAppointmentDialog(s, _visit(c), "Thursday 9:00"),
    ),
    ("DaySheetDialog", lambda s, c: DaySheetDialog(s, next_weekday(3), None)),
]


@pytest.mark.parametrize(
    ("name", "build"),
    WAITLIST_AND_TODAY_DIALOGS,
    ids=[name for name, _build in WAITLIST_AND_TODAY_DIALOGS],
)
def test_the_waitlist_and_today_dialogs_share_no_alt_key(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    name: str,
    build: Callable[[ScreenContext, Practice], QWidget],
) -> None:
    """Removing from the waitlist had "&Reason" and "&Remove" both on Alt+R: the key went to
    the field and never removed anyone."""
    dialog = build(screen, clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for _ in range(3):  # a dialog's first read may start another
        screen.runner.wait_for_idle()
        QApplication.processEvents()
    assert (name, mnemonic_problems(dialog), clashing_keys(dialog)) == (name, [], {})
