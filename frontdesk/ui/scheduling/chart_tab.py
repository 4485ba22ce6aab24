"""The chart's "Appointments" tab: this patient's visits, upcoming first, and booking one."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import data as scheduling_data
from frontdesk.services.scheduling import lookup
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.scheduling.dialog_fields import when_text
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, plain_label

COLUMNS = ("Date", "Time", "Type", "Provider", "Location", "Status", "Reason")
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def upcoming_first(items: list[AppointmentData], now: datetime) -> list[AppointmentData]:
    """Coming visits soonest first, then past ones most recent first."""
    coming = sorted((item for item in items if item.end > now), key=lambda item: item.start)
    past = sorted(
        (item for item in items if item.end <= now), key=lambda item: item.start, reverse=True
    )
    return coming + past


def _read(context: ServiceContext, patient_id: int) -> tuple[list[AppointmentData], tzinfo]:
    """Runs off the UI thread."""
    return (
        lookup.appointments_for_patient(context, patient_id),
        practice_clock.practice_zone(context),
    )


class PatientAppointmentsTab(QWidget):
    """``loaded(list[AppointmentData])`` fires each time the list is on screen, in its order."""

    loaded = Signal(list)

    def __init__(
        self, screen: ScreenContext, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient_id = patient_id
        self.items: list[AppointmentData] = []
        self.zone: tzinfo = UTC
        self.dialog: QDialog | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Appointments")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_row(row))
        self.table.installEventFilter(self)
        self.empty = EmptyState(
            "No appointments for this patient",
            "Book the first visit with Book appointment…; visits booked from the Schedule "
            "also show here.",
            ("Book appointment…", self.book),
        )
        self.book_button = QPushButton("&Book appointment…")
        self.book_button.setToolTip("Book a visit for this patient")
        self.book_button.clicked.connect(self.book)
        toolbar = QHBoxLayout()
        toolbar.addWidget(plain_label("Enter or double-click opens an appointment.", "hint"))
        toolbar.addStretch(1)
        toolbar.addWidget(self.book_button)
        self.banner = Banner()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.load()

    def load(self) -> None:
        self.screen.runner.run(
            partial(_read, self.screen.services, self.patient_id),
            self._show,
            lambda message: self.banner.show_message("error", message),
        )

    def _show(self, result: tuple[list[AppointmentData], tzinfo]) -> None:
        items, zone = result
        self.zone = zone
        self.show_appointments(upcoming_first(items, datetime.now(UTC)), zone)

    def show_appointments(self, items: list[AppointmentData], zone: tzinfo) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            start, end = item.start.astimezone(zone), item.end.astimezone(zone)
            status = item.status.label + (" (overbook)" if item.overbooked else "")
            values = (
                f"{start:%a %m/%d/%Y}",
                f"{start:%H:%M}–{end:%H:%M}",
                item.type_name,
                item.provider_name,
                item.location_name,
                status,
                item.reason,
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(ID_ROLE, item.id)
                self.table.setItem(row, column, cell)
        self.stack.setCurrentWidget(self.table if items else self.empty)
        self.loaded.emit(items)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, scheduling_data.TABLES):
            self.load()

    def open_row(self, row: int) -> QDialog | None:
        if not 0 <= row < len(self.items):
            return None
        from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog

        dialog = AppointmentDialog(self.screen, self.items[row].id, self)
        # The chart is already open: no second chart window from here.
        dialog.chart_button.hide()
        dialog.changed.connect(lambda _data: self.load())
        self.dialog = dialog
        dialog.open()
        return dialog

    def book(self) -> QDialog:
        from frontdesk.ui.scheduling.book_dialog import BookDialog

        dialog = BookDialog(self.screen, patient_id=self.patient_id, parent=self)
        dialog.booked.connect(self._booked)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _booked(self, data: AppointmentData) -> None:
        self.banner.show_message(
            "success",
            f"Booked {data.type_name} with {data.provider_name}, "
            f"{when_text(data.start, data.end, self.zone)}.",
        )
        self.load()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.open_row(self.table.currentRow())
            return True
        return super().eventFilter(watched, event)
