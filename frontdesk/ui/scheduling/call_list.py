"""The reminder call list: a day's booked appointments with phone numbers; each call's outcome
is marked with one key and the appointment's status follows (confirmed, cancelled)."""

from __future__ import annotations

from datetime import date, tzinfo
from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.scheduling import AppointmentStatus, CallOutcome
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.scheduling import calendars, status
from frontdesk.services.scheduling import data as scheduling_data
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.connection_monitor import refused_while_paused, saving_allowed, watch_saving_gate
from frontdesk.ui.handouts.preview import still_there
from frontdesk.ui.scheduling.day_sheet import day_edit, day_of
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

COLUMNS = ("Time", "Patient", "Phone", "Provider", "Type", "Status", "Last call")
# Who gets a reminder call: appointments still to come and not yet settled.
TO_CALL = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
# Button text (with its Alt key) and the digit that also marks it.
OUTCOME_KEYS: dict[CallOutcome, tuple[str, str]] = {
    CallOutcome.CONFIRMED: ("&Confirmed", "1"),
    CallOutcome.LEFT_MESSAGE: ("&Left message", "2"),
    CallOutcome.NO_ANSWER: ("&No answer", "3"),
    CallOutcome.RESCHEDULED: ("&Rescheduled…", "4"),
    CallOutcome.CANCELLED: ("C&ancelled…", "5"),
}


