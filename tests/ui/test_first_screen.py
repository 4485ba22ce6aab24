"""Starting to the remembered sign-in while the database opens behind it (issue #14)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import create_first_admin, needs_first_run
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.ui.app import Launcher, remember_first_screens, run_app
from frontdesk.ui.first_screen import (
    DatabaseOpening,
    FirstScreen,
    OpenedDatabase,
    remember_first_screen,
    remembered_first_screen,
)
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.sign_in import SignInDialog
from frontdesk.ui.welcome import WelcomeDialog
from frontdesk.ui.workstation_settings import workstation_settings as desk_memory
from tests.ui.test_app_startup import set_up_practice

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

PASSWORD = "violet canoe morning"


class GatedOpening:
    """The real opening of the database, held back until the test opens the gate."""

    def __init__(self, url: str) -> None:
        self.opening = DatabaseOpening(url)
        self.gate = threading.Event()

    def __call__(self) -> OpenedDatabase:
        self.gate.wait(30)
        return self.opening()


@pytest.fixture
def runner() -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.wait_for_idle()
    QCoreApplication.processEvents()


@pytest.fixture
def desk_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


def start_remembered(
    qtbot: QtBot, database_url: str, runner: Runner, settings: QSettings
) -> tuple[Launcher, GatedOpening, SignInDialog]:
    launcher = Launcher(None, settings, lock_after_ms=60_000)
    opening = GatedOpening(database_url)
    launcher.start_before_database(opening, runner)
    sign_in = launcher.sign_in
    assert sign_in is not None
    qtbot.addWidget(sign_in)
    qtbot.waitExposed(sign_in)
    qtbot.waitUntil(sign_in.isActiveWindow)
    return launcher, opening, sign_in


def test_the_sign_in_takes_typing_and_signs_in_once_the_database_is_open(
    qtbot: QtBot,
    context: ServiceContext,
    database_url: str,
    runner: Runner,
    desk_settings: QSettings,
) -> None:
    set_up_practice(context)
    create_first_admin(context, NewUserForm("maria", PASSWORD, Role.ADMIN, "Maria Lopez"))
    launcher, opening, sign_in = start_remembered(qtbot, database_url, runner, desk_settings)
    try:
        form = sign_in.form
        assert form.username.hasFocus()
        qtbot.keyClicks(form.username, "maria")
        qtbot.keyClick(form.username, Qt.Key.Key_Return)
        assert form.password.hasFocus()
        qtbot.keyClicks(form.password, PASSWORD)
        assert (form.username.text(), form.password.text()) == ("maria", PASSWORD)
        qtbot.keyClick(form.password, Qt.Key.Key_Return)
        # Sign in pressed before the database is open: it says so and waits.
        assert form.banner.text == "Opening the practice database…"
        assert not form.sign_in_button.isEnabled()
        assert launcher.window is None
        with qtbot.waitSignal(launcher.window_shown, timeout=20_000) as shown:
            opening.gate.set()
        window = shown.args[0]
        assert isinstance(window, MainWindow)
        assert window.screen.services.actor.username == "maria"
        assert launcher.first_screen is sign_in  # the database agreed: no other screen
        window.close()
        window.deleteLater()
    finally:
        opening.gate.set()
        runner.wait_for_idle()
        opening.opening.close()


def test_a_remembered_sign_in_gives_way_to_first_run_when_there_is_no_account(
    qtbot: QtBot,
    context: ServiceContext,
    database_url: str,
    runner: Runner,
    desk_settings: QSettings,
) -> None:
    # A new, empty database at the address this workstation used before.
    launcher, opening, sign_in = start_remembered(qtbot, database_url, runner, desk_settings)
    try:
        qtbot.keyClicks(sign_in.form.username, "maria")
        with (
            qtbot.assertNotEmitted(launcher.cancelled),
            qtbot.waitSignal(launcher.first_screen_confirmed, timeout=20_000) as confirmed,
            qtbot.waitSignal(launcher.decided) as decided,
        ):
            opening.gate.set()
        setup = confirmed.args[0]
        qtbot.addWidget(setup)
        assert decided.args == [FirstScreen.FIRST_RUN]
        # A new database: the welcome, with setup and the demo practice side by side.
        assert isinstance(setup, WelcomeDialog)
        assert launcher.welcome is setup and launcher.sign_in is None
        qtbot.waitExposed(setup)
        assert not sign_in.isVisible()
        assert needs_first_run(context)  # nothing was written by the switch
    finally:
        opening.gate.set()
        runner.wait_for_idle()
        opening.opening.close()


def test_the_settings_remember_a_database_without_its_password(tmp_path: Path) -> None:
    path = tmp_path / "desk.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    server = "postgresql+psycopg://frontdesk_app:{}@server.clinic.lan:5432/lakeside?sslmode=require"
    remember_first_screen(settings, server.format("pw-secret-123"), FirstScreen.SIGN_IN)
    # The same server after a password change is the same database; another one is not.
    assert remembered_first_screen(settings, server.format("new-pw")) is FirstScreen.SIGN_IN
    assert remembered_first_screen(settings, server.replace("lakeside", "training")) is None
    assert "pw-secret-123" not in path.read_text(encoding="utf-8")


@pytest.fixture
def workstation_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> QSettings:
    """The settings run_app reads, in this test's own data folder."""
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    return desk_memory()


