"""One change notification: which kinds of record (table names) a committed action changed.

Screens subscribe through the UI's bridge; other workstations learn of changes through
:mod:`frontdesk.services.platform.change_watch`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

log = logging.getLogger(__name__)

ChangeListener = Callable[[frozenset[str]], None]

# Sent when another workstation changed something but not what (SQLite's data_version).
EVERYTHING: frozenset[str] = frozenset({"*"})

# Identifies this process in PostgreSQL notifications, so it can ignore its own echoes.
PROCESS_TOKEN = uuid.uuid4().hex[:12]


class ChangeBus:
    """Calls every listener with the set of changed tables after each commit."""

    def __init__(self) -> None:
        self._listeners: list[ChangeListener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, tables: frozenset[str]) -> None:
        if not tables:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(tables)
            except Exception:  # one broken view must not stop the others refreshing
                log.exception("change listener failed")


def touches(changed: frozenset[str], interesting: frozenset[str] | set[str]) -> bool:
    """Whether a change notification concerns a view that shows ``interesting`` tables."""
    return "*" in changed or not changed.isdisjoint(interesting)