def ask_to_cancel(parent: QWidget, text: str) -> bool:
    """Cancelling frees the time for someone else: the receptionist says so once more."""
    answer = QMessageBox.question(
        parent,
        "Cancel the appointment?",
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def _load(screen: ScreenContext, day: date) -> tuple[list[AppointmentData], tzinfo]:
    items = calendars.day_appointments(screen.services, day, include_inactive=False)
    return [item for item in items if item.status in TO_CALL], practice_clock.practice_zone(
        screen.services
    )


class CallListDialog(QDialog):
    """``called(AppointmentData)`` fires after each call outcome is saved."""

    called = Signal(object)
    loaded = Signal(list)

    def __init__(self, screen: ScreenContext, day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.items: list[AppointmentData] = []
        self.zone: tzinfo | None = None
        self.saving = False
        self.child_dialog: QDialog | None = None
        self.setWindowTitle("Reminder calls")
        self.setAccessibleName("Reminder calls")

        self.day = day_edit("Day to call about", day)
        self.day.setToolTip("Alt+Down opens the calendar")
        self.day.dateChanged.connect(self.load)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Appointments to call about")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty = EmptyState(
            "Nobody to call for this day",
            "Booked and confirmed appointments of the chosen day are listed here with the "
            "patient's phone number. Choose another day above.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.note = line_edit("Note about the call", "Note (optional; the reason when cancelled)")
        self.buttons: dict[CallOutcome, QPushButton] = {}
        outcome_row = QHBoxLayout()
        for outcome, (text, digit) in OUTCOME_KEYS.items():
            button = QPushButton(text)
            button.setToolTip(f"{outcome.label} (key {digit})")
            button.setAccessibleName(outcome.label)
            button.clicked.connect(partial(self.mark, outcome))
            shortcut = QShortcut(QKeySequence(digit), self.table, partial(self.mark, outcome))
            # Only while the list has the focus: a digit typed in the note stays in the note.
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            self.buttons[outcome] = button
            outcome_row.addWidget(button)
        outcome_row.addStretch(1)
        self.banner = Banner()
        close = QPushButton("Close")
        close.setToolTip("Esc")
        close.clicked.connect(self.reject)
        outcome_row.addWidget(close)
        top = QHBoxLayout()
        top.addWidget(plain_label("Calls about the appointments of"))
        top.addWidget(self.day)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(
            plain_label(
                "↑/↓ choose a call; keys 1–5 (or Alt + the underlined letter) mark its outcome",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.note)
        layout.addLayout(outcome_row)
        fit_to_screen(self, QSize(980, 560))
        watch_saving_gate(self, lambda _allowed: self._update_buttons())
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.load()

    # --- the list -----------------------------------------------------------------------------

    def load(self) -> None:
        self.screen.runner.run(
            partial(_load, self.screen, day_of(self.day)),
            self._show,
            partial(self.banner.show_message, "error"),
        )

    def _show(self, result: tuple[list[AppointmentData], tzinfo]) -> None:
        if not still_there(self):
            return
        selected = self.selected()
        self.items, self.zone = result
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            self._fill(row, item)
        self.stack.setCurrentWidget(self.table if self.items else self.empty)
        if self.items:
            ids = [item.id for item in self.items]
            self.table.selectRow(ids.index(selected.id) if selected and selected.id in ids else 0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_buttons()
        self.loaded.emit(self.items)

    def _fill(self, row: int, item: AppointmentData) -> None:
        zone = self.zone
        start = item.start.astimezone(zone)
        last_call = item.last_call_outcome.label if item.last_call_outcome else "—"
        values = (
            f"{start:%H:%M}",
            item.patient_name,
            item.phone or "no phone on file",
            item.provider_name,
            item.type_name,
            item.status.label,
            last_call,
        )
        for column, value in enumerate(values):
            cell = QTableWidgetItem(value)
            if not item.holds_time:
                cell.setForeground(Qt.GlobalColor.darkGray)
            self.table.setItem(row, column, cell)

    def selected(self) -> AppointmentData | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.items):
            return None
        return self.items[rows[0].row()]

    def _update_buttons(self) -> None:
        item = self.selected()
        ready = item is not None and item.status in TO_CALL and not self.saving and saving_allowed()
        for button in self.buttons.values():
            button.setEnabled(ready)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, scheduling_data.TABLES | {"patients"}) and not self.saving:
            self.load()

    # --- marking a call -------------------------------------------------------------------------

    def mark(self, outcome: CallOutcome) -> None:
        item = self.selected()
        if item is None or item.status not in TO_CALL or self.saving:
            return
        if refused_while_paused(self.banner):
            return
        note = self.note.text().strip()
        if outcome is CallOutcome.CANCELLED:
            when = item.start.astimezone(self.zone)
            question = (
                f"Cancel {item.patient_name}'s {item.type_name} with {item.provider_name} on "
                f"{when:%a %m/%d/%Y at %H:%M}? The time becomes free for others."
            )
            if not ask_to_cancel(self, question):
                return
        self.saving = True
        self._update_buttons()
        call = partial(
            status.record_call,
            self.screen.services,
            item.id,
            outcome,
            "" if outcome is CallOutcome.CANCELLED else note,
            cancel_reason=note if outcome is CallOutcome.CANCELLED else "",
        )
        self.screen.runner.run(call, partial(self._marked, outcome), self._failed)

    def _marked(self, outcome: CallOutcome, data: AppointmentData) -> None:
        if not still_there(self):
            return
        self.saving = False
        ids = [item.id for item in self.items]
        if data.id in ids:
            row = ids.index(data.id)
            self.items[row] = data
            self._fill(row, data)
        self.note.clear()
        self.banner.show_message(
            "success", f"{data.patient_name}: {outcome.label.lower()} ({data.status.label})."
        )
        self.called.emit(data)
        if outcome is CallOutcome.RESCHEDULED:
            self.open_reschedule(data)
        elif data.id in ids and ids.index(data.id) + 1 < len(ids):
            # On to the next call.
            self.table.selectRow(ids.index(data.id) + 1)
        self._update_buttons()

    def _failed(self, message: str) -> None:
        if not still_there(self):
            return
        self.saving = False
        self.banner.show_message("error", message)
        self._update_buttons()

    def open_reschedule(self, data: AppointmentData) -> QDialog | None:
        """The appointment, ready to move (the calendar's own dialog, when it exists)."""
        try:
            from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
        except ImportError:
            self.banner.show_message(
                "info",
                f"{data.patient_name}: rescheduled on the call. Move the appointment in the "
                "calendar.",
            )
            return None
        dialog = AppointmentDialog(self.screen, data.id, self)
        self.child_dialog = dialog
        reschedule = getattr(dialog, "reschedule", None)
        loaded = getattr(dialog, "loaded", None)
        if callable(reschedule) and loaded is not None:
            # Straight to the move once the appointment is on screen.
            loaded.connect(lambda _detail: reschedule(), Qt.ConnectionType.SingleShotConnection)
        dialog.changed.connect(lambda _data: self.load())
        dialog.open()
        return dialog
