"""The UI's one change signal: this app's commits and other workstations', on the UI thread.

Screens connect to ``ChangeHub.changed`` and refresh when ``touches(tables, what_they_show)``.
Changes arrive from any thread (a Runner worker that committed, the change watcher's thread);
the hub gathers them and emits once per burst on the thread it lives on, the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

from frontdesk.services.kernel.changes import EVERYTHING
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.change_watch import ChangeWatcher, watch_changes

log = logging.getLogger(__name__)


class ChangeHub(QObject):
    """Emits ``changed(frozenset of table names)`` on the UI thread after any commit.

    ``"*"`` in the set (``EVERYTHING``) means another workstation changed something
    unknown: every open view refreshes.
    """

    changed = Signal(object)
    # Crosses from whichever thread saw the change to the hub's thread.
    _flush_requested = Signal()

    def __init__(
        self,
        context: ServiceContext,
        parent: QObject | None = None,
        *,
        watch_other_workstations: bool = True,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.watch_other_workstations = watch_other_workstations
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._active = False
        self._unsubscribe: Callable[[], None] | None = None
        self._watcher: ChangeWatcher | None = None
        # Queued even when the change happens on the UI thread: a view then refreshes after
        # the action that caused it has finished, never in the middle of it.
        self._flush_requested.connect(self._flush, Qt.ConnectionType.QueuedConnection)

    def start(self) -> None:
        if self._active:
            return
        self._active = True
        self._unsubscribe = self.context.changes.subscribe(self._arrived)
        if self.watch_other_workstations:
            self._watcher = watch_changes(self.context.database, self._arrived)

    def stop(self) -> None:
        """Stop listening (at shutdown); nothing is emitted after this returns."""
        self._active = False
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        with self._lock:
            self._pending.clear()

    @property
    def is_watching_other_workstations(self) -> bool:
        return self._watcher is not None and self._watcher.is_running

    def wait_until_watching(self, timeout: float | None = None) -> bool:
        """Block until other workstations' commits will be seen (tests, start-up checks)."""
        return self._watcher is not None and self._watcher.wait_until_watching(timeout)

    def _arrived(self, tables: frozenset[str]) -> None:
        """Called on any thread: gather, and ask the UI thread to emit once for the burst."""
        if not self._active:
            return
        with self._lock:
            first = not self._pending
            self._pending |= tables
        if first:
            try:
                self._flush_requested.emit()
            except RuntimeError:  # the hub's C++ side is gone: the app is closing
                log.debug("change arrived after the hub was deleted")

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            tables = frozenset(self._pending)
            self._pending.clear()
        if not tables or not self._active:
            return
        self.changed.emit(EVERYTHING if "*" in tables else tables)
