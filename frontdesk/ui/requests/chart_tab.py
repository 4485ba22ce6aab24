"""The chart's "Requests" tab: this patient's consultation requests and where each stands."""

from __future__ import annotations

from datetime import tzinfo
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import DATE, clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import data, reading
from frontdesk.services.requests.data import RequestData
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner

COLUMNS = ("Received", "State", "Urgency", "Category", "Referred by", "Assigned to")


def _read(context: ServiceContext, patient_id: int) -> tuple[list[RequestData], tzinfo]:
    """Runs off the UI thread: the chart's requests and the practice's zone to date them."""
    return reading.requests_for_patient(context, patient_id), practice_clock.practice_zone(context)


class PatientRequestsTab(QWidget):
    """``loaded(list[RequestData])`` fires each time the list is on screen."""

    loaded = Signal(list)

    def __init__(
        self, screen: ScreenContext, patient_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient_id = patient_id
        self.items: list[RequestData] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Consultation requests")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.empty = EmptyState(
            "No consultation requests for this patient",
            "Requests recorded in the Requests area (Ctrl+N there) for this patient are "
            "listed here with their state.",
        )
        self.banner = Banner()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.load()

    def load(self) -> None:
        self.screen.runner.run(
            partial(_read, self.screen.services, self.patient_id),
            lambda read: self.show_requests(*read),
            lambda message: self.banner.show_message("error", message),
        )

    def show_requests(self, items: list[RequestData], zone: tzinfo) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            state = item.state.label
            if item.closed_reason is not None:
                state += f" ({item.closed_reason.label.lower()})"
            values = (
                clock_text(item.received_at, zone, DATE),
                state,
                item.urgency.label + (" · red flag" if item.red_flags else ""),
                item.category.label,
                item.referrer_name or "—",
                item.assignee_name or "Unassigned",
            )
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.stack.setCurrentWidget(self.table if items else self.empty)
        self.loaded.emit(items)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, data.TABLES):
            self.load()
