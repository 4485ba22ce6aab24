"""The one way screens run service calls: on a worker thread, results back on the UI thread."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from frontdesk.domain.errors import AccessChangedError, DatabaseUnavailableError, FrontDeskError
from frontdesk.domain.progress import Cancelled
from frontdesk.logs import log_file, redacted_traceback

log = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Something went wrong and the action did not finish; nothing was half-saved. "
    "Try again; if it keeps happening, send the log file {log} to your support contact."
)


def user_message(error: BaseException) -> str:
    """What the person at the desk reads: our own errors verbatim, others calmly."""
    if isinstance(error, FrontDeskError):
        return str(error)
    return UNEXPECTED_ERROR.format(log=log_file())


Failure = Callable[[Exception], None]


class Task(QObject):
    """A running call. Its public signals fire on the UI thread, where it was created.

    The worker thread only emits the private ``_finished_*`` signals; because the task lives
    on the UI thread, Qt queues them there and the slots below re-emit them. Tasks have no
    parent and stay referenced in ``_ALIVE`` until delivered, so a screen (or Runner) that
    goes away mid-call cannot leave a worker emitting into a deleted object.
    """

    succeeded = Signal(object)
    failed = Signal(str)
    progressed = Signal(int, int)
    cancelled = Signal()
    done = Signal()

    _finished_ok = Signal(object)
    _finished_error = Signal(object)
    _finished_cancelled = Signal()
    _progress = Signal(int, int)

    def __init__(
        self,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        failure: Failure | None = None,
    ) -> None:
        super().__init__()
        if on_error is not None and failure is not None:
            raise ValueError("give a call on_error (the message) or failure (the error), not both")
        self._cancel = threading.Event()
        self._on_result = on_result
        self._on_error = on_error
        self._failure = failure
        self._finished_ok.connect(self._deliver_ok)
        self._finished_error.connect(self._deliver_error)
        self._finished_cancelled.connect(self._deliver_cancelled)
        self._progress.connect(self.progressed)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def report_progress(self, done: int, total: int) -> bool:
        """A ProgressCallback for services; returns False once the user cancelled."""
        self._progress.emit(done, total)
        return not self._cancel.is_set()

    @Slot(object)
    def _deliver_ok(self, result: object) -> None:
        self._settle(self._on_result, result, self.succeeded, result)

    @Slot(object)
    def _deliver_error(self, error: Exception) -> None:
        message = user_message(error)
        if self._failure is not None:
            self._settle(self._failure, error, self.failed, message)
        else:
            self._settle(self._on_error, message, self.failed, message)

    @Slot()
    def _deliver_cancelled(self) -> None:
        try:
            self.cancelled.emit()
        finally:
            self._finish()

    def _settle(
        self, callback: Callable[[Any], None] | None, value: object, signal: Any, payload: object
    ) -> None:
        try:
            if callback is not None:
                _deliver(callback, value)
            signal.emit(payload)
        finally:
            self._finish()

    def _finish(self) -> None:
        self.done.emit()
        _ALIVE.discard(self)
        self.deleteLater()


def _deliver(callback: Callable[..., None], *args: object) -> None:
    """Call a screen back; a screen closed while its call ran simply misses the result."""
    try:
        callback(*args)
    except RuntimeError as error:
        if "already deleted" not in str(error):
            raise
        log.info("a finished call's screen was closed before the result arrived")


_ALIVE: set[Task] = set()


class RunnerEvents(QObject):
    """App-wide news from every Runner, for watchers such as the connection monitor.

    ``database_unavailable(message)`` fires (queued to the UI thread, before the failing
    call's own ``on_error`` or ``failure``) whenever a service call failed with
    DatabaseUnavailableError.
    """

    database_unavailable = Signal(str)
    # The database refused the signed-in person because an admin changed their account
    # (AccessChangedError): the workstation lock signs them out with this message.
    access_changed = Signal(str)


RUNNER_EVENTS = RunnerEvents()


class _Job(QRunnable):
    def __init__(self, task: Task, call: Callable[[], Any]) -> None:
        super().__init__()
        self.task = task
        self.call = call

    def run(self) -> None:
        try:
            result = self.call()
        except Cancelled:
            self.task._finished_cancelled.emit()
        except FrontDeskError as error:
            log.info("service call refused: %s", type(error).__name__)
            if isinstance(error, DatabaseUnavailableError):
                RUNNER_EVENTS.database_unavailable.emit(user_message(error))
            if isinstance(error, AccessChangedError):
                RUNNER_EVENTS.access_changed.emit(user_message(error))
            self.task._finished_error.emit(error)
        except Exception as error:
            # The message may quote patient data: the log gets the type and code path only.
            log.error(
                "service call failed\n%s",
                redacted_traceback(type(error), error, error.__traceback__),
            )
            self.task._finished_error.emit(error)
        else:
            if self.task.is_cancelled:
                self.task._finished_cancelled.emit()
            else:
                self.task._finished_ok.emit(result)


class Runner(QObject):
    """Starts service calls on a thread pool.

    ``run(call, on_result, on_error)``: ``call`` runs off the UI thread; ``on_result`` or
    ``on_error`` (with a user-facing message) run on the UI thread. A screen that handles
    some errors in place (a field's message, a conflict to reload, an overbook to confirm)
    passes ``failure=`` instead and gets the exception itself, as Anki's ``QueryOp(failure=)``
    does; ``user_message(error)`` is then what to show for the others. Unexpected errors are
    logged (type and code path, never the message: it may quote patient data) either way.
    ``run_with_progress`` passes the call a progress callback that also carries Cancel.
    """

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()

    def run(
        self,
        call: Callable[[], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        *,
        failure: Failure | None = None,
    ) -> Task:
        return self._start(lambda _task: call(), on_result, on_error, failure)

    def run_with_progress(
        self,
        call: Callable[[Callable[[int, int], bool]], Any],
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        *,
        failure: Failure | None = None,
    ) -> Task:
        return self._start(lambda task: call(task.report_progress), on_result, on_error, failure)

    def _start(
        self,
        call: Callable[[Task], Any],
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[str], None] | None,
        failure: Failure | None,
    ) -> Task:
        task = Task(on_result, on_error, failure)
        _ALIVE.add(task)
        self.pool.start(_Job(task, lambda: call(task)))
        return task

    def wait_for_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until every started call has finished (used at shutdown and in tests)."""
        return self.pool.waitForDone(timeout_ms)


class LatestOnly:
    """Runs calls so that only the newest one's result is delivered (search as you type)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._counter = itertools.count(1)
        self._latest = 0

    def run(
        self,
        call: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[str], None] | None = None,
        *,
        failure: Failure | None = None,
    ) -> Task:
        ticket = self._latest = next(self._counter)

        def deliver(result: Any) -> None:
            if ticket == self._latest:
                on_result(result)

        def fail(error: Exception) -> None:
            if ticket != self._latest:
                return
            if failure is not None:
                failure(error)
            elif on_error is not None:
                on_error(user_message(error))

        return self.runner.run(call, deliver, failure=fail)
