"""Starting the app: Qt, logging, the exception hook, the database, first-run setup, main window.

Nothing here imports the database layer at module level: with a remembered first screen
(``first_screen``), the sign-in shows before SQLAlchemy, the models and Alembic are loaded.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from frontdesk import __version__
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import DatabaseUnavailableError, FrontDeskError
from frontdesk.domain.progress import Cancelled
from frontdesk.logs import log_file, setup_logging
from frontdesk.paths import APP_AUTHOR, APP_NAME, default_database_url, server_profile_file
from frontdesk.services.platform.address import (
    DATABASE_ENV,
    names_no_user,
    resolve_database_url,
)
from frontdesk.ui import APP_TITLE
from frontdesk.ui.errors import install_exception_hook
from frontdesk.ui.first_screen import (
    DatabaseOpening,
    FirstScreen,
    FirstScreenFacts,
    OpenedDatabase,
    read_first_screen,
    remember_first_screen,
    remembered_first_screen,
)
from frontdesk.ui.main_thread_gc import collect_on_main_thread
from frontdesk.ui.runner import Runner, user_message
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from frontdesk.ui.style import apply_style
from frontdesk.ui.workstation_settings import workstation_settings

if TYPE_CHECKING:
    from frontdesk.demo.practice_file import DemoPractice
    from frontdesk.ui.change_hub import ChangeHub
    from frontdesk.ui.first_run import FirstRunDialog
    from frontdesk.ui.main_window import MainWindow
    from frontdesk.ui.security.lock import WorkstationLock
    from frontdesk.ui.security.sign_in import FirstAdminDialog, SignInDialog
    from frontdesk.ui.welcome import WelcomeDialog

log = logging.getLogger(__name__)

# Set by the start-up benchmark: print the seconds from process start to the first usable
# screen's first paint, then quit (once the database has confirmed that screen).
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

    No account yet: the welcome (set up the practice, or explore the demo practice in its
    own file first), then first-run setup (practice, providers, their hours and the first
    admin, saved together); or only the first admin when the practice was set up before
    accounts existed. Otherwise: sign in (then setup, if an admin must still finish it). The
    signed-in user acts in every screen; the workstation lock then watches for inactivity.

    ``start`` shows the first screen of a database already open. ``start_before_database``
    shows the sign-in at once and opens the database on the runner: the form can be filled
    meanwhile, Sign in waits for the database, and if the database needs another first
    screen (no account yet) that one replaces the sign-in; ``failed(error)`` if it cannot be
    opened. ``first_screen_shown`` fires with each first screen as it appears,
    ``first_screen_confirmed`` with the one the database chose (``decided`` with its kind),
    ``window_shown`` with the first main window, ``demo_shown`` with the demo practice's.
    """

    first_screen_shown = Signal(object)
    first_screen_confirmed = Signal(object)
    decided = Signal(object)  # FirstScreen
    failed = Signal(object)  # the exception that stopped the database opening
    window_shown = Signal(object)
    demo_shown = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        screen: ScreenContext | None,
        settings: QSettings | None = None,
        notice: str = "",
        parent: QObject | None = None,
        *,
        lock_after_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen  # None until the database is open (start_before_database)
        self.settings = settings
        self.notice = notice
        self.lock_after_ms = lock_after_ms
        self.needs_setup = False
        self.first_screen: QWidget | None = None
        self.first_run: FirstRunDialog | None = None
        self.welcome: WelcomeDialog | None = None
        self.demo: DemoPractice | None = None
        self.demo_window: MainWindow | None = None
        self._demo_hub: ChangeHub | None = None
        self.sign_in: SignInDialog | None = None
        self.first_admin: FirstAdminDialog | None = None
        self.lock: WorkstationLock | None = None
        self.window: MainWindow | None = None
        self._stopped = False
        self.cancelled.connect(self._stop)

    def start(self, facts: FirstScreenFacts | None = None) -> None:
        """The first screen the open database needs (asked here unless ``facts`` says)."""
        assert self.screen is not None, "start() needs an open database"
        self._decide(facts or read_first_screen(self.screen.services))

    def start_before_database(
        self,
        opening: Callable[[], OpenedDatabase],
        runner: Runner,
        changes: QObject | None = None,
    ) -> None:
        """The sign-in now; ``opening`` runs on ``runner`` once the sign-in has shown."""
        self._show_sign_in()
        QTimer.singleShot(
            0,
            lambda: runner.run(
                opening,
                partial(self._opened, runner, changes),
                failure=self._opening_failed,
            ),
        )

    def start_for_persons(self, url: str, runner: Runner, changes: QObject | None = None) -> None:
        """Per-person database logins (``url`` names no user): nothing can be opened before
        someone signs in, and their name and password open the connection as them."""
        from frontdesk.ui.security.sign_in import open_as_person

        self._show_sign_in()
        assert self.sign_in is not None
        form = self.sign_in.form
        form.runner = runner
        form.open_as_person = partial(open_as_person, url)
        form.opened.connect(
            lambda services: setattr(self, "screen", ScreenContext(services, runner, changes))
        )
        self.first_screen_confirmed.emit(self.sign_in)

    def _opened(self, runner: Runner, changes: QObject | None, opened: OpenedDatabase) -> None:
        self.screen = ScreenContext(opened.services, runner, changes)
        if opened.copy is not None:
            self.notice = upgrade_notice(opened.copy)
        if not self._stopped:
            self._decide(opened.facts)

    def _opening_failed(self, error: Exception) -> None:
        self.close_first_screens()
        if not self._stopped:
            self.failed.emit(error)

    def _stop(self) -> None:
        self._stopped = True

    def _decide(self, facts: FirstScreenFacts) -> None:
        self.needs_setup = facts.needs_setup
        first = facts.first_screen
        self.decided.emit(first)
        if first is FirstScreen.SIGN_IN:
            if self.sign_in is None:
                self._show_sign_in()
            elif self.screen is not None:
                self.sign_in.set_screen(self.screen)
        else:
            # A sign-in shown from memory that does not apply (a new database at that address).
            self.close_first_screens()
            if first is FirstScreen.FIRST_RUN:
                self._show_welcome()
            else:
                self._show_first_admin()
        self.first_screen_confirmed.emit(self.first_screen)

    def close_first_screens(self) -> None:
        """Hide the first screens without quitting (hiding a dialog does not reject it)."""
        for dialog in (self.sign_in, self.first_run, self.first_admin, self.welcome):
            if dialog is not None:
                dialog.hide()
                dialog.deleteLater()
        self.sign_in = self.first_run = self.first_admin = self.welcome = None

    def _show_sign_in(self) -> None:
        from frontdesk.ui.security.sign_in import SignInDialog

        sign_in = SignInDialog(self.screen)
        sign_in.signed_in.connect(self._signed_in)
        sign_in.rejected.connect(self.cancelled)
        self.sign_in = sign_in
        self._show_first(sign_in)

    def _show_first_admin(self) -> None:
        from frontdesk.ui.security.sign_in import FirstAdminDialog

        assert self.screen is not None, "the first admin needs the open database"
        first_admin = FirstAdminDialog(self.screen)
        first_admin.signed_in.connect(self._signed_in)
        first_admin.rejected.connect(self.cancelled)
        self.first_admin = first_admin
        self._show_first(first_admin)

    def _show_first(self, dialog: QWidget) -> None:
        self._show(dialog)
        self.first_screen = dialog
        self.first_screen_shown.emit(dialog)

    def _show(self, dialog: QWidget) -> None:
        dialog.show()
        dialog.activateWindow()

    def _show_welcome(self) -> None:
        from frontdesk.ui.welcome import WelcomeDialog

        assert self.screen is not None, "the welcome needs the open database"
        welcome = WelcomeDialog(self.screen)
        welcome.set_up_chosen.connect(self._set_up_chosen)
        welcome.demo_opened.connect(self.open_demo_window)
        welcome.rejected.connect(self.cancelled)
        self.welcome = welcome
        self._show_first(welcome)

    def _set_up_chosen(self) -> None:
        """From the welcome to the setup: the setup is then the first screen."""
        welcome = self.welcome
        self._show_first_run(create_admin=True)
        self.first_screen = self.first_run
        if welcome is not None:
            welcome.hide()
            welcome.deleteLater()
        self.welcome = None

    def open_demo_window(self, demo: DemoPractice) -> MainWindow:
        """The demo practice in a main window of its own, marked DEMO, acting as the demo
        user (no sign-in, no lock: nobody real is in it); the practice's database stays
        open behind it for when the person sets up their own practice."""
        from frontdesk.ui.change_hub import ChangeHub
        from frontdesk.ui.main_window import MainWindow

        assert self.screen is not None
        self.demo = demo
        hub = ChangeHub(demo.services, watch_other_workstations=False)
        hub.start()
        self._demo_hub = hub
        screen = ScreenContext(demo.services, self.screen.runner, hub, demo=True)
        window = MainWindow(screen, self.settings)
        window.set_up_requested.connect(self.leave_demo)
        self.demo_window = window
        window.show()
        window.activateWindow()
        screen.runner.run(partial(_demo_profile, demo), window.show_practice)
        if self.welcome is not None:
            self.welcome.hide()
        self.demo_shown.emit(window)
        return window

    def leave_demo(self) -> None:
        """From the demo to setting up the practice's own database."""
        window = self.demo_window
        self._show_first_run(create_admin=True)
        if self.welcome is not None:
            self.welcome.deleteLater()
            self.welcome = None
        self.first_screen = self.first_run
        if window is not None:
            if not window.close():  # an unsaved form asked first: stay in the demo
                if self.first_run is not None:
                    self.first_run.hide()
                    self.first_run.deleteLater()
                    self.first_run = None
                return
            window.deleteLater()
        self.demo_window = None
        self.close_demo()

    def close_demo(self) -> None:
        """Stop watching the demo file and close it (at leaving the demo, and at exit)."""
        if self._demo_hub is not None:
            self._demo_hub.stop()
            self._demo_hub = None
        if self.demo is not None:
            if self.screen is not None:
                self.screen.runner.wait_for_idle()
            self.demo.services.database.dispose()
            self.demo = None

    def _show_first_run(self, *, create_admin: bool) -> None:
        from frontdesk.ui.first_run import FirstRunDialog

        assert self.screen is not None, "setup needs the open database"
        dialog = FirstRunDialog(self.screen, create_admin=create_admin)
        dialog.completed.connect(lambda profile: self._set_up(dialog, profile))
        dialog.rejected.connect(self.cancelled)
        self.first_run = dialog
        if create_admin:
            self._show_first(dialog)
        else:
            self._show(dialog)

    def _set_up(self, dialog: FirstRunDialog, profile: object) -> None:
        if dialog.actor is not None:
            self.screen = self.screen_for(dialog.actor)
        self.open_main_window(getattr(profile, "name", ""))

    def _signed_in(self, actor: Actor) -> None:
        self.screen = self.screen_for(actor)
        if self.needs_setup:
            # Accounts exist but the practice is not set up: the admin finishes it.
            self._show_first_run(create_admin=False)
        else:
            self.open_main_window()

    def screen_for(self, actor: Actor) -> ScreenContext:
        assert self.screen is not None, "nobody signs in before the database is open"
        return self.screen.for_actor(actor)

    def open_main_window(self, practice_name: str = "") -> MainWindow:
        assert self.screen is not None
        window = self._new_window(self.screen, practice_name)
        if self.notice:
            window.statusBar().showMessage(self.notice, 15_000)
        from frontdesk.ui.security.lock import WorkstationLock

        self.lock = WorkstationLock(
            self.screen, self._new_window, idle_limit_ms=self.lock_after_ms, parent=window
        )
        self.lock.attach(window)
        self.lock.user_switched.connect(self._switched)
        if self.first_screen is None:
            self.first_screen = window
            self.first_screen_shown.emit(window)
            self.first_screen_confirmed.emit(window)
        self.window_shown.emit(window)
        return window

    def _new_window(self, screen: ScreenContext, practice_name: str = "") -> MainWindow:
        """A main window acting as ``screen``'s user (also for a user switch at the lock)."""
        # Imported after the sign-in: the first screen does not wait for the main window.
        from frontdesk.services.practice.profile import get_profile
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


