"""The runner: calls run off the UI thread and report back on it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QCoreApplication, QThread
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import ConflictError
from frontdesk.domain.progress import report_or_cancel
from frontdesk.ui.runner import LatestOnly, Runner


@pytest.fixture
def runner(qtbot: QtBot) -> Runner:
    return Runner()


def _on_ui_thread() -> bool:
    app = QCoreApplication.instance()
    assert app is not None
    return QThread.currentThread() is app.thread()


def test_the_call_runs_off_the_ui_thread_and_the_result_arrives_on_it(
    qtbot: QtBot, runner: Runner
) -> None:
    seen: dict[str, object] = {}

    def call() -> int:
        seen["call_thread"] = threading.current_thread() is threading.main_thread()
        return 42

    def on_result(value: object) -> None:
        seen["value"], seen["ui"] = value, _on_ui_thread()

    task = runner.run(call, on_result)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen == {"call_thread": False, "value": 42, "ui": True}


def test_a_refusal_arrives_as_its_own_message(qtbot: QtBot, runner: Runner) -> None:
    def call() -> None:
        raise ConflictError("Bob changed this patient at 10:02")

    messages: list[str] = []
    task = runner.run(call, on_error=messages.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert messages == ["Bob changed this patient at 10:02"]


def test_an_unexpected_error_is_calm_and_logged(
    qtbot: QtBot, runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    patient_name = "María José Núñez-García"

    def call() -> None:
        raise KeyError(patient_name)

    messages: list[str] = []
    task = runner.run(call, on_error=messages.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert len(messages) == 1
    assert "nothing was half-saved" in messages[0]
    assert patient_name not in messages[0]
    assert "KeyError" in caplog.text
    assert patient_name not in caplog.text  # messages may quote patient data


def test_progress_reaches_the_ui_and_cancel_stops_the_work(qtbot: QtBot, runner: Runner) -> None:
    started = threading.Event()
    release = threading.Event()
    reached: list[int] = []

    def call(progress: Callable[[int, int], bool]) -> str:
        for done in range(1, 101):
            report_or_cancel(progress, done, 100)
            if done == 10:
                started.set()
                release.wait(5)
        return "finished"

    results: list[object] = []
    task = runner.run_with_progress(call, results.append)
    task.progressed.connect(lambda done, _total: reached.append(done))
    assert started.wait(5)
    task.cancel()
    release.set()
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        pass
    assert results == []
    assert reached and max(reached) <= 11


def test_only_the_latest_search_result_is_delivered(qtbot: QtBot, runner: Runner) -> None:
    slow_release = threading.Event()
    latest = LatestOnly(runner)
    delivered: list[str] = []

    def slow() -> str:
        slow_release.wait(5)
        return "stale"

    first = latest.run(slow, delivered.append)
    second = latest.run(lambda: "fresh", delivered.append)
    with qtbot.waitSignal(second.done, timeout=5000):
        pass
    slow_release.set()
    with qtbot.waitSignal(first.done, timeout=5000):
        pass
    assert delivered == ["fresh"]


def test_a_runner_dropped_mid_call_does_not_crash(qtbot: QtBot) -> None:
    release = threading.Event()
    results: list[object] = []
    task = Runner().run(lambda: release.wait(5) and "done", results.append)
    gc.collect()
    release.set()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    gc.collect()
    qtbot.wait(50)
    assert results == ["done"]


def test_a_screen_closed_mid_call_misses_the_result_quietly(qtbot: QtBot, runner: Runner) -> None:
    from PySide6.QtWidgets import QLabel, QWidget

    release = threading.Event()
    panel = QWidget()
    label = QLabel(panel)
    task = runner.run(lambda: release.wait(5) and "loaded", lambda text: label.setText(text))
    failing = runner.run(
        lambda: (release.wait(5), 1 / 0), on_error=lambda text: label.setText(text)
    )
    panel.deleteLater()
    qtbot.wait(20)  # the panel and its label are gone before the results arrive
    release.set()
    with qtbot.waitSignal(task.done, timeout=5000), qtbot.waitSignal(failing.done, timeout=5000):
        pass
