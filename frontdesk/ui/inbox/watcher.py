"""The inbox's background work while the app runs: every few seconds one pass over the
watched folders and the e-fax mailbox, and the arrived documents read one at a time.

Both run on a runner of their own (two threads), so a long OCR or a slow mail server never
holds up the screens' own calls. A pass never overlaps the previous one; each folder keeps
its ``FolderWatch`` between passes (a file is taken once its size stood still between two
looks). A problem (a folder out of reach, the mailbox refusing the password) is said once
in the status bar, again only after it went away and came back. The watcher acts as the
signed-in user: ``WatcherSessions`` pauses it behind the lock and starts a new one for the
next user.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.services.inbox import mailbox, reading, sources
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.inbox.mailbox import Mailbox
from frontdesk.services.inbox.sources import FetchReport
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import Runner, user_message
from frontdesk.ui.screen_context import ScreenContext

log = logging.getLogger(__name__)

INTERVAL_MS = 5_000
SETTINGS_TABLES = frozenset({"settings"})
# How long the status bar shows a problem or what arrived.
MESSAGE_MS = 30_000


@dataclass
class SourceWatch:
    """What one workstation watches, kept between passes (only one pass runs at a time)."""

    watches: dict[Path, FolderWatch] = field(default_factory=dict)
    box: Mailbox | None = None
    configured: bool = False

    def reconfigure(self, found: sources.Sources) -> None:
        """Follow the settings; a folder still watched keeps what it saw."""
        self.watches = {
            folder: self.watches.get(folder) or FolderWatch(folder) for folder in found.folders
        }
        self.box = found.mailbox
        self.configured = True

    def fetch(self, context: ServiceContext, reload: bool) -> FetchReport:
        """One pass (on a worker thread); ``reload`` reads the settings first."""
        if reload or not self.configured:
            self.reconfigure(sources.configured(context))
        password = mailbox.stored_password(self.box) if self.box is not None else None
        return sources.fetch(context, self.watches, self.box, password)


def read_next(context: ServiceContext, cancelled: Callable[[], bool]) -> int | None:
    """Read the oldest unread document, a page at a time; its id, or None when none waits."""
    if cancelled():
        return None
    document_id = reading.claim_next(context)
    if document_id is None:
        return None
    reading.read_document(context, document_id, cancelled=cancelled)
    return document_id


def arrival_text(report: FetchReport) -> str:
    """ "2 new documents in the inbox.", or "" when nothing new came."""
    if not report.new:
        return ""
    return f"{counted(report.new, 'new document')} in the inbox."


def problems_of(report: FetchReport) -> list[str]:
    """The sources that could not be read and the files refused (a refused file that cannot
    get its note beside it is refused again each pass: said once all the same)."""
    refused = [f"Not taken into the inbox: {arrival.message}" for arrival in report.refused]
    return [*report.problems, *refused]


class InboxWatcher(QObject):
    """``problem(str)`` fires once per problem; ``arrived(str)`` when documents came;
    ``pass_done(FetchReport)`` after every pass (tests wait for it)."""

    problem = Signal(str)
    arrived = Signal(str)
    pass_done = Signal(object)

    def __init__(
        self,
        screen: ScreenContext,
        *,
        interval_ms: int = INTERVAL_MS,
        runner: Runner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        if runner is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(2)  # one pass and one reading at a time
            runner = Runner(self, pool)
        self.runner = runner
        self.state = SourceWatch()
        self.shown: set[str] = set()
        self.fetching = False
        self.reading = False
        self._reload = True
        self._stop = threading.Event()
        self._active = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)

    @property
    def is_running(self) -> bool:
        return self._active

    def start(self) -> None:
        if self._active:
            return
        self._active = True
        self._stop = threading.Event()  # a reading cancelled before belongs to the old one
        self._timer.start()
        self.tick()

    def stop(self) -> None:
        """No new work; a reading stops after its page. Nothing is reported after this."""
        self._active = False
        self._timer.stop()
        self._stop.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until this watcher's own calls have finished (quitting, tests)."""
        return self.runner.wait_for_idle(timeout_ms)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, SETTINGS_TABLES):
            self._reload = True

    # The passes ----------------------------------------------------------------------------

    def tick(self) -> None:
        if not self._active:
            return
        if not self.fetching:
            self.fetching = True
            reload, self._reload = self._reload, False
            services, state = self.screen.services, self.state
            self.runner.run(
                lambda: state.fetch(services, reload),
                self._fetched,
                failure=self._fetch_failed,
            )
        self.read_more()

    def _fetched(self, report: FetchReport) -> None:
        self.fetching = False
        if not self._active:
            return
        self._show_problems(problems_of(report))
        text = arrival_text(report)
        if text:
            self.arrived.emit(text)
        if report.new:
            self.read_more()
        self.pass_done.emit(report)

    def _fetch_failed(self, error: Exception) -> None:
        # The database itself (the connection monitor says so) or a bug (logged by the runner).
        self.fetching = False
        if self._active:
            self._reload = True
            message = f"The inbox could not check for new documents: {user_message(error)}"
            self._show_problems([message])
            self.pass_done.emit(None)

    def _show_problems(self, problems: list[str]) -> None:
        current = set(problems)
        for text in problems:
            if text not in self.shown:
                log.info("inbox source problem shown in the status bar")
                self.problem.emit(text)
        # A problem that went away is said again if it comes back.
        self.shown = current

    # Reading -------------------------------------------------------------------------------

    def read_more(self) -> None:
        if not self._active or self.reading:
            return
        self.reading = True
        services, stop = self.screen.services, self._stop
        self.runner.run(
            lambda: read_next(services, stop.is_set), self._read, failure=self._read_failed
        )

    def _read(self, document_id: int | None) -> None:
        self.reading = False
        if document_id is not None:
            self.read_more()  # the next one at once; None: wait for the next pass

    def _read_failed(self, _error: Exception) -> None:
        self.reading = False  # tried again on the next pass


