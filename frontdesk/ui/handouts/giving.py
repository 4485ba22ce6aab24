"""Print or save rendered handouts and log each one as given, without freezing the screen.

Rendering, drawing the pages on the printer and logging run on the Runner (Qt supports
painting on a QPrinter from a worker thread). Nothing is logged unless the handout really
reached the printer or the file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QPushButton, QWidget

from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.handout_prints import PrintRecord, RenderedHandout
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.connection_monitor import PAUSED_REASON, refused_while_paused, saving_allowed
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.handouts.printing import make_printer, print_pdfs, printer_name
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.file_dialogs import FileKind, file_dialog
from frontdesk.ui.widgets.form import Banner

# Renders the handouts to give; runs on a worker thread.
RenderCall = Callable[[], list[RenderedHandout]]

PDF_FILTER = "PDF files (*.pdf)"


def given_sentence(records: list[PrintRecord]) -> str:
    """ "Printed 2 handouts on Front desk HP." / "Saved Estenosis espinal as a PDF."."""
    if not records:
        return "Nothing was given."
    what = f'"{records[0].title}"' if len(records) == 1 else f"{len(records)} handouts"
    destination = records[0].destination
    if destination.startswith(handout_prints.PRINTER):
        where = destination.removeprefix(handout_prints.PRINTER)
        return f"Printed {what} on {where}; recorded under the chart's Handouts given."
    return f"Saved {what} as PDF; recorded under the chart's Handouts given."


class HandoutGiving(QObject):
    """The Print… and Save as PDF… actions shared by the area, the dialog and the chart tab.

    ``given(list[PrintRecord])`` fires once everything is printed or saved and logged;
    ``failed(message)`` when anything went wrong (then nothing more is logged).
    """

    given = Signal(list)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, services: ServiceContext, runner: Runner, parent: QWidget) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.parent_widget = parent
        self.busy = False
        self.dialog: QPrintDialog | QFileDialog | None = None
        self.printer: QPrinter | None = None

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _fail(self, message: str) -> None:
        if not still_there(self):
            return
        self._set_busy(False)
        self.failed.emit(message)

    def _done(self, records: list[PrintRecord]) -> None:
        if not still_there(self):
            return  # logged all the same; the window that asked is gone
        self._set_busy(False)
        self.given.emit(records)

    def why_not(self, can_print: bool) -> str:
        """Why Print and Save cannot run now whatever is chosen ("" when they can)."""
        if not can_print:
            return "Your role may not print handouts; ask an administrator."
        if self.busy:
            return "Working…"
        if not saving_allowed():
            return PAUSED_REASON
        return ""

    # Printing ----------------------------------------------------------------------------

    def print_chosen(
        self,
        banner: Banner,
        gives: Callable[[], RenderCall | None],
        button: QPushButton,
        page_size: str,
    ) -> bool:
        """Print… or Ctrl+P: the system print dialog for what ``gives`` renders; nothing
        while saving is paused (a handout given is recorded) or ``button`` is off."""
        if refused_while_paused(banner):
            return False
        render = gives()
        if render is None or not button.isEnabled():
            return False
        self.print_dialog(render, page_size)
        return True

    def print_dialog(self, render: RenderCall, page_size: str = "letter") -> QPrintDialog:
        """The system print dialog; printing starts when the user confirms."""
        # Kept here: the dialog only points at the printer, which must outlive it.
        self.printer = printer = make_printer(page_size)
        dialog = QPrintDialog(printer, self.parent_widget)
        dialog.setWindowTitle("Print handouts")
        dialog.accepted.connect(lambda: self.print_to(printer, render))
        self.dialog = dialog
        QDialog.open(dialog)  # PySide's QPrintDialog.open() wants a receiver; this is Qt's
        return dialog

    def print_to(self, printer: QPrinter, render: RenderCall) -> None:
        self._set_busy(True)
        services = self.services

        def print_and_log() -> list[PrintRecord]:
            items = render()
            print_pdfs(printer, [item.pdf for item in items])
            # Logged in the same call as the printing: a window closed meanwhile cannot leave
            # a printed handout that the chart does not list.
            destination = handout_prints.printer_destination(printer_name(printer))
            return [handout_prints.record_given(services, item, destination) for item in items]

        self.runner.run(print_and_log, self._done, self._fail)

    # Saving ------------------------------------------------------------------------------

    def save_dialog(self, render: RenderCall, suggested_names: list[str]) -> QFileDialog:
        """One handout: choose the file. Several: choose a folder (one PDF each)."""
        dialog = file_dialog(self.parent_widget, FileKind.HANDOUT)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        if len(suggested_names) == 1:
            dialog.setWindowTitle("Save handout as PDF")
            dialog.setFileMode(QFileDialog.FileMode.AnyFile)
            dialog.setNameFilter(PDF_FILTER)
            dialog.setDefaultSuffix("pdf")
            dialog.selectFile(suggested_names[0])
            dialog.fileSelected.connect(lambda path: self.save_file(Path(path), render))
        else:
            dialog.setWindowTitle(f"Choose a folder for the {len(suggested_names)} PDFs")
            dialog.setFileMode(QFileDialog.FileMode.Directory)
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
            dialog.fileSelected.connect(lambda path: self.save_into_folder(Path(path), render))
        self.dialog = dialog
        dialog.open()
        return dialog

    def save_file(self, path: Path, render: RenderCall) -> None:
        """Save the one handout ``render`` gives to ``path`` (its name made safe)."""
        self._set_busy(True)

        def save() -> list[PrintRecord]:
            return [handout_prints.save_given(self.services, item, path) for item in render()]

        self.runner.run(save, self._done, self._fail)

    def save_into_folder(self, folder: Path, render: RenderCall) -> None:
        """Save each handout as its own PDF in ``folder``, named for the handout and patient."""
        self._set_busy(True)

        def save() -> list[PrintRecord]:
            return [
                handout_prints.save_given(self.services, item, folder / item.file_name())
                for item in render()
            ]

        self.runner.run(save, self._done, self._fail)