def _demo_profile(demo: DemoPractice) -> object:
    from frontdesk.services.practice.profile import get_profile

    return get_profile(demo.services)


def remember_first_screens(launcher: Launcher, settings: QSettings, url: str) -> None:
    """Keep the workstation's memory of the first screen for ``url``: the one the database
    chose, then the sign-in once someone is in (accounts exist: the next start needs it)."""
    launcher.decided.connect(partial(remember_first_screen, settings, url))
    launcher.window_shown.connect(
        lambda _window: remember_first_screen(settings, url, FirstScreen.SIGN_IN)
    )


def upgrade_notice(copy: Path) -> str:
    return f"The database was upgraded; the old copy is kept at {copy}"


def make_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    apply_style(app)
    collect_on_main_thread(app)
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
    from frontdesk.services.platform.bootstrap import describe_url

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


def _report_first_screen(app: QApplication, launcher: Launcher) -> None:
    """Print the seconds to the first full paint of the first usable screen, then quit.

    A sign-in shown from memory is usable from its own paint (it takes typing at once), but
    it counts only once the database has confirmed it; if the database needs another
    screen, that screen's paint is the one reported.
    """
    painted: list[tuple[QWidget, float]] = []
    confirmed: list[QWidget] = []

    def report_if_ready() -> None:
        for widget, seconds in painted:
            if confirmed and widget is confirmed[0]:
                print(f"{seconds:.3f}", flush=True)
                app.quit()
                confirmed.clear()
                return

    def shown(widget: QWidget) -> None:
        def paint() -> None:
            widget.repaint()  # the first full paint counts as part of "shown"
            painted.append((widget, seconds_since_launch()))
            report_if_ready()

        QTimer.singleShot(0, paint)

    def confirm(widget: QWidget) -> None:
        confirmed.append(widget)
        report_if_ready()

    launcher.first_screen_shown.connect(shown)
    launcher.first_screen_confirmed.connect(confirm)


