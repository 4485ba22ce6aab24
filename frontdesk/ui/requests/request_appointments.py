"""The appointments booked from one consultation request, listed in its detail pane."""

from __future__ import annotations

from datetime import UTC, tzinfo
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import lookup
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.screen_context import ScreenContext

NONE_YET = "None booked yet. Once the request is ready, Schedule… finds a free time."


def _read(context: ServiceContext, request_id: int) -> tuple[list[AppointmentData], tzinfo]:
    """Runs off the UI thread."""
    return (
        lookup.appointments_for_request(context, request_id),
        practice_clock.practice_zone(context),
    )


def appointment_line(item: AppointmentData, zone: tzinfo) -> str:
    """One appointment in a few words, its status in text (never colour alone)."""
    start, end = item.start.astimezone(zone), item.end.astimezone(zone)
    status = item.status.label
    if item.status is AppointmentStatus.CANCELLED and item.cancelled_by is not None:
        status += f" {item.cancelled_by.label.lower()}"
        if item.cancel_reason:
            status += f": {item.cancel_reason}"
    return (
        f"{start:%a %m/%d/%Y %H:%M}–{end:%H:%M}  {item.type_name} with {item.provider_name}"
        f" at {item.location_name} · {status}"
    )


# The list of a request's appointments: about four lines, then it scrolls.
LIST_HEIGHT = 90


class RequestAppointments(QGroupBox):
    """``changed`` fires after an appointment opened from here was changed (cancelled,
    moved, marked), so the request around it can be read again; ``loaded`` after each read."""

    changed = Signal()
    loaded = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__("Appointments", parent)
        self.screen = screen
        self.request_id: int | None = None
        self.items: list[AppointmentData] = []
        # Replaced by the practice's zone at the first read, before anything is shown.
        self.zone: tzinfo = UTC
        self.dialog: QDialog | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Appointments of this request")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda _item: self.open_selected())
        self.open_button = QPushButton("&Open appointment…")
        self.open_button.setToolTip("See, move or cancel the selected appointment (Enter)")
        self.open_button.clicked.connect(self.open_selected)
        self.open_button.setEnabled(False)
        self.list.currentRowChanged.connect(lambda _row: self._update_actions())
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(self.list)
        column.addLayout(buttons)

    def load(self, request_id: int | None) -> None:
        self.request_id = request_id
        if request_id is None:
            self._show([])
            return
        self.screen.runner.run(
            partial(_read, self.screen.services, request_id),
            partial(self._loaded, request_id),
            self._failed,
        )

    def _loaded(self, request_id: int, result: tuple[list[AppointmentData], tzinfo]) -> None:
        if request_id != self.request_id:
            return  # another request was opened meanwhile
        items, self.zone = result
        self._show(items)
        self.loaded.emit()

    def _failed(self, message: str) -> None:
        self.list.clear()
        self.list.addItem(f"The appointments could not be read: {message}")
        self.items = []
        self._update_actions()

    def _show(self, items: list[AppointmentData]) -> None:
        self.items = items
        self.list.clear()
        if not items:
            self.list.addItem(NONE_YET)
        for item in items:
            row = QListWidgetItem(appointment_line(item, self.zone))
            row.setData(Qt.ItemDataRole.UserRole, item.id)
            self.list.addItem(row)
        # The next one still to come is the one to open.
        upcoming = [index for index, item in enumerate(items) if item.holds_time]
        if items:
            self.list.setCurrentRow(upcoming[0] if upcoming else len(items) - 1)
        # Nothing booked: the two lines that say so, not an empty box and a greyed button
        # taking the room the records checklist needs in a short pane.
        self.open_button.setVisible(bool(items))
        two_lines = 2 * self.list.fontMetrics().lineSpacing() + 2 * self.list.frameWidth() + 8
        self.list.setMaximumHeight(LIST_HEIGHT if items else two_lines)
        self._update_actions()

    def selected(self) -> AppointmentData | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _update_actions(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    def open_selected(self) -> QDialog | None:
        item = self.selected()
        if item is None:
            return None
        from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog

        dialog = AppointmentDialog(self.screen, item.id, self)
        dialog.changed.connect(lambda _data: self.changed.emit())
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog
