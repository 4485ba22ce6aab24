"""Reference cycles are freed on the GUI thread, never in a worker that happened to allocate."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import ClassVar

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from frontdesk.ui.main_thread_gc import collect_on_main_thread
from frontdesk.ui.runner import Runner


class Cycle:
    """An object kept alive only by a cycle; notes the thread that frees it."""

    freed_in: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.freed_in.append(threading.current_thread().name)


def test_cycles_are_freed_on_the_gui_thread_not_in_a_worker(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert app is not None
    collect_on_main_thread(app)
    assert not gc.isenabled()
    Cycle.freed_in.clear()
    made: list[weakref.ref[Cycle]] = []

    def allocate_in_a_worker() -> None:
        # Far past the collector's first threshold: with automatic collection, the
        # worker itself would free the cycles.
        for _ in range(gc.get_threshold()[0] * 3):
            made.append(weakref.ref(Cycle()))

    runner = Runner()
    done: list[bool] = []
    runner.run(allocate_in_a_worker, lambda _none: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert Cycle.freed_in == []  # the worker freed nothing
    qtbot.waitUntil(lambda: all(ref() is None for ref in made), timeout=5_000)
    assert set(Cycle.freed_in) == {threading.main_thread().name}
