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
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from frontdesk import __version__
from frontdesk.domain.actor import Actor, operating_system_actor
from frontdesk.domain.errors import DatabaseUnavailableError, FrontDeskError
from frontdesk.domain.progress import Cancelled
from frontdesk.logs import log_file, setup_logging
from frontdesk.paths import APP_AUTHOR, APP_NAME, default_database_url
from frontdesk.services.platform.bootstrap import (
    DATABASE_ENV,
    describe_url,
    make_context,
    open_for_use,
    resolve_database_url,
)
from frontdesk.services.practice.first_run import has_users, needs_first_run
from frontdesk.services.practice.profile import get_profile
from frontdesk.ui import APP_TITLE
from frontdesk.ui.errors import install_exception_hook
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from frontdesk.ui.style import apply_style

if TYPE_CHECKING:
    from frontdesk.ui.first_run import FirstRunDialog
    from frontdesk.ui.main_window import MainWindow
    from frontdesk.ui.security.lock import WorkstationLock
    from frontdesk.ui.security.sign_in import FirstAdminDialog, SignInDialog

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
    """Who is at the desk, then the main window.

    No account yet: first-run setup (practice, providers and the first admin, saved
    together), or only the first admin when the practice was set up before accounts
    existed. Otherwise: sign in (then setup, if an admin must still finish it). The
    signed-in user acts in every screen; the workstation lock then watches for inactivity.
    ``first_screen_shown`` fires with whichever window appears first; ``window_shown``
    with the first main window.
    """

    first_screen_shown = Signal(object)
    window_shown = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        screen: ScreenContext,
        settings: QSettings | None = None,
        notice: str = "",
        parent: QObject | None = None,
        *,
        lock_after_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.settings = settings
        self.notice = notice
        self.lock_after_ms = lock_after_ms
        self.first_run: FirstRunDialog | None = None
        self.sign_in: SignInDialog | None = None
        self.first_admin: FirstAdminDialog | None = None
        self.lock: WorkstationLock | None = None
        self.window: MainWindow | None = None
        self._announced = False

    def start(self) -> None:
        # Two small queries at start: whether the practice is set up and whether accounts exist.
        services = self.screen.services
        needs_setup = needs_first_run(services)
        if has_users(services):
            from frontdesk.ui.security.sign_in import SignInDialog

            sign_in = SignInDialog(self.screen)
            sign_in.signed_in.connect(partial(self._signed_in, needs_setup=needs_setup))
            sign_in.rejected.connect(self.cancelled)
            self.sign_in = sign_in
            self._show_first(sign_in)
        elif needs_setup:
            self._show_first_run(create_admin=True)
        else:
            from frontdesk.ui.security.sign_in import FirstAdminDialog

            first_admin = FirstAdminDialog(self.screen)
            first_admin.signed_in.connect(partial(self._signed_in, needs_setup=False))
            first_admin.rejected.connect(self.cancelled)
            self.first_admin = first_admin
            self._show_first(first_admin)

    def _show_first(self, dialog: QWidget) -> None:
        dialog.show()
        dialog.activateWindow()
        self._announce(dialog)

    def _announce(self, widget: QWidget) -> None:
        if not self._announced:
            self._announced = True
            self.first_screen_shown.emit(widget)

    def _show_first_run(self, *, create_admin: bool) -> None:
        from frontdesk.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.screen, create_admin=create_admin)
        dialog.completed.connect(lambda profile: self._set_up(dialog, profile))
        dialog.rejected.connect(self.cancelled)
        self.first_run = dialog
        self._show_first(dialog)

    def _set_up(self, dialog: FirstRunDialog, profile: object) -> None:
        if dialog.actor is not None:
            self.screen = self.screen.for_actor(dialog.actor)
        self.open_main_window(getattr(profile, "name", ""))

    def _signed_in(self, actor: Actor, *, needs_setup: bool) -> None:
        self.screen = self.screen.for_actor(actor)
        if needs_setup:
            # Accounts exist but the practice is not set up: the admin finishes it.
            self._show_first_run(create_admin=False)
        else:
            self.open_main_window()

    def open_main_window(self, practice_name: str = "") -> MainWindow:
        window = self._new_window(self.screen, practice_name)
        if self.notice:
            window.statusBar().showMessage(self.notice, 15_000)
        from frontdesk.ui.security.lock import WorkstationLock

        self.lock = WorkstationLock(
            self.screen, self._new_window, idle_limit_ms=self.lock_after_ms, parent=window
        )
        self.lock.attach(window)
        self.lock.user_switched.connect(self._switched)
        self._announce(window)
        self.window_shown.emit(window)
        return window

    def _new_window(self, screen: ScreenContext, practice_name: str = "") -> MainWindow:
        """A main window acting as ``screen``'s user (also for a user switch at the lock)."""
        # Imported after the sign-in: the first screen does not wait for the main window.
        from frontdesk.ui.main_window import MainWindow

        self.screen = screen
        window = MainWindow(screen, self.settings, practice_name=practice_name)
        self.window = window
        window.show()
        if not practice_name:
            # The title is not needed to start working: fetch it after the window shows.
            screen.runner.run(partial(get_profile, screen.services), window.show_practice)
        return window

    def _switched(self, window: MainWindow) -> None:
        self.window = window


