"""A new database's first screen: set up the practice, or explore the demo practice, which
lives in its own file, says DEMO in the title and status bars, and leads back to setup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from frontdesk.demo.practice_file import DEMO_FILE_NAME, demo_database_file
from frontdesk.paths import data_dir
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.search import search
from frontdesk.services.practice.first_run import needs_first_run
from frontdesk.services.practice.profile import get_profile
from frontdesk.ui.app import Launcher
from frontdesk.ui.first_run import FirstRunDialog
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from frontdesk.ui.welcome import WelcomeDialog

# Generating the demo practice: seconds, more on a busy machine.
BUILD_MS = 180_000

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of this test's own, where the demo file goes."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FRONTDESK_HOME", str(folder))
    return folder


@pytest.fixture
def launcher(
    qtbot: QtBot, context: ServiceContext, tmp_path: Path, home: Path
) -> Iterator[Launcher]:
    runner = Runner()
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    started = Launcher(ScreenContext(context, runner), settings)
    yield started
    runner.wait_for_idle()
    started.close_demo()


def shown_welcome(qtbot: QtBot, launcher: Launcher) -> WelcomeDialog:
    launcher.start()
    welcome = launcher.welcome
    assert isinstance(welcome, WelcomeDialog)
    qtbot.addWidget(welcome)
    qtbot.waitExposed(welcome)
    return welcome


def test_a_new_database_offers_setup_beside_the_demo(qtbot: QtBot, launcher: Launcher) -> None:
    welcome = shown_welcome(qtbot, launcher)
    assert launcher.first_screen is welcome and launcher.first_run is None
    assert welcome.set_up_button.text() == "&Set up my practice"
    assert welcome.demo_button.text() == "&Explore with a demo practice"
    assert welcome.set_up_button.isDefault()
    welcome.set_up_button.click()
    assert isinstance(launcher.first_run, FirstRunDialog) and launcher.first_run.create_admin
    qtbot.addWidget(launcher.first_run)
    assert launcher.first_screen is launcher.first_run
    assert not welcome.isVisible()


@pytest.mark.ui_postgresql  # a practice on a server: the demo is still a file of its own
def test_the_demo_practice_is_its_own_file_marked_demo_and_leads_back_to_setup(
    qtbot: QtBot, launcher: Launcher, context: ServiceContext, home: Path
) -> None:
    welcome = shown_welcome(qtbot, launcher)
    qtbot.waitUntil(welcome.isActiveWindow)
    with qtbot.waitSignal(launcher.demo_shown, timeout=BUILD_MS) as shown:
        qtbot.keyClick(welcome, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
        # It builds off the UI thread, with progress and Cancel.
        qtbot.waitUntil(lambda: welcome.building, timeout=5_000)
        assert welcome.progress.isVisible() and welcome.cancel_button.isVisible()
        assert not welcome.set_up_button.isEnabled()
    window = shown.args[0]
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    assert launcher.window is None  # the demo is not the practice's window
    assert not welcome.isVisible()

    # Its own file in the data folder, never the practice's database.
    demo = launcher.demo
    assert demo is not None
    assert demo.path == demo_database_file() == data_dir() / DEMO_FILE_NAME
    assert demo.path.parent == home and demo.path.exists()
    assert str(demo.path) != context.database.url.database
    assert needs_first_run(context)
    assert not search(context, "nunez").items
    assert search(demo.services, "nunez").items

    # DEMO in the title bar and the status bar.
    qtbot.waitUntil(lambda: "Lakeside Spine Center" in window.windowTitle(), timeout=10_000)
    assert window.windowTitle().startswith("DEMO · ")
    assert window.demo_badge is not None and window.demo_badge.isVisible()
    assert window.demo_badge.text().startswith("DEMO PRACTICE")
    assert "frontdesk-demo.sqlite3" in window.database_label.text()
    profile = get_profile(demo.services)
    assert profile is not None and profile.name == "Lakeside Spine Center"
    window.show_area("today")
    today = window.area_widget("today")
    assert isinstance(today, TodayArea)
    qtbot.waitUntil(lambda: today.snapshot is not None, timeout=10_000)
    assert today.snapshot is not None and today.snapshot.has_hours

    # Back to setting up the practice's own database; the demo closes.
    assert window.set_up_button is not None and window.set_up_button.isVisible()
    window.set_up_button.click()
    setup = launcher.first_run
    assert isinstance(setup, FirstRunDialog) and setup.create_admin
    qtbot.addWidget(setup)
    assert setup.isVisible() and not window.isVisible()
    assert launcher.demo is None and launcher.demo_window is None
    assert setup.screen.services.database is context.database


def test_a_demo_built_before_opens_again_without_building(
    qtbot: QtBot, launcher: Launcher, home: Path
) -> None:
    from frontdesk.demo.practice_file import open_demo_practice

    first = open_demo_practice(patients=30)
    first.services.database.dispose()
    welcome = shown_welcome(qtbot, launcher)
    with qtbot.waitSignal(launcher.demo_shown, timeout=BUILD_MS):
        welcome.demo_button.click()
    assert launcher.demo is not None and not launcher.demo.created


def test_cancelling_the_demo_build_leaves_no_demo_file(
    qtbot: QtBot, launcher: Launcher, home: Path
) -> None:
    welcome = shown_welcome(qtbot, launcher)
    welcome.demo_button.click()
    assert welcome.building
    with qtbot.assertNotEmitted(launcher.demo_shown, wait=0):
        qtbot.keyClick(welcome, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not welcome.building, timeout=BUILD_MS)
    assert welcome.isVisible()
    assert "not built" in welcome.banner.text
    assert welcome.demo_button.isEnabled() and welcome.set_up_button.isEnabled()
    assert launcher.demo is None
    assert not any(home.glob("frontdesk-demo*"))


def test_the_demo_is_never_built_over_the_practices_own_database(
    qtbot: QtBot, tmp_path: Path, home: Path
) -> None:
    """Started with the demo file as the practice's database (``--database``), the demo is
    refused rather than written over it."""
    from frontdesk.db.engine import open_database
    from frontdesk.db.migrate import upgrade
    from frontdesk.services.platform.bootstrap import make_context
    from tests.conftest import make_actor

    home.mkdir(parents=True, exist_ok=True)
    database = open_database(f"sqlite:///{demo_database_file()}")
    upgrade(database)
    runner = Runner()
    launcher = Launcher(
        ScreenContext(make_context(database, make_actor()), runner),
        QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat),
    )
    try:
        welcome = shown_welcome(qtbot, launcher)
        welcome.demo_button.click()
        qtbot.waitUntil(lambda: not welcome.building, timeout=BUILD_MS)
        assert "started on the demo file" in welcome.banner.text
        assert launcher.demo is None and demo_database_file().exists()
    finally:
        runner.wait_for_idle()
        database.dispose()
