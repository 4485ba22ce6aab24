"""Freed times nobody has filled yet, each with the waitlisted patients who fit it beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.scheduling.data import FreedTime, FreedTimeMatches, WaitlistMatch
from frontdesk.ui.connection_monitor import follow_saving_gate, saving_allowed
from frontdesk.ui.scheduling.waitlist_dialogs import MatchesTable, when_text
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip

MATCHES_TITLE = "Who fits it (most urgent first)"
EMPTY_TEXT = (
    "No freed times — cancellations will show here with the waitlist patients who fit them."
)


def freed_key(freed: FreedTime) -> tuple[int, object, object]:
    return (freed.provider_id, freed.start, freed.end)


def freed_line(item: FreedTimeMatches, zone: tzinfo) -> str:
    freed = item.freed
    where = f" · {freed.location_name}" if freed.location_name else ""
    fits = len(item.matches)
    who = f"{fits} on the waitlist fit" if fits else "nobody on the waitlist fits"
    return (
        f"{when_text(freed.start, freed.end, zone)} · {freed.minutes} min · "
        f"{freed.provider_name}{where} · {who}"
    )


class FreedTimesPanel(QWidget):
    """``book_requested(FreedTimeMatches, WaitlistMatch)`` when the desk books a match
    (the Book button, or Enter in the list of patients)."""

    book_requested = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[FreedTimeMatches] = []
        self.zone: tzinfo | None = None
        self.busy = False
        self._shown_key: tuple[int, object, object] | None = None

        self.times = QListWidget()
        self.times.setAccessibleName("Freed times nobody has filled yet")
        self.times.setWordWrap(True)
        self.times.currentRowChanged.connect(self._time_changed)
        self.empty = EmptyState("No freed times", EMPTY_TEXT)
        self.times_stack = QStackedWidget()
        self.times_stack.addWidget(self.times)
        self.times_stack.addWidget(self.empty)

        # One short line: the freed time itself is the highlighted one on the left, and a
        # wrapped title would squeeze the list of patients on a small screen.
        self.matches_title = plain_label(MATCHES_TITLE, "hint")
        self.matches = MatchesTable("Waitlist patients who fit the freed time")
        self.matches.book_requested.connect(self.book_selected)
        self.matches.itemSelectionChanged.connect(self._update_button)
        self.no_match = plain_label("", "hint", wrap=True)
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.matches_stack = QStackedWidget()
        self.matches_stack.addWidget(self.matches)
        self.matches_stack.addWidget(self.no_match)
        self.book_button = mark_primary(QPushButton("&Book"))
        self.book_button.setAccessibleName("Book the selected patient")
        self.book_button.setToolTip(
            "Give the freed time to the highlighted patient (Enter in the list); their later "
            "appointment moves to it. Most urgent first, then longest waiting."
        )
        self.book_button.clicked.connect(self.book_selected)
        follow_saving_gate(
            self.book_button, lambda: self.busy, lambda: self.matches.selected() is not None
        )
        title_row = QHBoxLayout()
        title_row.addWidget(self.matches_title, 1)
        title_row.addWidget(self.book_button)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(title_row)
        right_column.addWidget(self.matches_stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.times_stack)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([340, 660])
        self.times_stack.setMinimumWidth(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.show_items([], None)

    def show_items(self, items: Sequence[FreedTimeMatches], zone: tzinfo | None) -> None:
        current = self.current()
        self.items = list(items)
        self.zone = zone
        self.times.blockSignals(True)
        self.times.clear()
        keep = 0
        for row, item in enumerate(self.items):
            entry = QListWidgetItem(freed_line(item, zone) if zone else "")
            entry.setToolTip(plain_tooltip(item.freed.description))
            self.times.addItem(entry)
            if current is not None and freed_key(item.freed) == freed_key(current.freed):
                keep = row
        self.times.blockSignals(False)
        self.times_stack.setCurrentWidget(self.times if self.items else self.empty)
        if self.items:
            self.times.setCurrentRow(keep)
        self._time_changed(self.times.currentRow() if self.items else -1)

    def current(self) -> FreedTimeMatches | None:
        row = self.times.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select_time(self, row: int) -> None:
        self.times.setCurrentRow(row)

    def _time_changed(self, row: int) -> None:
        item = self.items[row] if 0 <= row < len(self.items) else None
        if item is None or self.zone is None:
            self.matches_title.setAccessibleDescription("")
            self.matches.show_matches([], self.zone or UTC)
            self._shown_key = None
            self.no_match.setText("Choose a freed time to see who on the waitlist fits it.")
            self.matches_stack.setCurrentWidget(self.no_match)
        else:
            freed = item.freed
            self.matches_title.setAccessibleDescription(
                f"Waitlist patients who fit {when_text(freed.start, freed.end, self.zone)} "
                f"with {freed.provider_name}"
            )
            key = freed_key(freed)
            # A refresh of the same time keeps the highlighted patient; another time starts
            # at its first (most urgent) patient.
            self.matches.show_matches(
                item.matches, self.zone, keep_selection=key == self._shown_key
            )
            self._shown_key = key
            self.no_match.setText(
                "Nobody on the waitlist fits this time (type, provider, days and times, "
                "notice). Add a patient with “Add to waitlist…”, or book it from Schedule."
            )
            self.matches_stack.setCurrentWidget(self.matches if item.matches else self.no_match)
        self._update_button()

    def _update_button(self) -> None:
        self.book_button.setEnabled(
            not self.busy and saving_allowed() and self.matches.selected() is not None
        )

    def selected_match(self) -> WaitlistMatch | None:
        return self.matches.selected() if self.current() is not None else None

    def book_selected(self) -> None:
        item, match = self.current(), self.selected_match()
        if item is not None and match is not None and not self.busy:
            self.book_requested.emit(item, match)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_button()
