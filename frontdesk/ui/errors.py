"""The last line of defence: an unexpected exception is logged and explained calmly.

The log gets the exception's type and the code path (files, lines, functions) but not the
exception's message or any variable's value: messages are built from data and can carry a
patient's name or date of birth, and the log must never hold PHI.
"""

from __future__ import annotations

import logging
import sys
import threading
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from frontdesk.logs import log_file, redacted_traceback

log = logging.getLogger("frontdesk.unexpected")

DIALOG_TITLE = "Something went wrong"
DIALOG_TEXT = (
    "Front Desk ran into an unexpected problem with what you just did. That action may not "
    "have finished, but the app is still running and what was already saved is safe."
)
DIALOG_ADVICE = (
    "Check that your last change looks right, then carry on. If this keeps happening, "
    "send the log file to your support contact:\n{log}"
)


class ExceptionReporter(QObject):
    """Logs unexpected exceptions from any thread and shows one calm dialog on the UI thread."""

    # Queued to the UI thread when an exception happens on a worker thread.
    occurred = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: QMessageBox | None = None
        self.repeats = 0
        self.occurred.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        if sys.excepthook == self.handle:
            sys.excepthook = self._previous_hook
        if threading.excepthook == self._handle_thread:
            threading.excepthook = self._previous_thread_hook

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("Unexpected error\n%s", redacted_traceback(kind, error, trace))
        self.occurred.emit(kind.__name__)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str)
    def _show_dialog(self, _kind: str) -> None:
        # One dialog at a time: an error repeated in a paint event must not bury the desk.
        if self.dialog is not None and self.dialog.isVisible():
            self.repeats += 1
            self.dialog.setInformativeText(
                DIALOG_ADVICE.format(log=log_file())
                + f"\n\n(The problem happened {self.repeats + 1} times.)"
            )
            return
        self.repeats = 0
        parent: QWidget | None = QApplication.activeWindow()
        dialog = QMessageBox(parent)
        dialog.setIcon(QMessageBox.Icon.Warning)
        dialog.setWindowTitle(DIALOG_TITLE)
        dialog.setTextFormat(Qt.TextFormat.PlainText)
        dialog.setText(DIALOG_TEXT)
        dialog.setInformativeText(DIALOG_ADVICE.format(log=log_file()))
        dialog.setStandardButtons(QMessageBox.StandardButton.Ok)
        dialog.button(QMessageBox.StandardButton.Ok).setText("Carry on")
        dialog.setAccessibleName(DIALOG_TITLE)
        dialog.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._forget_dialog)
        self.dialog = dialog
        # open(), not exec(): the app keeps running while the message is on screen.
        dialog.open()

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None


def install_exception_hook(parent: QObject | None = None) -> ExceptionReporter:
    reporter = ExceptionReporter(parent)
    reporter.install()
    return reporter
