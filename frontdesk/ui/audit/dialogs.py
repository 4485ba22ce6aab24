"""An audit entry's details, and a patient's access report (printed on the letterhead,
savable as CSV)."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.platform import access_report, audit_trail
from frontdesk.services.platform.audit_trail import AuditEntryData, AuditFilter, PatientAccessReport
from frontdesk.services.platform.audit_wording import DETAIL_LENGTH, report_details
from frontdesk.ui.audit.display import (
    action_text,
    detail_rows,
    patient_text,
    record_text,
    when_text,
)
from frontdesk.ui.handouts.printing import print_pdfs
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.screen_fit import fit_to_screen


def plain_table(headers: tuple[str, ...], rows: list[tuple[str, ...]], name: str) -> QTableWidget:
    """A read-only table of text; item views paint text as typed, never as markup."""
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setToolTip(plain_tooltip(value))
            table.setItem(row, column, item)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    for column in range(len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    return table


def _selectable(text: str) -> QLabel:
    label = plain_label(text, wrap=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class EntryDetailsDialog(QDialog):
    """Who did what to which record, when and where; for a change, each field before/after."""

    def __init__(
        self,
        entry: AuditEntryData,
        patient: PatientSummary | None,
        zone: tzinfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.entry = entry
        title = f"Audit entry #{entry.id}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        facts = QFormLayout()
        self.facts: dict[str, QLabel] = {}
        for key, caption, value in (
            ("when", "When", when_text(entry.at, zone)),
            ("user", "User", entry.username),
            ("workstation", "Workstation", entry.workstation or "—"),
            ("action", "Action", action_text(entry.action)),
            ("record", "Record", record_text(entry)),
            ("patient", "Patient", patient_text(patient, entry.patient_id) or "—"),
        ):
            label = _selectable(value)
            label.setAccessibleName(caption)
            self.facts[key] = label
            facts.addRow(f"{caption}:", label)
        headers, rows = detail_rows(entry)
        self.table = plain_table(headers, rows, "What was recorded")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(title, "sectionTitle"))
        layout.addLayout(facts)
        if rows:
            layout.addWidget(plain_label("What was recorded", "sectionTitle"))
            layout.addWidget(self.table, 1)
        else:
            layout.addWidget(plain_label("Nothing more was recorded for this entry.", "hint"))
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(760, 520))

    def rows(self) -> list[tuple[str, ...]]:
        return [
            tuple(self.table.item(row, column).text() for column in range(self.table.columnCount()))
            for row in range(self.table.rowCount())
        ]


_ReadReport = tuple[PatientAccessReport, tzinfo, dict[int, str]]


def _read_report(context: ServiceContext, patient_id: int) -> _ReadReport:
    """Runs off the UI thread: the report, the practice's zone to show its times in and the
    providers' names to say appointment changes with (as the printed report does)."""
    return (
        audit_trail.patient_access_report(context, patient_id),
        practice_clock.practice_zone(context),
        access_report.provider_names(context),
    )


def printer_label(printer: QPrinter) -> str:
    """Where a print went, for the disclosure record (a PDF's file name may hold a name)."""
    if printer.outputFileName():
        return "PDF file"
    return printer.printerName() or "printer"


