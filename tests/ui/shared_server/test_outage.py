"""A server outage during a pytest-qt session: banner, paused saving, typing kept, recovery.

The app works on a scratch database on the real local PostgreSQL. The outage is real: an
admin connection forbids new connections to that database and terminates its backends
(what a server restart does to the workstations), then allows them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.ui.connection_monitor import PAUSED_REASON, saving_allowed
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.helpers.postgres import database_url, throwaway_database

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


class Server:
    """The local server, seen from its administrator's connection."""

    def __init__(self, admin: Engine, name: str) -> None:
        self.admin = admin
        self.name = name

    def cut(self) -> None:
        with self.admin.connect() as link:
            link.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            link.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )

    def restore(self) -> None:
        with self.admin.connect() as link:
            link.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    with throwaway_database("frontdesk_outage") as (admin, name):
        handle = Server(admin, name)
        yield handle, database_url(name)
        handle.restore()


@pytest.fixture
def window(qtbot: QtBot, server: tuple[Server, str], tmp_path: Path) -> Iterator[MainWindow]:
    _handle, url = server
    database, _copy = open_for_use(url)
    runner = Runner()
    screen = ScreenContext(make_context(database, make_actor()), runner)
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.show()
    yield main
    runner.wait_for_idle()
    database.dispose()


def test_a_server_outage_keeps_the_typing_pauses_saving_and_recovers_by_itself(
    qtbot: QtBot, window: MainWindow, server: tuple[Server, str]
) -> None:
    handle, _url = server
    screen = window.screen
    banner = window.connection_monitor.banner
    assert banner.isHidden() and saving_allowed()

    editor = PatientEditor(screen, parent=window)
    qtbot.addWidget(editor)
    editor.show()
    typed = {"first_name": "Renée", "last_name": "O'Brien-Ōta", "date_of_birth": "3/4/1961"}
    for key, value in typed.items():
        editor.fields.edits[key].insert(value)

    handle.cut()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)  # at the moment of loss
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: not editor.saving, timeout=15_000)

    assert banner.text.startswith("Connection to the practice server lost — retrying")
    assert "next try at" in banner.text
    assert editor.banner.text.startswith("Not saved.")
    assert editor.isVisible()
    assert {key: editor.fields.edits[key].text() for key in typed} == typed
    assert not editor.save_button.isEnabled()
    assert PAUSED_REASON in editor.save_button.toolTip()
    assert not saving_allowed()
    assert "nothing was changed" in editor.banner.text

    # Enter while paused: not saved, and still says why; the typing stays.
    editor.activateWindow()
    editor.fields.edits["last_name"].setFocus()
    qtbot.keyClick(editor.fields.edits["last_name"], Qt.Key.Key_Return)
    assert "Saving is paused" in editor.banner.text
    assert {key: editor.fields.edits[key].text() for key in typed} == typed

    handle.restore()
    qtbot.waitUntil(lambda: banner.isHidden(), timeout=40_000)
    assert saving_allowed()
    assert editor.save_button.isEnabled()

    with qtbot.waitSignal(editor.saved, timeout=15_000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    created = saved.args[0]
    assert (created.first_name, created.last_name) == ("Renée", "O'Brien-Ōta")
    again = get_patient(screen.services, created.id)
    assert again.first_name == "Renée"


def test_retries_back_off_from_half_a_second_to_thirty_and_retry_now_tries_at_once(
    qtbot: QtBot, window: MainWindow, server: tuple[Server, str]
) -> None:
    handle, _url = server
    monitor = window.connection_monitor
    handle.cut()
    monitor.lost("The connection to the database server was lost")
    qtbot.waitUntil(lambda: monitor.in_outage, timeout=15_000)  # the confirming ping failed
    assert monitor.delay_s == 0.5
    assert monitor.next_retry is not None
    assert monitor.next_retry.strftime("%H:%M:%S") in monitor.banner.text
    qtbot.waitUntil(lambda: monitor.delay_s == 1.0, timeout=15_000)  # the first ping failed
    qtbot.waitUntil(lambda: monitor.delay_s == 2.0, timeout=15_000)  # and the second
    monitor.delay_s = 20.0
    monitor.retry_now()
    qtbot.waitUntil(lambda: monitor.delay_s == 30.0, timeout=15_000)
    monitor.retry_now()
    qtbot.waitUntil(lambda: not monitor.pinging, timeout=15_000)
    assert monitor.delay_s == 30.0 and monitor.in_outage  # never longer than 30 s

    handle.restore()
    with qtbot.waitSignal(monitor.outage_changed, timeout=15_000) as back:
        qtbot.mouseClick(monitor.banner.action, Qt.MouseButton.LeftButton)  # "Retry now"
    assert back.args == [False]
    assert monitor.banner.isHidden() and saving_allowed()


def test_a_window_opened_during_an_outage_shows_the_banner_too(
    qtbot: QtBot, window: MainWindow, server: tuple[Server, str], tmp_path: Path
) -> None:
    handle, _url = server
    handle.cut()
    window.connection_monitor.lost("lost")
    qtbot.waitUntil(lambda: window.connection_monitor.in_outage, timeout=15_000)
    # A user switch at the lock builds a new main window while the server is still away.
    settings = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    second = MainWindow(window.screen, settings)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.connection_monitor.in_outage, timeout=15_000)
    assert second.connection_monitor.banner.text.startswith("Connection to the practice server")
    handle.restore()
    qtbot.waitUntil(lambda: not second.connection_monitor.in_outage, timeout=40_000)
    qtbot.waitUntil(lambda: not window.connection_monitor.in_outage, timeout=40_000)
    assert saving_allowed()


def test_a_failure_elsewhere_with_our_database_answering_is_not_an_outage(
    qtbot: QtBot, window: MainWindow
) -> None:
    """A copy's unreachable target or a broken backup file fails with the same error type."""
    monitor = window.connection_monitor
    monitor.lost("Cannot reach the database server at postgresql://elsewhere:5432/x")
    qtbot.waitUntil(lambda: not monitor.pinging, timeout=15_000)
    assert not monitor.in_outage and monitor.banner.isHidden() and saving_allowed()


def test_the_intakes_chart_lookup_comes_back_by_itself_after_an_outage(
    qtbot: QtBot, window: MainWindow, server: tuple[Server, str]
) -> None:
    """Story 8: a server restart while the desk types a caller's name. The charts that
    match must not stay missing (a duplicate chart waits there) nor the banner stay stale."""
    handle, _url = server
    screen = window.screen
    create_patient(
        screen.services,
        PatientForm(first_name="Astrid", last_name="Lindgren", date_of_birth="5/14/1958"),
    )
    dialog = IntakeDialog(screen, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()

    handle.cut()
    qtbot.keyClicks(dialog.last_name, "Lindgren")
    # The form first says saving is paused (it covers the main window's outage banner),
    # then, a problem of its own, that the matching charts could not be looked up.
    qtbot.waitUntil(lambda: "could not be looked up" in dialog.banner.text, timeout=15_000)
    assert dialog.matches.count() == 0

    handle.restore()
    qtbot.waitUntil(lambda: dialog.matches.count() == 1, timeout=40_000)
    assert "Lindgren, Astrid" in dialog.matches.item(0).text()
    assert dialog.banner.isHidden()
    assert dialog.last_name.text() == "Lindgren"
    dialog._baseline = dialog.snapshot()  # closing without the discard question