def when_a_message_box_shows(seen: list[str], visible: list[str]) -> None:
    """Note the windows shown meanwhile; read and close the start-up dialog once it shows."""

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(f"{box.text()}\n{box.informativeText()}")
            box.done(0)
            return
        visible.extend(
            type(widget).__name__ for widget in QApplication.topLevelWidgets() if widget.isVisible()
        )
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_a_server_out_of_reach_behind_a_remembered_sign_in_shows_the_start_up_error(
    qtbot: QtBot, workstation_settings: QSettings
) -> None:
    url = "postgresql+psycopg://frontdesk_app:pw-secret-123@127.0.0.1:1/lakeside"
    remember_first_screen(workstation_settings, url, FirstScreen.SIGN_IN)
    seen: list[str] = []
    visible: list[str] = []
    when_a_message_box_shows(seen, visible)
    assert run_app(url) == 2
    assert "SignInDialog" in visible  # shown from memory before the database answered
    assert len(seen) == 1
    assert "Cannot reach the database server" in seen[0]
    assert "frontdesk_app@127.0.0.1:1/lakeside" in seen[0]
    assert "pw-secret-123" not in seen[0]
    assert not any(
        isinstance(widget, SignInDialog) and widget.isVisible()
        for widget in QApplication.topLevelWidgets()
    )


def test_quitting_while_the_database_opens_ends_the_start_without_another_screen(
    qtbot: QtBot, database_url: str, runner: Runner, desk_settings: QSettings
) -> None:
    launcher, opening, sign_in = start_remembered(qtbot, database_url, runner, desk_settings)
    try:
        sign_in.form.username.setText("maria")
        sign_in.form.password.setText(PASSWORD)
        sign_in.form.submit()
        assert sign_in.form.waiting_for_database
        with qtbot.waitSignal(launcher.cancelled, timeout=5_000):
            qtbot.keyClick(sign_in, Qt.Key.Key_Escape)
        # The database was empty (first run needed): quitting means no setup screen pops up.
        with qtbot.assertNotEmitted(launcher.first_screen_shown, wait=200):
            opening.gate.set()
            runner.wait_for_idle()
            QCoreApplication.processEvents()
        assert launcher.first_run is None and not sign_in.isVisible()
        assert opening.opening.opened is not None  # opened all the same: closed at exit
    finally:
        opening.gate.set()
        runner.wait_for_idle()
        opening.opening.close()


def test_an_older_database_behind_the_sign_in_is_upgraded_and_the_copy_announced(
    qtbot: QtBot, tmp_path: Path, runner: Runner, desk_settings: QSettings
) -> None:
    from alembic import command

    from frontdesk.db import migrate
    from frontdesk.db.engine import open_database

    path = tmp_path / "old.sqlite3"
    database = open_database(f"sqlite:///{path}")
    config = migrate._config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")  # the file as the first release left it
    database.dispose()
    launcher, opening, _sign_in = start_remembered(
        qtbot, f"sqlite:///{path}", runner, desk_settings
    )
    try:
        with qtbot.waitSignal(launcher.first_screen_confirmed, timeout=20_000) as confirmed:
            opening.gate.set()
        qtbot.addWidget(confirmed.args[0])
        opened = opening.opening.opened
        assert opened is not None and opened.copy is not None and opened.copy.exists()
        # The main window's status bar says so once someone is in, as before.
        expected = f"The database was upgraded; the old copy is kept at {opened.copy}"
        assert launcher.notice == expected
    finally:
        opening.gate.set()
        runner.wait_for_idle()
        opening.opening.close()


def test_after_first_run_the_next_start_remembers_the_sign_in(
    qtbot: QtBot,
    context: ServiceContext,
    database_url: str,
    runner: Runner,
    desk_settings: QSettings,
) -> None:
    launcher = Launcher(ScreenContext(context, runner), desk_settings)
    remember_first_screens(launcher, desk_settings, database_url)
    launcher.start()
    assert launcher.welcome is not None
    qtbot.addWidget(launcher.welcome)
    assert remembered_first_screen(desk_settings, database_url) is FirstScreen.FIRST_RUN
    # Setup done and someone in (the main window): next time the sign-in shows first.
    window = launcher.open_main_window("Lakeside Spine Center")
    qtbot.addWidget(window)
    assert remembered_first_screen(desk_settings, database_url) is FirstScreen.SIGN_IN


def test_the_sign_ins_message_makes_it_taller_not_its_fields_flatter(qtbot: QtBot) -> None:
    # Story 3 walk at 150%: "Checking…" squeezed the user name and password to half height.
    sign_in = SignInDialog(None)
    qtbot.addWidget(sign_in)
    sign_in.show()
    qtbot.waitExposed(sign_in)
    form = sign_in.form
    qtbot.keyClicks(form.username, "ana.desk")
    qtbot.keyClicks(form.password, PASSWORD)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    assert form.banner.text == "Opening the practice database…"
    qtbot.waitUntil(lambda: form.banner.isVisible())
    for field in (form.username, form.password):
        qtbot.waitUntil(lambda field=field: field.height() >= field.sizeHint().height())
