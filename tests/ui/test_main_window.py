"""The main window: areas in the sidebar, remembered settings, shortcuts, status bar, help."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from frontdesk import __version__
from frontdesk.logs import log_file
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.main_window import AREAS, AboutDialog, Area, MainWindow
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from frontdesk.ui.widgets.empty_state import EmptyState
from tests.conftest import make_actor

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "workstation.ini"


def settings_at(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


class RecordingArea(QWidget):
    """An area that notes which of the window's hooks reached it."""

    def __init__(self, screen: ScreenContext) -> None:
        super().__init__()
        self.calls: list[str] = []

    def focus_search(self) -> None:
        self.calls.append("search")

    def new_item(self) -> None:
        self.calls.append("new")

    def print_current(self) -> None:
        self.calls.append("print")


TEST_AREAS = [
    Area("first", "First", RecordingArea, "A test area."),
    Area("plain", "Plain", None, "Things that come later will be listed here."),
]


def open_window(qtbot: QtBot, screen: ScreenContext, path: Path, **kwargs: object) -> MainWindow:
    window = MainWindow(screen, settings_at(path), **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_sidebar_lists_every_area_and_opens_the_one_clicked(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    window = open_window(qtbot, screen, settings_path)
    titles = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    assert titles == [
        "Today",
        "Requests",
        "Schedule",
        "Patients",
        "Handouts",
        "Inbox",
        "Admin",
        "Audit",
    ]
    assert window.current_key() == "today"
    assert isinstance(window.stack.currentWidget(), TodayArea)

    admin_row = window.area_keys().index("admin")
    item_rect = window.sidebar.visualItemRect(window.sidebar.item(admin_row))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=item_rect.center())
    assert window.current_key() == "admin"
    assert isinstance(window.stack.currentWidget(), AdminArea)


def test_last_area_and_size_are_restored_on_the_next_start(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    first = open_window(qtbot, screen, settings_path)
    first.show_area("patients")
    # A size the window allows (above its minimum) that fits the test screen.
    room = QWidget.screen(first).availableGeometry()
    size = (min(first.minimumSizeHint().width() + 10, room.width() - 10), 560)
    first.resize(*size)
    first.close()

    second = open_window(qtbot, screen, settings_path)
    assert second.current_key() == "patients"
    assert second.stack.currentWidget().accessibleName() == "Patients"
    assert (second.width(), second.height()) == size


def test_an_unknown_saved_area_falls_back_to_the_first(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    settings = settings_at(settings_path)
    settings.setValue("main_window/area", "no-such-area")
    settings.sync()
    window = open_window(qtbot, screen, settings_path)
    assert window.current_key() == "today"


def test_only_the_shown_area_is_built_at_start(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    window = open_window(qtbot, screen, settings_path)
    assert set(window._widgets) == {"today"}
    window.show_area("admin")
    assert set(window._widgets) == {"today", "admin"}


def test_shortcuts_reach_the_current_areas_hooks(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    window = open_window(qtbot, screen, settings_path, areas=TEST_AREAS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    area = window.current_area()
    assert isinstance(area, RecordingArea)
    for key in (Qt.Key.Key_F, Qt.Key.Key_N, Qt.Key.Key_P):
        qtbot.keyClick(window.sidebar, key, Qt.KeyboardModifier.ControlModifier)
    assert area.calls == ["search", "new", "print"]

    # An area without the hook: the status bar says so instead of silently doing nothing.
    qtbot.keyClick(window.sidebar, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "plain"
    qtbot.keyClick(window.sidebar, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert window.statusBar().currentMessage() == "There is nothing to print in Plain."
    assert area.calls == ["search", "new", "print"]


def test_f1_shows_version_database_and_log_file(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    window = open_window(qtbot, screen, settings_path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F1)
    dialog = window.about_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert f"Front Desk {__version__}" in texts
    assert str(log_file()) in texts
    assert screen.services.database.describe() in texts
    dialog.close()


@pytest.mark.ui_postgresql
def test_status_bar_names_the_database_but_never_its_password(
    qtbot: QtBot, backend: str, database_url: str, settings_path: Path
) -> None:
    url = database_url
    if backend == "postgresql":
        # The local server trusts the connection, so the password is carried but not checked.
        url = make_url(database_url).set(password="s3cret-Pw").render_as_string(False)
    database, _copy = open_for_use(url)
    runner = Runner()
    try:
        screen = ScreenContext(make_context(database, make_actor(username="maria")), runner)
        window = open_window(qtbot, screen, settings_path)
        status = " | ".join(label.text() for label in window.statusBar().findChildren(QLabel))
        expected = make_url(url)
        if backend == "postgresql":
            assert expected.database in status and str(expected.host) in status
        else:
            assert str(expected.database) in status
        assert "Signed in: maria" in status
        assert "s3cret" not in status
        about = AboutDialog(screen, window)
        assert all("s3cret" not in label.text() for label in about.findChildren(QLabel))
    finally:
        runner.wait_for_idle()
        database.dispose()


def test_every_area_is_registered_once_with_a_title_and_summary() -> None:
    keys = [area.key for area in AREAS]
    assert len(keys) == len(set(keys))
    assert all(area.title and area.summary for area in AREAS)


def test_an_area_is_imported_only_when_it_first_opens(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    # The factories import their area inside the call: a fresh interpreter that loads the
    # main window holds none of them.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, frontdesk.ui.main_window\nprint('\\n'.join(sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert [name for name in loaded if name.endswith(".area")] == []
    window = open_window(qtbot, screen, settings_path)
    for area in window.areas:
        window.show_area(area.key)
        assert window.current_area().accessibleName() == area.title
        assert not isinstance(window.current_area(), EmptyState), area.key


def test_a_window_saved_wider_than_this_screen_opens_inside_it(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    first = open_window(qtbot, screen, settings_path)
    room = QWidget.screen(first).availableGeometry()
    first.resize(room.width() + 600, room.height() + 300)
    first.move(room.left() + 400, room.top() + 200)
    first.close()

    second = open_window(qtbot, screen, settings_path)
    assert second.width() <= room.width() and second.height() <= room.height()
    # Its contents start on the screen (the frame's own border may sit a pixel outside).
    assert room.contains(second.geometry().topLeft())
    assert second.geometry().right() <= room.right()


def test_a_success_message_ends_when_the_desk_moves_to_another_area(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    # Issue #16: a green "Created the chart of …" was still up three screens later.
    window = open_window(qtbot, screen, settings_path)
    window.show_area("patients")
    patients = window.current_area()
    assert isinstance(patients, PatientsArea)
    patients.banner.show_message("success", "Created the chart of Nunes, Nuno (M-000042).")
    window.show_area("patients")  # the same area again is no move
    assert patients.banner.isVisible()
    window.show_area("today")
    window.show_area("patients")
    assert not patients.banner.isVisible() and patients.banner.text == ""

    # A problem stays until dealt with.
    patients.banner.show_message("error", "Could not search. The server did not answer.")
    window.show_area("today")
    window.show_area("patients")
    assert patients.banner.isVisible() and "Could not search" in patients.banner.text


class ListArea(QWidget):
    """An area whose work is a list, as most are."""

    def __init__(self, screen: ScreenContext) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.rows = QListWidget()
        self.rows.addItems(["one", "two", "three"])
        self.rows.setCurrentRow(0)
        layout.addWidget(self.search)
        layout.addWidget(self.rows)


def test_ctrl_digit_puts_the_keys_in_the_areas_list_and_a_click_leaves_them(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    areas = [TEST_AREAS[0], Area("list", "List", ListArea, "A list.")]
    window = open_window(qtbot, screen, settings_path, areas=areas)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.sidebar.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    area = window.current_area()
    assert isinstance(area, ListArea)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is area.rows)
    # The next keys go where the keyboard is, as they would at the desk.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert area.rows.currentRow() == 1

    # A click in the sidebar is the mouse's business: the focus stays where it put it.
    window.sidebar.setFocus()
    first = window.sidebar.visualItemRect(window.sidebar.item(0))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=first.center())
    second = window.sidebar.visualItemRect(window.sidebar.item(1))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=second.center())
    assert window.current_key() == "list"
    assert QApplication.focusWidget() is window.sidebar


def test_ctrl_digit_reaches_todays_appointments_and_the_patient_search(
    qtbot: QtBot, screen: ScreenContext, settings_path: Path
) -> None:
    window = open_window(qtbot, screen, settings_path)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    patients = window.current_area()
    assert isinstance(patients, PatientsArea)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is patients.search_box)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    today = window.current_area()
    assert isinstance(today, TodayArea)
    # An empty day shows no list: the keys still land in Today, not in a hidden area.
    qtbot.waitUntil(lambda: today.isAncestorOf(QApplication.focusWidget()))
