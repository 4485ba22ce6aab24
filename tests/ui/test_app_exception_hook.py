"""An unexpected exception: a calm dialog, the app keeps running, the traceback goes to the log
without the exception's message (which may carry patient data)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from frontdesk.logs import log_file, setup_logging
from frontdesk.ui.errors import ExceptionReporter

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PHI = "María José Núñez-García, born 1961-03-04, 555-201-3344"


@pytest.fixture
def reporter() -> Iterator[ExceptionReporter]:
    setup_logging()
    hook = ExceptionReporter()
    hook.install()
    yield hook
    hook.uninstall()
    if hook.dialog is not None:
        hook.dialog.close()


def log_size() -> int:
    return log_file().stat().st_size if log_file().exists() else 0


def new_log_text(start: int) -> str:
    with log_file().open("rb") as handle:
        handle.seek(start)
        return handle.read().decode("utf-8")


def open_chart_for(name: str) -> None:
    raise ValueError(f"cannot open the chart of {name}")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_calm_dialog_and_the_app_keeps_running(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    start = log_size()
    QTimer.singleShot(0, lambda: open_chart_for(PHI))
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert dialog is not None
    shown = f"{dialog.windowTitle()} {dialog.text()} {dialog.informativeText()}"
    assert "still running" in shown
    assert str(log_file()) in shown
    assert "Núñez" not in shown

    logged = new_log_text(start)
    assert "Traceback (most recent call last)" in logged
    assert "ValueError" in logged
    assert "open_chart_for" in logged and "test_app_exception_hook.py" in logged
    for fragment in ("Núñez", "María", "1961", "555-201"):
        assert fragment not in logged

    # The event loop still runs: later work happens as usual.
    later: list[str] = []
    QTimer.singleShot(0, lambda: later.append("ran"))
    qtbot.waitUntil(lambda: later == ["ran"])


@pytest.mark.qt_no_exception_capture
def test_repeated_errors_share_one_dialog(qtbot: QtBot, reporter: ExceptionReporter) -> None:
    for _ in range(3):
        QTimer.singleShot(0, lambda: open_chart_for(PHI))
    qtbot.waitUntil(lambda: reporter.repeats == 2)
    dialog = reporter.dialog
    assert dialog is not None and dialog.isVisible()
    assert "3 times" in dialog.informativeText()


def test_an_exception_on_a_worker_thread_is_logged_and_shown_on_the_ui_thread(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    start = log_size()
    worker = threading.Thread(target=open_chart_for, args=(PHI,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    logged = new_log_text(start)
    assert "ValueError" in logged and "Núñez" not in logged


def test_a_chained_exception_logs_both_parts_without_messages(
    qtbot: QtBot, reporter: ExceptionReporter
) -> None:
    start = log_size()
    try:
        try:
            open_chart_for(PHI)
        except ValueError as error:
            raise KeyError(PHI) from error
    except KeyError as error:
        reporter.handle(KeyError, error, error.__traceback__)
    qtbot.waitUntil(lambda: reporter.dialog is not None)
    logged = new_log_text(start)
    assert "ValueError" in logged and "KeyError" in logged
    assert "Núñez" not in logged
