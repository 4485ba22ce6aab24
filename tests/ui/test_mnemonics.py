"""Each Alt+letter a screen shows does what it says: no two visible buttons, labels, tabs or
menus of one window share a key (two on one key only move the focus between them: Alt+F on
"Find next available…" opened the File menu, Alt+T on the chart's Imaging tab went to
"Attach document…" instead of the Timeline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QPushButton, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.scheduling.area import WEEK, ScheduleArea
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from frontdesk.ui.today.area import TodayArea
from tests.helpers.mnemonics import alt_keys, clashing_keys, mnemonic
from tests.helpers.screens import open_screen
from tests.scheduling.conftest import Practice, make_practice

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


def test_the_schedule_area_shares_no_alt_key_with_the_menus_or_itself(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    window.show_area("schedule")
    area = window.stack.currentWidget()
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
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    window.resize(1280, 860)
    window.show()
    qtbot.waitExposed(window)
    window.show_area("today")
    area = window.stack.currentWidget()
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
