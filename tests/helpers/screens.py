"""A screen context for a UI test: a fresh runner, waited for when the test is done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QObject

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext


@contextmanager
def open_screen(context: ServiceContext, changes: QObject | None = None) -> Iterator[ScreenContext]:
    """On leaving, the runner's background work finishes and what it sent is delivered, so
    no result arrives after the database is gone."""
    runner = Runner()
    yield ScreenContext(context, runner, changes)
    runner.wait_for_idle()
    QCoreApplication.processEvents()
