"""The referrals report: requests per referring physician and category per month, to CSV."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.plurals import counted
from frontdesk.services.requests import report
from frontdesk.services.requests.data import ReferralReportRow
from frontdesk.services.requests.report import REPORT_COLUMNS
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.file_dialogs import FileKind, save_file_name
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen


class ReferralsReportDialog(QDialog):
    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.practice_day = PracticeDay(screen.services)  # typed days' two-digit years
        self.rows: list[ReferralReportRow] = []
        self.setWindowTitle("Referrals report")
        self.setAccessibleName("Referrals report")
        self.received_from = line_edit("Received from", "from MM/DD/YYYY")
        self.received_to = line_edit("Received to", "to MM/DD/YYYY")
        for edit in (self.received_from, self.received_to):
            edit.returnPressed.connect(self.load)
        show = QPushButton("&Show")
        show.clicked.connect(self.load)
        self.export_button = mark_primary(QPushButton("&Export CSV…"))
        self.export_button.clicked.connect(self.choose_file)
        self.table = QTableWidget(0, len(REPORT_COLUMNS))
        self.table.setAccessibleName("Requests per referring physician and month")
        self.table.setHorizontalHeaderLabels(list(REPORT_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.banner = Banner()
        top = QHBoxLayout()
        top.addWidget(plain_label("Received"))
        top.addWidget(self.received_from)
        top.addWidget(self.received_to)
        top.addWidget(show)
        top.addStretch(1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        fit_to_screen(self, QSize(900, 560))
        self.load()

    def _dates(self) -> tuple[object, object] | None:
        days = []
        for edit in (self.received_from, self.received_to):
            text = edit.text().strip()
            try:
                days.append(parse_date(text, today=self.practice_day()) if text else None)
            except InvalidValue as error:
                self.banner.show_message("error", f"{edit.accessibleName()}: {error}")
                return None
        return days[0], days[1]

    def load(self) -> None:
        dates = self._dates()
        if dates is None:
            return
        call = partial(
            report.referrals_report,
            self.screen.services,
            received_from=dates[0],  # type: ignore[arg-type]
            received_to=dates[1],  # type: ignore[arg-type]
        )
        self.screen.runner.run(
            call, self.show_rows, lambda message: self.banner.show_message("error", message)
        )

    def show_rows(self, rows: list[ReferralReportRow]) -> None:
        self.rows = rows
        self.banner.clear()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = (
                row.month,
                row.referrer or "(no referring physician)",
                row.category.label,
                str(row.requests),
                str(row.booked),
                str(row.closed),
                str(row.open),
            )
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))
        if not rows:
            self.banner.show_message("info", "No requests were received in these dates.")

    def choose_file(self) -> None:
        path = save_file_name(
            self,
            FileKind.REPORT,
            "Export the referrals report",
            "referrals.csv",
            "CSV files (*.csv)",
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        text = report.referrals_csv(self.rows)

        def write() -> int:
            path.write_text(text, encoding="utf-8-sig")
            return len(self.rows)

        self.screen.runner.run(
            write,
            lambda count: self.banner.show_message(
                "success", f"Exported {counted(count, 'row')} to {path.name}."
            ),
            lambda message: self.banner.show_message("error", message),
        )
