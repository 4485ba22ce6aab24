"""Pre-visit packets for a day: choose the day and provider, build with progress and Cancel,
then save one PDF per patient (or one combined PDF) or print them; every handout is logged.

Building (with Cancel), then printing and logging together, run on the Runner (Qt supports
painting on a QPrinter from a worker thread).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import FrontDeskError, ValidationError
from frontdesk.domain.handout_format import MAX_NOTE_LENGTH
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback
from frontdesk.services.handouts import handout_prints, packets
from frontdesk.services.handouts.packets import PacketBatch, PacketOptions, SavedPackets
from frontdesk.services.practice.forms import ProviderData
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.practice.settings import TWO_SIDED, get_setting
from frontdesk.ui.connection_monitor import (
    PAUSED_REASON,
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.handouts.options import PAPERS
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.handouts.printing import make_printer, print_pdfs, printer_name
from frontdesk.ui.runner import Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, file_dialog
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    ask_to_discard,
    form_layout,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.screen_fit import fit_to_screen

ALL_PROVIDERS = 0
TITLE = "Pre-visit packets"


class PacketsDialog(QDialog):
    """``finished_work(kind, text)``: kind is "saved", "printed", "cancelled" or "error"."""

    finished_work = Signal(str, str)
    providers_shown = Signal()

    def __init__(
        self,
        screen: ScreenContext,
        day: dt.date | None = None,
        provider_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.services = screen.services
        self.can_print = self.services.actor.can(Permission.PRINT_HANDOUTS)
        self.task: Task | None = None
        self.progress: QProgressDialog | None = None
        self.result: SavedPackets | None = None
        self.made = False  # packets were saved or printed: the note did its job
        self.printer: QPrinter | None = None
        self.print_dialog: QPrintDialog | None = None
        self.folder_dialog: QFileDialog | None = None
        self._wanted_provider = provider_id
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)

        day = day or dt.date.today() + dt.timedelta(days=1)
        self.day_edit = QDateEdit(QDate(day.year, day.month, day.day))
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd MM/dd/yyyy")
        self.day_edit.setAccessibleName("Day of the appointments")
        self.provider_box = QComboBox()
        self.provider_box.setAccessibleName("Provider")
        self.provider_box.addItem("All providers", ALL_PROVIDERS)
        self.combined = QCheckBox("&One combined PDF for the printer")
        self.combined.setToolTip("Otherwise one PDF per patient, in the folder you choose")
        self.large_print = QCheckBox("&Large print (16 pt) for every packet")
        self.large_print.setToolTip(
            "Without it, a packet is in large print when the patient's chart says so "
            "(“Prints in large print” on the patient form)"
        )
        self.summary = QCheckBox(
            "Also make the surgeon's &history summaries of new consultations (a file of their own)"
        )
        self.summary.setToolTip(
            "For the surgeon, in appointment order: never put in a patient's packet"
        )
        self.summary.setChecked(True)
        self.two_sided = QCheckBox("T&wo-sided: each patient starts on a new sheet")
        self.two_sided.setToolTip(
            "A page marked “intentionally left blank” ends a patient's part on the back of a "
            "sheet, so no sheet carries two patients (default: the practice's setting in Admin)"
        )
        self.two_sided.setChecked(True)
        self.paper = QComboBox()
        self.paper.setAccessibleName("Paper size")
        for label, code in PAPERS:
            self.paper.addItem(label, code)
        self.note = multiline_edit("Note in every letter", rows=2)
        self.note.setPlaceholderText("Optional: printed in every confirmation letter")
        self.note.setToolTip(f"Up to {MAX_NOTE_LENGTH} characters")

        self.fields = FormFields()
        form = form_layout()
        add_form_row(form, self.fields, "day", "&Day:", self.day_edit)
        add_form_row(form, self.fields, "provider", "P&rovider:", self.provider_box)
        form.addRow("", self.combined)
        form.addRow("", self.large_print)
        form.addRow("", self.summary)
        add_form_row(form, self.fields, "page_size", "&Paper:", self.paper)
        form.addRow("", self.two_sided)
        add_form_row(form, self.fields, "note", "&Note:", self.note)

        self.banner = Banner()
        self.hint = plain_label(
            "Each packet: a confirmation letter, “Preparing for your spine consultation” with "
            "the patient's own list of what to bring, and the handouts for their request, in "
            "their language where one exists, in large print when the chart says so. Every "
            "handout is recorded in the chart.",
            "hint",
            wrap=True,
        )
        self.save_button = mark_primary(QPushButton("&Save packets…"))
        self.save_button.setToolTip("Build the packets and save them as PDF files (Ctrl+S)")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.choose_folder)
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Build the packets and print them (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(self.print_packets)
        self.open_button = QPushButton("Open &folder")
        self.open_button.setVisible(False)
        self.open_button.clicked.connect(self.open_result)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.action_hint = plain_label("", "hint", wrap=True)

        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(TITLE, "pageTitle"))
        layout.addWidget(self.hint)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.action_hint)
        layout.addWidget(buttons)
        watch_saving_gate(self, lambda _allowed: self._update_actions())
        self._update_actions()
        fit_to_screen(self, QSize(620, 560))
        screen.runner.run(self._load_choices, self._show_choices, self._load_failed)

    # Choices ------------------------------------------------------------------------------

    def _load_choices(self) -> tuple[list[ProviderData], str, bool]:
        return (
            list_providers(self.services),
            handout_prints.practice_page_size(self.services),
            get_setting(self.services, TWO_SIDED),
        )

    def _show_choices(self, result: tuple[list[ProviderData], str, bool]) -> None:
        if not still_there(self):
            return
        providers, paper, two_sided = result
        self.two_sided.setChecked(two_sided)
        for provider in providers:
            self.provider_box.addItem(provider.display_name, provider.id)
        if self._wanted_provider is not None:
            index = self.provider_box.findData(self._wanted_provider)
            if index >= 0:
                self.provider_box.setCurrentIndex(index)
        index = self.paper.findData(paper)
        if index >= 0:
            self.paper.setCurrentIndex(index)
        self.providers_shown.emit()

    def _load_failed(self, message: str) -> None:
        if still_there(self):
            self.banner.show_message("error", message)

    def day(self) -> dt.date:
        value = self.day_edit.date()
        return dt.date(value.year(), value.month(), value.day())

    def provider_ids(self) -> list[int] | None:
        provider = int(self.provider_box.currentData() or ALL_PROVIDERS)
        return None if provider == ALL_PROVIDERS else [provider]

    def options(self, *, combined: bool | None = None) -> PacketOptions:
        return PacketOptions(
            combined=self.combined.isChecked() if combined is None else combined,
            large_print=self.large_print.isChecked(),
            note=self.note.toPlainText().strip(),
            page_size=str(self.paper.currentData()),
            include_summary=self.summary.isChecked(),
            two_sided=self.two_sided.isChecked(),
        )

    # Actions ------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.task is not None

    def _update_actions(self) -> None:
        ready = self.can_print and not self.busy and saving_allowed()
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        if not self.can_print:
            hint = "Your role may not print handouts; ask an administrator."
        elif not saving_allowed():
            hint = PAUSED_REASON  # every packet is recorded in the charts
        else:
            hint = ""
        self.action_hint.setText(hint)
        self.action_hint.setVisible(bool(hint))

    def choose_folder(self) -> QFileDialog | None:
        if refused_while_paused(self.banner) or not self.save_button.isEnabled():
            return None
        dialog = file_dialog(self, FileKind.HANDOUT, "Choose a folder for the packets")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda path: self.save_to(Path(path)))
        self.folder_dialog = dialog
        dialog.open()
        return dialog

    def _checked_options(self, *, combined: bool | None = None) -> PacketOptions | None:
        """The options, or None with the message next to the field that is wrong."""
        options = self.options(combined=combined)
        self.fields.clear_messages()
        try:
            packets.check_options(options, options.page_size or "letter")
        except ValidationError as error:
            self.fields.show_messages(error.fields)
            return None
        return options

    def save_to(self, folder: Path) -> Task | None:
        """Build and save into ``folder`` off the UI thread, with progress and Cancel."""
        if refused_while_paused(self.banner) or self.busy:
            return None
        options = self._checked_options()
        if options is None:
            return None
        services, day, providers = self.services, self.day(), self.provider_ids()

        def work(progress: ProgressCallback) -> SavedPackets:
            batch = packets.build_packets(services, day, providers, options, progress=progress)
            if batch.empty:
                raise FrontDeskError(f"There are no appointments on {day:%m/%d/%Y}.")
            return packets.save_packets(services, batch, folder)

        return self._start(work, self._saved, "Preparing the packets…")

    def print_packets(self) -> QPrintDialog | None:
        """The system print dialog; the packets are built and printed once it is accepted."""
        if refused_while_paused(self.banner) or not self.print_button.isEnabled():
            return None
        self.printer = printer = self.make_packet_printer()
        printer.setDocName(TITLE)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print pre-visit packets")
        dialog.accepted.connect(lambda: self.print_to(printer))
        self.print_dialog = dialog
        QDialog.open(dialog)
        return dialog

    def make_packet_printer(self) -> QPrinter:
        """A printer on the chosen paper; two-sided when the packets are laid out for it
        (the blank pages only keep patients apart if the printer prints both sides)."""
        printer = make_printer(str(self.paper.currentData()))
        if self.two_sided.isChecked():
            printer.setDuplex(QPrinter.DuplexMode.DuplexLongSide)
        return printer

    def print_to(self, printer: QPrinter) -> Task | None:
        if refused_while_paused(self.banner) or self.busy:
            return None
        options = self._checked_options(combined=True)
        if options is None:
            return None
        services, day, providers = self.services, self.day(), self.provider_ids()

        def work(progress: ProgressCallback) -> PacketBatch:
            batch = packets.build_packets(services, day, providers, options, progress=progress)
            if batch.empty or batch.combined_pdf is None:
                raise FrontDeskError(f"There are no appointments on {day:%m/%d/%Y}.")
            return batch

        return self._start(work, partial(self._drawn, printer), "Preparing the packets…")

    def _start(
        self,
        work: Callable[[ProgressCallback], Any],
        on_result: Callable[[Any], None],
        label: str,
    ) -> Task:
        self.banner.hide()
        self.progress = progress = QProgressDialog(label, "Cancel", 0, 100, self)
        progress.setWindowTitle(TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        task = self.screen.runner.run_with_progress(work, on_result, self._failed)
        task.progressed.connect(self._progressed)
        task.cancelled.connect(self._cancelled)
        progress.canceled.connect(self.cancel)
        progress.show()
        self.task = task
        self._update_actions()
        return task

    def cancel(self) -> None:
        if self.task is not None:
            if self.progress is not None:
                self.progress.setLabelText("Cancelling…")
            self.task.cancel()

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and still_there(self):
            self.progress.setValue(int(done * 100 / total) if total else 100)
            self.progress.setLabelText(f"Preparing packet {done} of {total}…")

    def _end(self) -> None:
        self.task = None
        if self.progress is not None:
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None
        self._update_actions()

    def _saved(self, saved: SavedPackets) -> None:
        if not still_there(self):
            return
        self._end()
        self.result = saved
        self.made = True
        self.open_button.setText("Open &PDF" if len(saved.files) == 1 else "Open &folder")
        self.open_button.setVisible(True)
        text = " ".join(filter(None, (saved.summary() + ".", saved.language_note())))
        self.banner.show_message("success", text)
        self.finished_work.emit("saved", text)

    def _drawn(self, printer: QPrinter, batch: PacketBatch) -> None:
        if not still_there(self):
            return  # closed before printing: nothing printed, nothing logged
        if self.progress is not None:
            self.progress.setLabelText("Sending the packets to the printer…")
            self.progress.setCancelButton(None)  # pages already sent cannot be called back
        where = printer_name(printer)
        services, pdf = self.services, batch.combined_pdf
        assert pdf is not None
        # The surgeon's summaries follow as their own stack (the packets end on whole
        # sheets when the practice prints two-sided), never inside a patient's packet.
        files = [pdf] if batch.summaries_pdf is None else [pdf, batch.summaries_pdf]

        def print_and_log() -> int:
            print_pdfs(printer, files)
            # Logged in the same call as the printing: closing the window meanwhile cannot
            # leave printed packets that the charts do not list.
            return packets.record_printed(services, batch, where)

        self.screen.runner.run(
            print_and_log,
            lambda logged: self._printed(len(batch.packets), logged, where),
            self._failed,
        )

    def _printed(self, count: int, logged: int, where: str) -> None:
        if not still_there(self):
            return
        self._end()
        self.made = True
        text = (
            f"Printed {count} packet{'s' if count != 1 else ''} on {where}; {logged} handouts "
            "recorded in the charts."
        )
        self.banner.show_message("success", text)
        self.finished_work.emit("printed", text)

    def _cancelled(self) -> None:
        if not still_there(self):
            return
        self._end()
        text = "Cancelled: no packet was saved or printed, and nothing was recorded."
        self.banner.show_message("info", text)
        self.finished_work.emit("cancelled", text)

    def _failed(self, message: str) -> None:
        if not still_there(self):
            return
        self._end()
        self.banner.show_message("error", message)
        self.finished_work.emit("error", message)

    def open_result(self) -> None:
        if self.result is None:
            return
        files = self.result.files
        target = files[0] if len(files) == 1 else files[0].parent
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    def reject(self) -> None:
        """Esc or Close: a running build is cancelled; a typed note is not lost unasked."""
        if self.busy:
            self.cancel()
            return
        if (
            self.note.toPlainText().strip()
            and not self.made
            and not ask_to_discard(
                self, TITLE, "Close without making the packets? The note you typed is lost."
            )
        ):
            return
        super().reject()
