"""The whole waitlist as a table: filters, add, change, book, and remove with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.scheduling import WaitlistUrgency
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import appointment_types, waitlist
from frontdesk.services.scheduling.data import AppointmentData, WaitlistEntryData
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.runner import LatestOnly, user_message
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.scheduling.waitlist_dialogs import (
    AddToWaitlistDialog,
    EditWaitlistDialog,
    can_come_text,
    moment_text,
    waiting_text,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.table_columns import FittedColumns

TABLES = frozenset(
    {"waitlist_entries", "appointments", "patients", "providers", "appointment_types"}
)
AnyIndex = QModelIndex | QPersistentModelIndex
# The waitlist's columns that make room in a narrow window, first to go first.
GIVE_WAY = ("Status", "Holds now", "Provider")


@dataclass(frozen=True)
class WaitlistView:
    """One read of the waitlist with what its filters offer."""

    zone: tzinfo
    entries: list[WaitlistEntryData]
    providers: list[tuple[int, str]]
    types: list[tuple[int, str]]


def load_waitlist(context: Any, include_closed: bool) -> WaitlistView:
    return WaitlistView(
        zone=practice_clock.practice_zone(context),
        entries=waitlist.list_waitlist(context, waiting_only=not include_closed),
        providers=[(p.id, p.display_name) for p in list_providers(context)],
        types=[(t.id, t.name) for t in appointment_types.list_appointment_types(context)],
    )


class WaitlistTableModel(QAbstractTableModel):
    """The entries shown (a waitlist is tens of rows, so they are held, not fetched)."""

    HEADERS = (
        "Patient",
        "Phone",
        "Wants",
        "Provider",
        "Urgency",
        "Can come",
        "Waiting",
        "Holds now",
        "Note",
        "Status",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[WaitlistEntryData] = []
        self.zone: tzinfo | None = None

    def set_rows(self, rows: Sequence[WaitlistEntryData], zone: tzinfo) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.zone = zone
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(self.rows[index.row()], index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self.cell(self.rows[index.row()], index.column()))
        return None

    def cell(self, entry: WaitlistEntryData, column: int) -> str:
        holds = (
            moment_text(entry.appointment_start, self.zone)
            if entry.appointment_start is not None and self.zone is not None
            else "—"
        )
        values = (
            entry.patient_name,
            entry.phone or "no phone on file",
            f"{entry.type_name} ({entry.duration_minutes} min)",
            entry.provider_name or "Any provider",
            entry.urgency.label,
            can_come_text(entry),
            waiting_text(entry),
            holds,
            entry.note,
            "Waiting" if entry.is_waiting else entry.resolution,
        )
        return values[column] if 0 <= column < len(values) else ""

    def entry_at(self, row: int) -> WaitlistEntryData | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class _WaitlistTable(QTableView):
    """Enter changes the highlighted entry, Delete takes it off the list (both ask first)."""

    edit_requested = Signal()
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_requested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete:
            self.remove_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def shown_entries(
    entries: Sequence[WaitlistEntryData],
    *,
    provider_id: int | None,
    type_id: int | None,
    urgency: str | None,
) -> list[WaitlistEntryData]:
    """The entries a filter keeps. A provider filter keeps "any provider" entries too: those
    patients would take that provider."""
    return [
        entry
        for entry in entries
        if (provider_id is None or entry.provider_id in (None, provider_id))
        and (type_id is None or entry.type_id == type_id)
        and (urgency is None or entry.urgency.value == urgency)
    ]


class WaitlistPanel(QWidget):
    """``loaded(int)`` fires with the number of patients waiting after each read;
    ``changed`` after an entry was added, changed or removed here."""

    loaded = Signal(int)
    changed = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.view: WaitlistView | None = None
        self.dialog: QDialog | None = None
        self.loads = LatestOnly(screen.runner)

        self.provider = self._filter("Provider filter", "Any provider")
        self.type = self._filter("Appointment type filter", "Any type")
        self.urgency = self._filter("Urgency filter", "Any urgency")
        for urgency in WaitlistUrgency:
            self.urgency.addItem(urgency.label, urgency.value)
        self.include_closed = QCheckBox("Show &closed entries")
        self.include_closed.setToolTip("Also list patients booked from, or taken off, the list")
        self.include_closed.toggled.connect(self.refresh)
        for combo in (self.provider, self.type, self.urgency):
            combo.currentIndexChanged.connect(self._show_rows)
        filters = QHBoxLayout()
        for widget in (self.provider, self.type, self.urgency):
            filters.addWidget(widget)
        filters.addStretch(1)

        self.add_button = mark_primary(QPushButton("&Add to waitlist…"))
        self.add_button.setToolTip("Put a patient who wants an earlier time on the list")
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button = QPushButton("Cha&nge…")
        self.edit_button.setToolTip("Change the highlighted entry (Enter)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button = QPushButton("Re&move…")
        self.remove_button.setToolTip(
            "Take the highlighted patient off the list, with a reason (Del)"
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.book_button = QPushButton("&Book…")
        self.book_button.setToolTip(
            "Find the next free times that suit the highlighted patient and book one; they "
            "come off the waitlist (Alt+B)"
        )
        self.book_button.setAccessibleName("Book the highlighted patient")
        self.book_button.clicked.connect(self.book_selected)
        self.count_label = plain_label("", "hint", wrap=True)
        actions = QHBoxLayout()
        actions.addWidget(self.include_closed)
        actions.addWidget(self.count_label, 1)
        actions.addWidget(self.edit_button)
        actions.addWidget(self.remove_button)
        actions.addWidget(self.book_button)
        actions.addWidget(self.add_button)

        self.banner = Banner()
        self.model = WaitlistTableModel(self)
        self.table = _WaitlistTable()
        self.table.setAccessibleName("Waitlist")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Every row reads without scrolling sideways (Today at 150% on a 1080p screen): the
        # note wraps, and what matters least when calling gives way first (its tooltip keeps it).
        headers = WaitlistTableModel.HEADERS
        self.columns = FittedColumns(
            self.table,
            wrap=headers.index("Note"),
            give_way=[headers.index(name) for name in GIVE_WAY],
        )
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.edit_requested.connect(self.edit_selected)
        self.table.remove_requested.connect(self.remove_selected)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.empty = EmptyState(
            "Nobody is on the waitlist",
            "Patients who want an earlier time go here: when a time frees up, Today shows "
            "who fits it.",
            ("Add to waitlist…", self.add_entry),
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)
        for button in (self.add_button, self.edit_button, self.remove_button, self.book_button):
            follow_saving_gate(
                button, ready=lambda b=button: b is self.add_button or self._waiting_selected()
            )
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    def _filter(self, name: str, any_text: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem(any_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    # Loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.loads.run(
            partial(load_waitlist, self.screen.services, self.include_closed.isChecked()),
            self._loaded,
            lambda message: self.banner.show_message("error", message),
        )

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    def _loaded(self, view: WaitlistView) -> None:
        self.view = view
        for combo, choices in ((self.provider, view.providers), (self.type, view.types)):
            current = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for key, label in choices:
                combo.addItem(label, key)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self._show_rows()
        self.loaded.emit(sum(1 for entry in view.entries if entry.is_waiting))

    def _show_rows(self) -> None:
        if self.view is None:
            return
        selected = self.selected()
        rows = shown_entries(
            self.view.entries,
            provider_id=self.provider.currentData(),
            type_id=self.type.currentData(),
            urgency=self.urgency.currentData(),
        )
        self.model.set_rows(rows, self.view.zone)
        self.columns.fit()
        waiting = sum(1 for entry in self.view.entries if entry.is_waiting)
        filtered = len(rows) != len(self.view.entries)
        self.count_label.setText(
            f"{waiting} waiting" + (f" · {len(rows)} shown by the filters" if filtered else "")
        )
        self.stack.setCurrentWidget(self.table if self.view.entries else self.empty)
        if rows:
            keep = next(
                (i for i, e in enumerate(rows) if selected is not None and e.id == selected.id),
                0,
            )
            self.table.selectRow(keep)
        self._update_buttons()

    def selected(self) -> WaitlistEntryData | None:
        index = self.table.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    def _waiting_selected(self) -> bool:
        entry = self.selected()
        return entry is not None and entry.is_waiting

    def _update_buttons(self) -> None:
        ready = self._waiting_selected() and saving_allowed()
        self.edit_button.setEnabled(ready)
        self.remove_button.setEnabled(ready)
        self.book_button.setEnabled(ready)

    # Actions -----------------------------------------------------------------------------

    def add_entry(self, **wanted: Any) -> AddToWaitlistDialog:
        dialog = AddToWaitlistDialog(self.screen, parent=self, **wanted)
        dialog.saved.connect(self._saved)
        self._open(dialog)
        return dialog

    def edit_selected(self) -> None:
        entry = self.selected()
        if entry is None or not entry.is_waiting or refused_while_paused(self.banner):
            return
        dialog = EditWaitlistDialog(self.screen, entry, self)
        dialog.saved.connect(self._saved)
        self._open(dialog)

    def remove_selected(self) -> None:
        entry = self.selected()
        if entry is None or not entry.is_waiting or refused_while_paused(self.banner):
            return
        dialog = RemoveFromWaitlistDialog(self.screen, entry, self)
        dialog.removed.connect(self._removed)
        self._open(dialog)

    def book_selected(self) -> None:
        """The next free times that suit the highlighted entry; the one chosen is booked
        through the waitlist, so the entry closes and a later visit it holds moves."""
        entry = self.selected()
        if entry is None or not entry.is_waiting or refused_while_paused(self.banner):
            return
        dialog = FindSlotDialog(self.screen, waitlist_entry=entry, parent=self)
        dialog.booked.connect(self._booked)
        self._open(dialog)
        dialog.search()  # runs as soon as the dialog has read its choices

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        dialog.open()

    def _saved(self, entry: WaitlistEntryData) -> None:
        self.banner.show_message("success", f"Saved: {entry.patient_name} wants {entry.wants}.")
        self.refresh()
        self.changed.emit()

    def _booked(self, data: AppointmentData) -> None:
        zone = self.view.zone if self.view is not None else None
        when = moment_text(data.start, zone) if zone is not None else ""
        self.banner.show_message(
            "success",
            f"Booked {data.patient_name} ({data.type_name}) {when} with {data.provider_name}; "
            "taken off the waitlist.",
        )
        self.refresh()
        self.changed.emit()

    def _removed(self, entry: WaitlistEntryData) -> None:
        self.banner.show_message(
            "success", f"{entry.patient_name} is off the waitlist ({entry.resolution})."
        )
        self.refresh()
        self.changed.emit()


class RemoveFromWaitlistDialog(QDialog):
    """Take a patient off the waitlist; the reason is required and kept with the entry."""

    removed = Signal(object)

    def __init__(
        self, screen: ScreenContext, entry: WaitlistEntryData, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.entry = entry
        self.saving = False
        self.setWindowTitle("Remove from the waitlist")
        self.setAccessibleName("Remove from the waitlist")
        self.fields = FormFields()
        self.banner = Banner()
        question = plain_label(
            f"Take {entry.patient_name} off the waitlist? They wanted {entry.wants}.",
            wrap=True,
        )
        form = form_layout()
        self.reason = line_edit("Reason", "e.g. booked elsewhere, feels better", 200)
        add_form_row(form, self.fields, "reason", "&Reason *", self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.remove_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.remove_button.setText("Re&move")
        self.remove_button.setToolTip("Remove from the waitlist (Enter)")
        self.remove_button.setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Keep them (Esc)")
        buttons.accepted.connect(self.remove)
        buttons.rejected.connect(self.reject)
        follow_saving_gate(self.remove_button, lambda: self.saving)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.remove()
            return
        super().keyPressEvent(event)

    def remove(self) -> None:
        if self.saving or refused_while_paused(self.banner):
            return
        self.saving = True
        self.remove_button.setEnabled(False)
        call = partial(
            waitlist.remove_from_waitlist,
            self.screen.services,
            self.entry.id,
            self.reason.text(),
            expected_version=self.entry.version,
        )
        self.screen.runner.run(call, self._on_result, failure=self._on_error)

    def _on_result(self, result: Any) -> None:
        self.saving = False
        self.remove_button.setEnabled(saving_allowed())
        self.removed.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _on_error(self, error: Exception) -> None:
        self.saving = False
        self.remove_button.setEnabled(saving_allowed())
        if isinstance(error, ValidationError):
            unplaced = self.fields.show_messages(error.fields)
            self.banner.show_message(
                "error",
                "Not removed: " + "; ".join(unplaced.values())
                if unplaced
                else "Not removed: please give a reason.",
            )
        else:
            # A conflict reads like any refusal: someone changed the entry first.
            self.banner.show_message("error", f"Not removed. {user_message(error)}")
