"""Export every patient chart to a CSV file: choose where, progress with Cancel, a result box."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import patient_export
from frontdesk.services.patients.patient_export import ExportResult
from frontdesk.ui.runner import Runner, Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name

TITLE = "Export patients"


class PatientExport(QObject):
    """One export in progress. ``finished(kind, text)``: kind is "done", "cancelled" or
    "error"; the same text is shown to the user in a message box (``message_box``)."""

    finished = Signal(str, str)

    def __init__(
        self, parent: QWidget | None, services: ServiceContext, runner: Runner, path: Path
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.path = path
        self.result: ExportResult | None = None
        self.message_box: QMessageBox | None = None
        self.progress_dialog = QProgressDialog(f"Writing {path.name}…", "Cancel", 0, 100, parent)
        self.progress_dialog.setWindowTitle(TITLE)
        self.progress_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress_dialog.setMinimumDuration(0)
        self.progress_dialog.setAutoClose(False)
        self.progress_dialog.setAutoReset(False)
        self.progress_dialog.setValue(0)

        def work(progress: ProgressCallback) -> ExportResult:
            # The save dialog already asked before replacing an existing file.
            return patient_export.export_patients(services, path, overwrite=True, progress=progress)

        self.task: Task = runner.run_with_progress(work, self._done, self._failed)
        self.task.progressed.connect(self._progressed)
        self.task.cancelled.connect(self._cancelled)
        self.progress_dialog.canceled.connect(self.cancel)
        self.progress_dialog.show()

    def cancel(self) -> None:
        self.progress_dialog.setLabelText("Cancelling…")
        self.task.cancel()

    def _progressed(self, done: int, total: int) -> None:
        self.progress_dialog.setValue(int(done * 100 / total) if total else 100)

    def _done(self, result: ExportResult) -> None:
        self.result = result
        self._finish(
            "done",
            f"{result.summary()}\n\nThe file holds every patient's details: keep it safe. "
            "The export is recorded in the audit trail.",
        )

    def _cancelled(self) -> None:
        self._finish("cancelled", "The export was cancelled; no file was written.")

    def _failed(self, message: str) -> None:
        self._finish("error", f"The export did not finish: {message}")

    def _finish(self, kind: str, text: str) -> None:
        self.progress_dialog.hide()
        self.progress_dialog.deleteLater()
        box = QMessageBox(
            QMessageBox.Icon.Warning if kind == "error" else QMessageBox.Icon.Information,
            TITLE,
            text,
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()
        self.finished.emit(kind, text)


def export_patients(
    parent: QWidget | None,
    context: ServiceContext | ScreenContext,
    runner: Runner | None = None,
    *,
    path: Path | str | None = None,
) -> PatientExport | None:
    """Ask where to save (unless ``path`` is given), then export off the UI thread.

    Returns the running export, or None when the user may not export or chose no file.
    """
    services = context.services if isinstance(context, ScreenContext) else context
    if runner is None:
        if not isinstance(context, ScreenContext):
            raise ValueError("a runner is needed")
        runner = context.runner
    if not services.actor.can(Permission.IMPORT_EXPORT):
        box = QMessageBox(
            QMessageBox.Icon.Information,
            TITLE,
            "Only an administrator can export the patient list.",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return None
    # The practice's day names the file, not the computer's (another zone, near midnight).
    today = practice_clock.today(services)
    if path is None:
        chosen = save_file_name(
            parent,
            FileKind.PATIENT_EXPORT,
            TITLE,
            patient_export.default_export_name(today),
            "CSV files (*.csv)",
        )
        if not chosen:
            return None
        path = chosen
    return PatientExport(parent, services, runner, patient_export.export_destination(path, today))
