"""The runner: calls run off the UI thread and report back on it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import QCoreApplication, QThread
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.progress import report_or_cancel
from frontdesk.ui.runner import LatestOnly, Runner, user_message


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


def test_a_refusal_reaches_failure_as_the_exception_itself_on_the_ui_thread(
    qtbot: QtBot, runner: Runner
) -> None:
    refusal = ValidationError({"date_of_birth": "is in the future"})

    def call() -> None:
        raise refusal

    seen: list[tuple[Exception, bool]] = []
    messages: list[str] = []
    task = runner.run(call, failure=lambda error: seen.append((error, _on_ui_thread())))
    task.failed.connect(messages.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert seen == [(refusal, True)]
    assert isinstance(seen[0][0], ValidationError)
    assert seen[0][0].fields == {"date_of_birth": "is in the future"}
    # Watchers of the task still read the sentence.
    assert messages == [str(refusal)]


def test_an_unexpected_error_reaches_failure_and_reads_calmly(
    qtbot: QtBot, runner: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    patient_name = "María José Núñez-García"

    def call() -> None:
        raise KeyError(patient_name)

    errors: list[Exception] = []
    task = runner.run(call, failure=errors.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert len(errors) == 1 and isinstance(errors[0], KeyError)
    assert "nothing was half-saved" in user_message(errors[0])
    assert "KeyError" in caplog.text
    assert patient_name not in caplog.text


def test_a_call_takes_the_message_or_the_error_not_both(runner: Runner) -> None:
    with pytest.raises(ValueError, match="not both"):
        runner.run(lambda: None, on_error=print, failure=print)


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


def test_only_the_latest_search_failure_is_delivered(qtbot: QtBot, runner: Runner) -> None:
    slow_release = threading.Event()
    latest = LatestOnly(runner)
    errors: list[str] = []
    messages: list[str] = []

    def slow() -> str:
        slow_release.wait(5)
        raise ConflictError("stale")

    def fresh() -> str:
        raise ConflictError("fresh")

    first = latest.run(slow, print, failure=lambda error: errors.append(str(error)))
    second = latest.run(fresh, print, failure=lambda error: errors.append(str(error)))
    with qtbot.waitSignal(second.done, timeout=5000):
        pass
    slow_release.set()
    with qtbot.waitSignal(first.done, timeout=5000):
        pass
    third = latest.run(fresh, print, messages.append)
    with qtbot.waitSignal(third.done, timeout=5000):
        pass
    assert errors == ["fresh"]
    assert messages == ["fresh"]


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
