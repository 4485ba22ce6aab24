"""Starting the app: Qt, logging, the exception hook, the database, first-run setup, main window."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from frontdesk import __version__
from frontdesk.domain.actor import operating_system_actor
from frontdesk.domain.errors import FrontDeskError
from frontdesk.logs import log_file, setup_logging
from frontdesk.paths import APP_AUTHOR, APP_NAME
from frontdesk.services import practice
from frontdesk.services.bootstrap import make_context, open_for_use, resolve_database_url
from frontdesk.ui.errors import install_exception_hook
from frontdesk.ui.main_window import APP_TITLE, ChangeRelay, MainWindow, ScreenContext
from frontdesk.ui.runner import Runner
from frontdesk.ui.style import apply_style

if TYPE_CHECKING:
    from frontdesk.ui.first_run import FirstRunDialog

log = logging.getLogger(__name__)

# Set by the start-up benchmark: print the seconds from process start to a shown main window,
# then quit.
QUIT_WHEN_SHOWN_ENV = "FRONTDESK_QUIT_WHEN_SHOWN"
# Optional: the launcher's time.time() just before it started this process (more precise
# than the kernel's process start time, which counts in 10 ms ticks).
LAUNCHED_AT_ENV = "FRONTDESK_LAUNCHED_AT"
_IMPORTED_AT = time.perf_counter()


def seconds_since_launch() -> float:
    launched = os.environ.get(LAUNCHED_AT_ENV)
    if launched:
        try:
            return time.time() - float(launched)
        except ValueError:
            pass
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            # The command name (field 2) may contain spaces; the fields after it do not.
            fields = handle.read().rpartition(")")[2].split()
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED_AT


class Launcher(QObject):
    """First-run setup when the practice is not set up yet, then the main window."""

    window_shown = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        screen: ScreenContext,
        settings: QSettings | None = None,
        notice: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.settings = settings
        self.notice = notice
        self.first_run: FirstRunDialog | None = None
        self.window: MainWindow | None = None

    def start(self) -> None:
        # One small query at start: whether the practice profile and a provider exist.
        if practice.needs_first_run(self.screen.services):
            from frontdesk.ui.first_run import FirstRunDialog

            dialog = FirstRunDialog(self.screen)
            dialog.completed.connect(lambda profile: self.open_main_window(profile.name))
            dialog.rejected.connect(self.cancelled)
            self.first_run = dialog
            dialog.show()
            dialog.activateWindow()
        else:
            self.open_main_window()

    def open_main_window(self, practice_name: str = "") -> MainWindow:
        window = MainWindow(self.screen, self.settings, practice_name=practice_name)
        self.window = window
        window.show()
        if self.notice:
            window.statusBar().showMessage(self.notice, 15_000)
        if not practice_name:
            # The title is not needed to start working: fetch it after the window shows.
            self.screen.runner.run(
                partial(practice.get_profile, self.screen.services), window.show_practice
            )
        self.window_shown.emit(window)
        return window


def make_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    apply_style(app)
    return app


def startup_error_dialog(error: FrontDeskError) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_TITLE} cannot open its database", "")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(str(error))
    box.setInformativeText(
        "Nothing was changed. Check the database named with --database or "
        "FRONTDESK_DATABASE_URL (or ask whoever looks after your server), then start "
        f"{APP_TITLE} again.\n\nThe log file is {log_file()}."
    )
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAccessibleName("Cannot open the database")
    return box


def _quit_when_idle(app: QApplication, window: MainWindow) -> None:
    def report() -> None:
        window.repaint()  # the first full paint counts as part of "shown"
        print(f"{seconds_since_launch():.3f}", flush=True)
        app.quit()

    QTimer.singleShot(0, report)


def _start_change_hub(screen: ScreenContext, relay: ChangeRelay) -> Callable[[], None]:
    """Start announcing this app's and other workstations' commits; returns how to stop."""
    from frontdesk.ui.change_hub import ChangeHub

    hub = ChangeHub(screen.services)
    hub.changed.connect(relay.changed)
    hub.start()
    return hub.stop


def run_app(database: str | None) -> int:
    app = make_application()
    setup_logging()
    reporter = install_exception_hook(app)
    try:
        try:
            db, copy = open_for_use(resolve_database_url(database))
        except FrontDeskError as error:
            log.warning("could not open the database: %s", type(error).__name__)
            startup_error_dialog(error).exec()
            return 2
        log.info("Front Desk %s started on %s", __version__, db.describe())
        notice = f"The database was upgraded; the old copy is kept at {copy}" if copy else ""
        runner = Runner()
        relay = ChangeRelay()
        screen = ScreenContext(make_context(db, operating_system_actor()), runner, relay)
        stops: list[Callable[[], None]] = []
        launcher = Launcher(screen, QSettings(), notice)
        # The first-run dialog closing must not end the app before the main window opens.
        app.setQuitOnLastWindowClosed(False)
        launcher.cancelled.connect(app.quit)
        launcher.window_shown.connect(lambda _window: app.setQuitOnLastWindowClosed(True))
        if os.environ.get(QUIT_WHEN_SHOWN_ENV) == "1":
            launcher.window_shown.connect(lambda window: _quit_when_idle(app, window))
        # After the first paint: the window is usable before the watcher is loaded.
        launcher.window_shown.connect(
            lambda _window: QTimer.singleShot(
                0, lambda: stops.append(_start_change_hub(screen, relay))
            )
        )
        try:
            launcher.start()
            return app.exec()
        finally:
            for stop in stops:
                stop()
            runner.wait_for_idle()
            db.dispose()
    finally:
        reporter.uninstall()
