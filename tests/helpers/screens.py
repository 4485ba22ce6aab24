"""A screen context for a UI test: a fresh runner, waited for when the test is done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QCoreApplication, QObject

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext

# What the offscreen platform says of windows it cannot size, raise or give the keyboard to.
QT_NOISE = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@contextmanager
def open_screen(context: ServiceContext, changes: QObject | None = None) -> Iterator[ScreenContext]:
    """On leaving, the runner's background work finishes and what it sent is delivered, so
    no result arrives after the database is gone."""
    runner = Runner()
    yield ScreenContext(context, runner, changes)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


@contextmanager
def desk_style() -> Iterator[None]:
    """The app's own style (Fusion, its font, its style sheet) for the test's widgets, as
    the desk has it: a bigger font clips what the bare test style leaves whole. The bare
    style comes back afterwards, for the tests that follow in the same process."""
    from PySide6.QtWidgets import QApplication

    from frontdesk.ui.style import apply_style

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style_name, palette, font = app.style().name(), app.palette(), app.font()
    sheet = app.styleSheet()
    apply_style(app)
    try:
        yield
    finally:
        app.setStyleSheet(sheet)
        app.setFont(font)
        app.setPalette(palette)
        app.setStyle(style_name)