def _start_change_hub(screen: ScreenContext, relay: ChangeRelay) -> Callable[[], None]:
    """Start announcing this app's and other workstations' commits; returns how to stop."""
    from frontdesk.ui.change_hub import ChangeHub

    hub = ChangeHub(screen.services)
    hub.changed.connect(relay.changed)
    hub.start()
    return hub.stop


def _start_inbox_watcher(window: MainWindow, lock: QObject | None) -> Callable[[], None]:
    """Take in faxes and scans and read them while the app runs (paused behind the lock,
    the next user's after a switch); returns how to stop it."""
    from frontdesk.ui.inbox.watcher import WatcherSessions

    sessions = WatcherSessions(window, lock)
    return sessions.stop


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
    # Only when neither --database nor FRONTDESK_DATABASE_URL names the database, and only
    # with saved server settings: a workstation on its own file starts without the database
    # layer (which the server connection imports).
    if not server_profile_file().exists():
        return None
    from frontdesk.ui.server_password import server_url_at_start

    return server_url_at_start()


def _refuse_to_start(error: Exception, url: str, database: str | None) -> int:
    """The start-up error dialog (waits for Close); the exit status 2."""
    log.warning("could not open the database: %s", type(error).__name__)
    if not isinstance(error, FrontDeskError):
        error = FrontDeskError(user_message(error))  # the runner logged the details
    saved_server = bool(url) and not (database or os.environ.get(DATABASE_ENV))
    startup_error_dialog(error, url, saved_server=saved_server).exec()
    return 2