def make_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    apply_style(app)
    return app


def startup_error_dialog(
    error: FrontDeskError, url: str = "", *, saved_server: bool = False
) -> QMessageBox:
    """Why the app cannot start. ``saved_server``: the URL came from the saved shared-server
    settings (not --database or FRONTDESK_DATABASE_URL)."""
    box = QMessageBox(QMessageBox.Icon.Critical, f"{APP_TITLE} cannot open its database", "")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(str(error))
    if isinstance(error, DatabaseUnavailableError) and url and not url.startswith("sqlite"):
        box.setInformativeText(unreachable_server_advice(url, saved_server=saved_server))
    else:
        box.setInformativeText(
            "Nothing was changed. Check the database named with --database or "
            "FRONTDESK_DATABASE_URL (or ask whoever looks after your server), then start "
            f"{APP_TITLE} again.\n\nThe log file is {log_file()}."
        )
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAccessibleName("Cannot open the database")
    return box


def unreachable_server_advice(url: str, *, saved_server: bool) -> str:
    """Which server, that saved work is safe, and how to start on the local file instead
    (Admin → Shared server is out of reach when the app cannot start)."""
    from frontdesk.services.platform import connection

    local = f"frontdesk --database {default_database_url()}"
    if saved_server:
        why = (
            f"This workstation uses that server because of its saved settings, the file "
            f"{connection.profile_path()}."
        )
        instead = (
            f"    {local}\nor remove that settings file (Admin → Shared server can save it "
            "again later)."
        )
    else:
        why = "That server was named with --database or FRONTDESK_DATABASE_URL."
        instead = f"    {local}"
    return (
        f"The practice server {describe_url(url)} did not answer. Nothing was changed: "
        "everything saved is safe on the server, and work typed at other workstations is "
        "not affected. Start again once the server is back (ask whoever looks after it).\n\n"
        f"{why} To work on this computer's own database file instead (what is saved there is "
        f"not on the server), start {APP_TITLE} with:\n{instead}\n\n"
        f"The log file is {log_file()}."
    )


def _quit_when_idle(app: QApplication, window: QWidget) -> None:
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


def _back_up_if_due(window: MainWindow) -> None:
    """The daily safety copy of a SQLite database, on the runner; the status bar says how
    it went (never a dialog: the person at the desk has work to do)."""
    from frontdesk.services.platform import backup

    screen = window.screen

    def done(result: object) -> None:
        path = getattr(result, "path", None)
        if path is not None:
            window.statusBar().showMessage(f"Daily backup saved: {path.name}", 10_000)

    def failed(message: str) -> None:
        log.warning("the automatic backup failed")
        window.statusBar().showMessage(
            f"The daily backup did not work: {message} An admin can back up in Admin.", 60_000
        )

    screen.runner.run(partial(backup.backup_if_due, screen.services), done, failed)


def _saved_server_url() -> str | None:
    # Imported only when neither --database nor FRONTDESK_DATABASE_URL names the database.
    from frontdesk.ui.server_password import server_url_at_start

    return server_url_at_start()


def run_app(database: str | None) -> int:
    app = make_application()
    setup_logging()
    reporter = install_exception_hook(app)
    try:
        url = ""
        try:
            url = resolve_database_url(database, _saved_server_url)
            db, copy = open_for_use(url)
        except Cancelled:
            log.info("start cancelled at the practice server's password")
            return 0
        except FrontDeskError as error:
            log.warning("could not open the database: %s", type(error).__name__)
            saved_server = bool(url) and not (database or os.environ.get(DATABASE_ENV))
            startup_error_dialog(error, url, saved_server=saved_server).exec()
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
            # The first screen a person can use: the sign-in (or setup) or the main window.
            launcher.first_screen_shown.connect(lambda window: _quit_when_idle(app, window))
        # After the first paint: the window is usable before the watcher is loaded.
        launcher.window_shown.connect(
            lambda _window: QTimer.singleShot(
                0, lambda: stops.append(_start_change_hub(screen, relay))
            )
        )
        # After the first paint too: never block the start for a backup.
        launcher.window_shown.connect(
            lambda window: QTimer.singleShot(0, lambda: _back_up_if_due(window))
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
