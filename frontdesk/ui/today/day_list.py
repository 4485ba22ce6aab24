"""Today's appointments per provider, with the desk's quick actions on the highlighted one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.plurals import counted
from frontdesk.domain.scheduling import AppointmentStatus, status_move_problem
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.connection_monitor import follow_saving_gate, saving_allowed
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.plain_text import plain_tooltip

APPOINTMENT_ROLE = Qt.ItemDataRole.UserRole + 1
# The quick actions: the status each sets, its button text (its Alt+letter), tooltip, and
# another shortcut it answers to.
QUICK_ACTIONS = (
    (AppointmentStatus.CHECKED_IN, "Check &in", "The patient is here (Alt+I or Ctrl+I)", "Ctrl+I"),
    (AppointmentStatus.NO_SHOW, "&No-show", "The patient did not come; frees the time", ""),
    (AppointmentStatus.COMPLETED, "Co&mplete", "The visit is over", ""),
)


class _DayTree(QTreeWidget):
    """Enter opens the highlighted appointment."""

    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class DayAppointments(QWidget):
    """``status_requested(AppointmentData, AppointmentStatus)`` for a quick action;
    ``open_requested(int)`` to open an appointment (double-click or Enter)."""

    status_requested = Signal(object, object)
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = _DayTree()
        self.tree.setAccessibleName("Today's appointments")
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Time", "Patient", "Type", "Status", "Reason"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(10)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((115, 170, 125, 95)):
            self.tree.setColumnWidth(column, width)
        self.tree.itemDoubleClicked.connect(lambda _item, _column: self._open())
        self.tree.open_requested.connect(self._open)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.empty = EmptyState(
            "No appointments today",
            "Nobody is booked for today. Book visits in the Schedule area; they show here "
            "on their day.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)

        self.action_buttons: dict[AppointmentStatus, QPushButton] = {}
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        for status, text, tip, shortcut in QUICK_ACTIONS:
            button = QPushButton(text)
            button.setToolTip(tip)
            if shortcut:
                # A second key of its own: setShortcut would replace the Alt+letter the
                # underlined text promises.
                QShortcut(QKeySequence(shortcut), self).activated.connect(button.click)
            button.clicked.connect(lambda _checked=False, s=status: self._request(s))
            follow_saving_gate(button, ready=lambda s=status: self._allows(s))
            self.action_buttons[status] = button
            actions.addWidget(button)
        self.open_button = QPushButton("&Open…")
        self.open_button.setToolTip("See or change the highlighted appointment (Enter)")
        self.open_button.clicked.connect(self._open)
        actions.addWidget(self.open_button)
        actions.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)
        self._update_buttons()

    def show_day(
        self, groups: Sequence[tuple[str, Sequence[AppointmentData]]], zone: tzinfo
    ) -> None:
        selected = self.selected()
        self.tree.clear()
        keep: QTreeWidgetItem | None = None
        for provider_name, appointments in groups:
            active = sum(1 for a in appointments if a.holds_time)
            heading = QTreeWidgetItem([f"{provider_name} — {counted(active, 'appointment')}"])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            self.tree.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for item in appointments:
                start, end = item.start.astimezone(zone), item.end.astimezone(zone)
                status = item.status.label + (" (overbook)" if item.overbooked else "")
                row = QTreeWidgetItem(
                    [
                        f"{start:%H:%M}–{end:%H:%M}",
                        item.patient_name,
                        item.type_name,
                        status,
                        item.reason,
                    ]
                )
                row.setData(0, APPOINTMENT_ROLE, item)
                row.setToolTip(1, plain_tooltip(f"{item.patient_name} · {item.mrn} · {item.phone}"))
                row.setToolTip(4, plain_tooltip(item.reason))
                if not item.holds_time:
                    for column in range(5):
                        row.setForeground(column, self.palette().placeholderText())
                heading.addChild(row)
                if selected is not None and item.id == selected.id:
                    keep = row
            heading.setExpanded(True)
        self.stack.setCurrentWidget(self.tree if groups else self.empty)
        if keep is not None:
            self.tree.setCurrentItem(keep)
        elif self.tree.topLevelItemCount() and self.tree.topLevelItem(0).childCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0).child(0))
        self._update_buttons()

    def selected(self) -> AppointmentData | None:
        item = self.tree.currentItem()
        data = item.data(0, APPOINTMENT_ROLE) if item is not None else None
        return data if isinstance(data, AppointmentData) else None

    def select(self, appointment_id: int) -> bool:
        for index in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(index)
            for child_index in range(heading.childCount()):
                child = heading.child(child_index)
                if child.data(0, APPOINTMENT_ROLE).id == appointment_id:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    def _allows(self, status: AppointmentStatus) -> bool:
        item = self.selected()
        return item is not None and status_move_problem(item.status, status) is None

    def _update_buttons(self) -> None:
        allowed = saving_allowed()
        for status, button in self.action_buttons.items():
            button.setEnabled(allowed and self._allows(status))
        self.open_button.setEnabled(self.selected() is not None)

    def _request(self, status: AppointmentStatus) -> None:
        item = self.selected()
        if item is not None and self._allows(status):
            self.status_requested.emit(item, status)

    def _open(self) -> None:
        item = self.selected()
        if item is not None:
            self.open_requested.emit(item.id)
