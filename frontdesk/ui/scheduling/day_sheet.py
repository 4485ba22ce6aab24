"""The day sheet dialog: choose the day and providers, see the pages, print or save the PDF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.plurals import counted
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice.forms import ProviderData
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import day_sheet
from frontdesk.services.scheduling.data import DaySheetPdf
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.handouts.preview import LivePreview, still_there
from frontdesk.ui.handouts.printing import make_printer, print_pdfs, printer_name
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.page_view import PageView
from frontdesk.ui.widgets.screen_fit import fit_to_screen

PDF_FILTER = "PDF files (*.pdf)"
# What a sheet shows: a change to any of these redraws the preview.
TABLES = frozenset(
    {"appointments", "patients", "imaging_studies", "prior_surgeries", "request_checklist_items"}
)


def day_edit(accessible_name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(accessible_name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd MM/dd/yyyy")
    return edit


def day_of(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


class DaySheetDialog(QDialog):
    """``printed(DaySheetPdf)`` fires after the sheet went to the printer or a file."""

    printed = Signal(object)

    def __init__(
        self,
        screen: ScreenContext,
        day: date,
        provider_ids: Sequence[int] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.wanted = list(provider_ids) if provider_ids is not None else None
        self.busy = False
        self.printer: QPrinter | None = None
        self.print_dialog: QPrintDialog | None = None
        self.setWindowTitle("Day sheet")
        self.setAccessibleName("Day sheet")

        self.day = day_edit("Day", day)
        self.day.setToolTip(
            "Alt+Down opens the calendar; Ctrl+PgUp / Ctrl+PgDown: the day before or after"
        )
        self.day.dateChanged.connect(self.refresh)
        self.providers = QListWidget()
        self.providers.setAccessibleName("Providers on the sheet")
        self.providers.setToolTip("Space ticks or unticks a provider")
        self.providers.setMaximumHeight(120)
        self.providers.itemChanged.connect(self.refresh)
        self.view = PageView(screen.runner)
        self.preview = LivePreview(screen.runner, self.view, self)
        self.preview.shown.connect(self._shown)
        self.banner = Banner()
        self.print_button = mark_primary(QPushButton("&Print…"))
        self.print_button.setToolTip("Print the day sheet (Ctrl+P); recorded in each chart")
        self.print_button.clicked.connect(self.choose_printer)
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setToolTip("Save the day sheet as a PDF file (Ctrl+S)")
        self.save_button.clicked.connect(self.choose_file)
        close = QPushButton("Close")
        close.setToolTip("Esc")
        close.clicked.connect(self.reject)
        for button in (self.print_button, self.save_button):
            follow_saving_gate(button, busy=lambda: self.busy, ready=self._can_output)
        QShortcut(QKeySequence.StandardKey.Print, self, self.choose_printer)
        QShortcut(QKeySequence.StandardKey.Save, self, self.choose_file)
        QShortcut(QKeySequence("Ctrl+PgUp"), self, partial(self.step, -1))
        QShortcut(QKeySequence("Ctrl+PgDown"), self, partial(self.step, 1))

        top = QHBoxLayout()
        top.addWidget(plain_label("Day"))
        top.addWidget(self.day)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(plain_label("Providers (none ticked: everyone with appointments)"))
        layout.addWidget(self.providers)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(980, 760))
        self._update_buttons()
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.view.show_message("Drawing the day sheet…")
        screen.runner.run(
            partial(list_providers, screen.services, include_inactive=True),
            self._show_providers,
            self._failed,
        )

    # --- what is on the sheet ---------------------------------------------------------------

    def _show_providers(self, providers: list[ProviderData]) -> None:
        if not still_there(self):
            return
        self.providers.blockSignals(True)
        for provider in providers:
            if not provider.active and (self.wanted is None or provider.id not in self.wanted):
                continue
            item = QListWidgetItem(provider.display_name)
            item.setData(Qt.ItemDataRole.UserRole, provider.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = self.wanted is not None and provider.id in self.wanted
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.providers.addItem(item)
        self.providers.blockSignals(False)
        self.refresh()

    def chosen_providers(self) -> list[int] | None:
        """The ticked providers; None (everyone with appointments) when none is ticked."""
        ticked = [
            int(self.providers.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.providers.count())
            if self.providers.item(row).checkState() == Qt.CheckState.Checked
        ]
        return ticked or None

    def chosen_day(self) -> date:
        return day_of(self.day)

    def step(self, days: int) -> None:
        self.day.setDate(self.day.date().addDays(days))

    def refresh(self) -> None:
        self.banner.clear()
        self.preview.show(
            partial(
                day_sheet.preview_day_sheet,
                self.screen.services,
                self.chosen_day(),
                self.chosen_providers(),
            )
        )
        self._update_buttons()

    def _shown(self, rendered: DaySheetPdf) -> None:
        count = rendered.data.appointment_count
        self.view.setAccessibleDescription(
            f"{counted(count, 'appointment')} on {rendered.data.day:%m/%d/%Y}"
        )
        self._update_buttons()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES) and not self.busy:
            self.preview.show(self.preview.call)

    def _can_output(self) -> bool:
        return not self.busy and self.preview.call is not None

    def _update_buttons(self) -> None:
        ready = self._can_output() and saving_allowed()
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- printing and saving ------------------------------------------------------------------

    def choose_printer(self) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        self.printer = printer = make_printer("letter")
        printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        printer.setDocName("Day sheet")
        dialog = QPrintDialog(printer, self)
        dialog.accepted.connect(lambda: self.print_to(printer))
        self.print_dialog = dialog
        QDialog.open(dialog)

    def print_to(self, printer: QPrinter) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        call = partial(
            day_sheet.print_day_sheet,
            self.screen.services,
            self.chosen_day(),
            self.chosen_providers(),
            printer=printer_name(printer),
        )

        def print_sheet() -> DaySheetPdf:
            printed = call()
            print_pdfs(printer, [printed.pdf])
            return printed

        self._start(print_sheet, partial(self._done, "Sent to the printer"))

    def choose_file(self) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        path = save_file_name(
            self,
            FileKind.DAY_SHEET,
            "Save the day sheet",
            day_sheet.default_file_name(self.chosen_day()),
            PDF_FILTER,
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> None:
        if self.busy or refused_while_paused(self.banner):
            return
        call = partial(
            day_sheet.save_day_sheet,
            self.screen.services,
            self.chosen_day(),
            self.chosen_providers(),
            path,
        )
        self._start(call, partial(self._done, f"Saved to {path.name}"))

    def _start(self, call: object, on_result: object) -> None:
        self.busy = True
        self._update_buttons()
        self.banner.show_message("info", "Preparing the day sheet…")
        self.screen.runner.run(call, on_result, self._failed)  # type: ignore[arg-type]

    def _done(self, text: str, printed: DaySheetPdf) -> None:
        if not still_there(self):
            return
        self.busy = False
        count = printed.data.appointment_count
        self.banner.show_message(
            "success",
            f"{text}: the day sheet for {printed.data.day:%m/%d/%Y} "
            f"({counted(count, 'appointment')}).",
        )
        self._update_buttons()
        self.printed.emit(printed)

    def _failed(self, message: str) -> None:
        if not still_there(self):
            return
        self.busy = False
        self.banner.show_message("error", message)
        self._update_buttons()