class WatcherSessions(QObject):
    """One watcher per signed-in session: stopped behind the lock, started again at unlock,
    replaced by the next user's on a switch. ``stop()`` at quit."""

    def __init__(
        self,
        window: QObject,
        lock: QObject | None,
        *,
        interval_ms: int = INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.watcher: InboxWatcher | None = None
        self.window: QObject | None = None
        self.stopped: list[InboxWatcher] = []
        if lock is not None:
            lock.locked.connect(self.pause)  # type: ignore[attr-defined]
            lock.unlocked.connect(self.resume)  # type: ignore[attr-defined]
            lock.user_switched.connect(self.switch)  # type: ignore[attr-defined]
        self.switch(window)

    def switch(self, window: QObject) -> None:
        self._retire()
        self.window = window
        screen: ScreenContext = window.screen  # type: ignore[attr-defined]
        if not screen.services.actor.can(Permission.EDIT_REQUESTS):
            return  # a user who cannot take documents in does not fetch them either
        watcher = InboxWatcher(screen, interval_ms=self.interval_ms, parent=self)
        watcher.problem.connect(self._say)
        watcher.arrived.connect(self._say)
        self.watcher = watcher
        watcher.start()

    def pause(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def resume(self) -> None:
        if self.watcher is not None:
            self.watcher.start()

    def stop(self, timeout_ms: int = 30_000) -> None:
        """At quit: stop and wait for the work already started (a reading ends after its page)."""
        self._retire()
        for watcher in self.stopped:
            watcher.wait(timeout_ms)

    def _retire(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.stopped.append(self.watcher)
            self.watcher = None

    def _say(self, text: str) -> None:
        window = self.window
        if window is None or not shiboken6.isValid(window):
            return
        window.statusBar().showMessage(text, MESSAGE_MS)  # type: ignore[attr-defined]
