"""The records-request letter from a request: choose who it goes to and what, then print or save."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.plurals import counted
from frontdesk.services.requests import letters
from frontdesk.services.requests.data import LetterResult, RequestDetail
from frontdesk.ui.handouts.printing import make_printer, print_pdfs
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

PDF_FILTER = "PDF files (*.pdf)"


class RecordsLetterDialog(QDialog):
    """``done_with(LetterResult)`` fires after the letter was printed or saved."""

    done_with = Signal(object)

    def __init__(
        self, screen: ScreenContext, detail: RequestDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.detail = detail
        self.printer: QPrinter | None = None
        self.print_dialog: QPrintDialog | None = None
        self.setWindowTitle("Records-request letter")
        self.setAccessibleName("Records-request letter")
        r = detail.request
        self.addressee = QComboBox()
        self.addressee.setEditable(True)
        self.addressee.setAccessibleName("Letter to")
        for name in letters.letter_addressees(detail):
            self.addressee.addItem(name)
        self.items = QListWidget()
        self.items.setAccessibleName("Records to ask for")
        for item in detail.missing:
            row = QListWidgetItem(item.label + (f" — {item.source}" if item.source else ""))
            row.setData(Qt.ItemDataRole.UserRole, item.id)
            row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            row.setCheckState(Qt.CheckState.Checked)
            self.items.addItem(row)
        self.banner = Banner()
        self.save_button = mark_primary(QPushButton("&Save as PDF…"))
        self.save_button.clicked.connect(self.choose_file)
        self.print_button = QPushButton("&Print…")
        self.print_button.clicked.connect(self.choose_printer)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"Ask for {r.patient_name}'s records (born {r.date_of_birth:%m/%d/%Y})",
                "sectionTitle",
                wrap=True,
            )
        )
        layout.addWidget(plain_label("Letter to"))
        layout.addWidget(self.addressee)
        layout.addWidget(plain_label("Records to ask for (printing marks them requested today)"))
        layout.addWidget(self.items, 1)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(560, 420))
        self.holders: list[letters.RecordHolder] = []
        self.addressee.currentTextChanged.connect(self._check_held_items)
        # Who holds each record comes from the history (the surgery's hospital, the study's
        # centre): read off the UI thread, then the choices and the records say so.
        screen.runner.run(
            partial(letters.letter_holders, screen.services, detail.request.id),
            self._show_holders,
            lambda _message: None,  # the intake's names stay; the letter still works
        )

    def _show_holders(self, holders: list[letters.RecordHolder]) -> None:
        self.holders = [holder for holder in holders if holder.name]
        if not self.holders:
            return
        typed = self.addressee.currentText()
        self.addressee.blockSignals(True)
        self.addressee.clear()
        for holder in self.holders:
            self.addressee.addItem(holder.name)
        self.addressee.blockSignals(False)
        self.items.clear()
        for holder in self.holders:
            for item, text in zip(holder.items, holder.item_texts, strict=True):
                row = QListWidgetItem(f"{text} — {holder.name}")
                row.setData(Qt.ItemDataRole.UserRole, item.id)
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                row.setCheckState(Qt.CheckState.Checked)
                self.items.addItem(row)
        index = self.addressee.findText(typed)
        self.addressee.setCurrentIndex(max(index, 0))
        self._check_held_items(self.addressee.currentText())

    def _check_held_items(self, name: str) -> None:
        """Choosing a holder ticks the records they hold (one letter per holder)."""
        holder = next((h for h in self.holders if h.name == name), None)
        if holder is None:
            return
        held = {item.id for item in holder.items}
        for row in range(self.items.count()):
            entry = self.items.item(row)
            wanted = int(entry.data(Qt.ItemDataRole.UserRole)) in held
            entry.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def chosen_ids(self) -> list[int]:
        return [
            int(self.items.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.items.count())
            if self.items.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _letter_call(self) -> partial[LetterResult]:
        return partial(
            letters.records_request_letter,
            self.screen.services,
            self.detail.request.id,
            addressee=self.addressee.currentText(),
            item_ids=self.chosen_ids(),
        )

    def choose_file(self) -> None:
        path = save_file_name(
            self,
            FileKind.LETTER,
            "Save the letter",
            f"records-request-{self.detail.request.mrn}.pdf",
            PDF_FILTER,
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        call = self._letter_call()

        def write() -> LetterResult:
            result = call()
            path.write_bytes(result.pdf)
            return result

        self.screen.runner.run(write, partial(self._done, f"Saved to {path.name}"), self._fail)

    def choose_printer(self) -> None:
        self.printer = printer = make_printer("letter")
        printer.setDocName("Records-request letter")
        dialog = QPrintDialog(printer, self)
        dialog.accepted.connect(lambda: self.print_to(printer))
        self.print_dialog = dialog
        QDialog.open(dialog)

    def print_to(self, printer: QPrinter) -> None:
        call = self._letter_call()

        def print_letter() -> LetterResult:
            result = call()
            print_pdfs(printer, [result.pdf])
            return result

        self.screen.runner.run(print_letter, partial(self._done, "Sent to the printer"), self._fail)

    def _done(self, text: str, result: LetterResult) -> None:
        records = counted(len(result.items), "record")
        self.banner.show_message("success", f"{text}: letter to {result.addressee} ({records}).")
        self.done_with.emit(result)

    def _fail(self, message: str) -> None:
        self.banner.show_message("error", message)