def run_app(database: str | None) -> int:
    app = make_application()
    setup_logging()
    reporter = install_exception_hook(app)
    try:
        url = ""
        settings = workstation_settings()
        runner = Runner()
        relay = ChangeRelay()
        facts: FirstScreenFacts | None = None
        try:
            url = resolve_database_url(database, _saved_server_url)
            opening = DatabaseOpening(url)
            person_mode = names_no_user(url)
            if person_mode or remembered_first_screen(settings, url) is FirstScreen.SIGN_IN:
                # The usual start: the sign-in shows now and the database opens behind it.
                launcher = Launcher(None, settings)
            else:
                opened = opening()
                facts = opened.facts
                notice = upgrade_notice(opened.copy) if opened.copy is not None else ""
                screen = ScreenContext(opened.services, runner, relay)
                launcher = Launcher(screen, settings, notice)
        except Cancelled:
            log.info("start cancelled at the practice server's password")
            return 0
        except FrontDeskError as error:
            return _refuse_to_start(error, url, database)
        stops: list[Callable[[], None]] = []
        # The first-run dialog closing must not end the app before the main window opens.
        app.setQuitOnLastWindowClosed(False)
        launcher.cancelled.connect(app.quit)
        launcher.failed.connect(lambda error: app.exit(_refuse_to_start(error, url, database)))
        remember_first_screens(launcher, settings, url)
        launcher.window_shown.connect(lambda _window: app.setQuitOnLastWindowClosed(True))
        launcher.demo_shown.connect(lambda _window: app.setQuitOnLastWindowClosed(True))
        if os.environ.get(QUIT_WHEN_SHOWN_ENV) == "1":
            _report_first_screen(app, launcher)
        # After the first paint: the window is usable before the watcher is loaded.
        launcher.window_shown.connect(
            lambda window: QTimer.singleShot(
                0, lambda: stops.append(_start_change_hub(window.screen, relay))
            )
        )
        # After the first paint: faxes come in and are read in the background.
        launcher.window_shown.connect(
            lambda window: QTimer.singleShot(
                0, lambda: stops.append(_start_inbox_watcher(window, launcher.lock))
            )
        )
        # After the first paint too: never block the start for a backup.
        launcher.window_shown.connect(
            lambda window: QTimer.singleShot(0, lambda: _back_up_if_due(window))
        )
        try:
            if person_mode:
                launcher.start_for_persons(url, runner, relay)
            elif launcher.screen is None:
                launcher.start_before_database(opening, runner, relay)
            else:
                launcher.start(facts)
            return app.exec()
        finally:
            for stop in stops:
                stop()
            runner.wait_for_idle()
            launcher.close_demo()
            opening.close()
    finally:
        reporter.uninstall()