class AccessReportDialog(QDialog):
    """ "Who opened or changed this chart": per user, then every entry. Reading it is
    recorded; printing and saving it are recorded as disclosures."""

    def __init__(
        self,
        screen: ScreenContext,
        patient_id: int,
        patient: PatientSummary | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient_id = patient_id
        self.patient_label = patient_text(patient, patient_id)
        self.report: PatientAccessReport | None = None
        # Replaced by the practice's zone with the report, before any time is shown.
        self.zone: tzinfo = UTC
        self.providers: dict[int, str] = {}
        self.printed_pdf: bytes | None = None  # the last report sent to a printer
        self.setWindowTitle("Access report")
        self.setAccessibleName("Access report")
        self.banner = Banner()
        self.heading = plain_label(self.patient_label, "sectionTitle", wrap=True)
        self.heading.setAccessibleName("Patient")
        self.by_user = plain_table(
            ("User", "Opened or printed", "Changed", "First", "Last"), [], "By user"
        )
        self.entries = plain_table(
            ("When", "User", "Workstation", "Action", "Record", "Details"), [], "Every entry"
        )
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print the report (Ctrl+P); recorded as a disclosure")
        self.print_button.setShortcut("Ctrl+P")
        self.print_button.clicked.connect(self.choose_printer)
        self.csv_button = QPushButton("Save as CSV…")
        self.csv_button.setToolTip("Save every entry as a spreadsheet-safe CSV file")
        self.csv_button.clicked.connect(self.choose_csv_file)
        for button in (self.print_button, self.csv_button):
            button.setEnabled(False)
        close = QPushButton("Close")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Who opened or changed this chart", "pageTitle"))
        layout.addWidget(self.heading)
        layout.addWidget(self.banner)
        layout.addWidget(plain_label("By user", "sectionTitle"))
        layout.addWidget(self.by_user)
        layout.addWidget(plain_label("Every entry, newest first", "sectionTitle"))
        layout.addWidget(self.entries, 1)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(980, 680))
        self.banner.show_message("info", "Reading the audit trail…")
        call = partial(_read_report, screen.services, patient_id)
        screen.runner.run(call, self._show_read, self._failed)

    def _show_read(self, read: _ReadReport) -> None:
        report, self.zone, self.providers = read
        self._show(report)

    def _show(self, report: PatientAccessReport) -> None:
        self.report = report
        self.banner.clear()
        users = [
            (
                summary.username,
                str(summary.views),
                str(summary.changes),
                when_text(summary.first_at, self.zone),
                when_text(summary.last_at, self.zone),
            )
            for summary in report.by_user
        ]
        entries = [
            (
                when_text(entry.at, self.zone),
                entry.username,
                entry.workstation,
                action_text(entry.action),
                record_text(entry),
                # The printed report's words; a row on screen stays short (its tooltip whole).
                report_details(
                    entry.entity,
                    entry.action,
                    entry.details,
                    self.zone,
                    self.providers,
                    limit=DETAIL_LENGTH,
                ),
            )
            for entry in report.entries
        ]
        self._fill(self.by_user, users)
        self._fill(self.entries, entries)
        # The per-user summary is short: it takes the room its rows need, the list the rest.
        rows_height = sum(self.by_user.rowHeight(row) for row in range(len(users)))
        header = self.by_user.horizontalHeader().height()
        self.by_user.setMaximumHeight(
            min(240, header + rows_height + 2 * self.by_user.frameWidth() + 4)
        )
        if not report.entries:
            self.banner.show_message("info", "Nobody has opened or changed this chart yet.")
        for button in (self.print_button, self.csv_button):
            button.setEnabled(True)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(plain_tooltip(value))
                table.setItem(row, column, item)
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(
            table.columnCount() - 1, QHeaderView.ResizeMode.Stretch
        )

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", f"The report could not be made. {message}")

    # Printing -----------------------------------------------------------------------------

    def choose_printer(self) -> None:
        if self.report is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print the access report")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Draw the report on the letterhead (off the UI thread), print it, then record the
        disclosure with where it went."""
        report = self.report
        if report is None:
            return
        services, patient_id, where = self.screen.services, self.patient_id, printer_label(printer)

        def print_report() -> bytes:
            pdf = access_report.render_access_report(services, report)
            print_pdfs(printer, [pdf])
            return pdf

        self.banner.show_message("info", "Printing…")
        self.screen.runner.run(
            print_report,
            lambda pdf: self._record_print(pdf, services, patient_id, where),
            self._failed,
        )

    def _record_print(
        self, pdf: bytes, services: ServiceContext, patient_id: int, where: str
    ) -> None:
        self.printed_pdf = pdf
        call = partial(audit_trail.record_access_report_print, services, patient_id, where)
        self.screen.runner.run(call, lambda _none: self._printed(), self._failed_record)

    def _printed(self) -> None:
        self.banner.show_message("success", "Printed. The print is recorded in the audit trail.")

    def _failed_record(self, message: str) -> None:
        self.banner.show_message("error", f"Printed, but the print was not recorded. {message}")

    # CSV ----------------------------------------------------------------------------------

    def choose_csv_file(self) -> None:
        name = save_file_name(
            self,
            FileKind.AUDIT_EXPORT,
            "Save the access report",
            "access-report.csv",
            "CSV files (*.csv)",
        )
        if name:
            self.save_csv(Path(name))

    def save_csv(self, path: Path) -> None:
        if path.suffix.lower() != ".csv":
            path = path.with_name(path.name + ".csv")
        call = partial(
            audit_trail.export_csv,
            self.screen.services,
            AuditFilter(patient_id=self.patient_id),
            path,
        )
        self.banner.show_message("info", "Saving…")
        self.screen.runner.run(call, lambda rows: self._saved(path, rows), self._csv_failed)

    def _saved(self, path: Path, rows: int) -> None:
        self.banner.show_message(
            "success", f"Saved {rows:,} entries to {path}. The export is recorded in the trail."
        )

    def _csv_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Not saved. {message}")
