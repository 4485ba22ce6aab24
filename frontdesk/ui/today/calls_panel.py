"""Today's calls to return: call-backs promised for today or earlier, oldest first, until done."""

from __future__ import annotations

from datetime import tzinfo
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.domain.phone_notes import CallsToReturn, CallToReturn, PhoneNoteData
from frontdesk.domain.plurals import counted
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import clock_text
from frontdesk.services.patients.phone_notes import (
    PHONE_NOTE_TABLES,
    calls_to_return,
    mark_returned,
)
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
)
from frontdesk.ui.patients.display import phone_text
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip

EMPTY_TITLE = "No calls to return"
EMPTY_TEXT = (
    "Call-backs promised for today or earlier show here. Log a call on a chart with "
    "Ctrl+Shift+C and give it a call-back date."
)
NOTE_ROLE = Qt.ItemDataRole.UserRole


def call_line(item: CallToReturn, zone: tzinfo) -> str:
    """One call to return in words (plain text): how late, whom to call, what was promised."""
    note = item.note
    if item.days_overdue == 0:
        due = "Due today"
    else:
        due = f"OVERDUE {counted(item.days_overdue, 'day')} (since {note.follow_up_on:%m/%d})"
    phone = phone_text(item.phone) if item.phone else "no phone on file"
    first = f"{due} · {item.patient_name} ({item.mrn}) · {phone}"
    second = (
        f"{note.caller} called {clock_text(note.called_at, zone, '%m/%d %H:%M')}: {note.subject}"
    )
    if note.promised:
        second += f" — promised: {note.promised}"
    return f"{first}\n{second}"


class CallsToReturnPanel(QWidget):
    """``loaded(count)`` after each read; ``open_chart_requested(patient_id)`` for Open chart."""

    loaded = Signal(int)
    open_chart_requested = Signal(int)

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.calls: CallsToReturn | None = None
        self.busy = False
        self.loads = LatestOnly(screen.runner)
        self.can_mark = screen.services.actor.can(Permission.EDIT_PATIENTS)

        self.list = QListWidget()
        self.list.setAccessibleName("Calls to return")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.list.itemActivated.connect(lambda _item: self.open_chart())
        self.empty = EmptyState(EMPTY_TITLE, EMPTY_TEXT)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.list)
        self.pages.addWidget(self.empty)
        self.more = plain_label("", "hint", wrap=True)
        self.more.hide()
        self.banner = Banner()

        self.done_button = mark_primary(QPushButton("Mark &done"))
        self.done_button.setAccessibleName("Mark the call returned")
        self.done_button.setToolTip("The call-back was made: take it off the list (Ctrl+D)")
        self.done_button.setShortcut("Ctrl+D")
        self.done_button.clicked.connect(self.mark_done)
        self.done_button.setVisible(self.can_mark)
        follow_saving_gate(self.done_button, lambda: self.busy, lambda: self.current() is not None)
        self.chart_button = QPushButton("Open &chart")
        self.chart_button.setToolTip("Open the patient's chart (Enter in the list)")
        self.chart_button.clicked.connect(self.open_chart)
        buttons = QHBoxLayout()
        buttons.addWidget(
            plain_label("Call-backs due today or overdue, the oldest first.", "hint"), 1
        )
        buttons.addWidget(self.chart_button)
        buttons.addWidget(self.done_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.more)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    # Reading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.loads.run(
            partial(calls_to_return, self.screen.services),
            self.show_calls,
            lambda message: self.banner.show_message("error", message),
        )

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, PHONE_NOTE_TABLES):
            self.refresh()

    def show_calls(self, calls: CallsToReturn) -> None:
        kept = self.current()
        self.calls = calls
        self.list.clear()
        row_to_keep = 0
        for row, item in enumerate(calls.items):
            text = call_line(item, calls.zone)
            entry = QListWidgetItem(text)
            entry.setData(NOTE_ROLE, item.note.id)
            entry.setToolTip(plain_tooltip(text))
            self.list.addItem(entry)
            if kept is not None and item.note.id == kept.note.id:
                row_to_keep = row
        if calls.items:
            self.list.setCurrentRow(row_to_keep)
        self.pages.setCurrentWidget(self.list if calls.items else self.empty)
        self.more.setText(
            f"Showing the oldest {len(calls.items)}; more are due." if calls.more else ""
        )
        self.more.setVisible(calls.more)
        self._update_buttons()
        self.loaded.emit(len(calls.items))

    def current(self) -> CallToReturn | None:
        row = self.list.currentRow()
        items = self.calls.items if self.calls is not None else ()
        return items[row] if 0 <= row < len(items) else None

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        self.chart_button.setEnabled(chosen)
        self.done_button.setEnabled(chosen and not self.busy and saving_allowed())

    # Acting ------------------------------------------------------------------------------

    def open_chart(self) -> None:
        item = self.current()
        if item is not None:
            self.open_chart_requested.emit(item.note.patient_id)

    def mark_done(self) -> None:
        item = self.current()
        if item is None or self.busy or not self.can_mark or refused_while_paused(self.banner):
            return
        self.busy = True
        self._update_buttons()
        call = partial(
            mark_returned,
            self.screen.services,
            item.note.id,
            expected_version=item.note.version,
        )

        def done(note: PhoneNoteData) -> None:
            self.busy = False
            self.banner.show_message(
                "success", f"Call-back to {item.patient_name} marked done ({note.caller})."
            )
            self.refresh()

        def failed(message: str) -> None:
            self.busy = False
            self.banner.show_message("error", message)
            self.refresh()

        self.screen.runner.run(call, done, failed)
