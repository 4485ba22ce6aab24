"""Admin → Handout reviews: every handout and language with its review dates, most urgent first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.library import HandoutLibrary, HandoutSummary, ReviewState
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.record_table import Column, RecordTableModel


@dataclass(frozen=True)
class ReviewRow:
    """One handout in one language, with where its review stands today."""

    handout: HandoutSummary
    state: ReviewState | None  # None: current
    days: int  # until the review is due; negative when overdue

    @property
    def state_text(self) -> str:
        """In words (the colour only repeats it): "Overdue by 12 days", "Due in 5 days"."""
        if self.state is ReviewState.OVERDUE:
            return f"Overdue by {_days(-self.days)}"
        if self.state is ReviewState.DUE_SOON:
            return "Due today" if self.days == 0 else f"Due soon, in {_days(self.days)}"
        return "Current"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def review_rows(library: HandoutLibrary, today: dt.date) -> list[ReviewRow]:
    """Every handout of the library; overdue first, then due soon, then current, each by date
    (a handout's languages side by side).

    The review-due date alone gives that order (overdue ones fell due before today, and due
    soon before current); the states come from the library service's own rule.
    """
    rows = [
        ReviewRow(
            summary,
            handouts.review_state(summary.review_due, today),
            (summary.review_due - today).days,
        )
        for summary in handouts.list_handouts(library)
    ]
    return sorted(
        rows,
        key=lambda row: (
            row.handout.review_due,
            row.handout.id,
            row.handout.language,
        ),
    )


def _where(summary: HandoutSummary) -> str:
    if summary.origin == handouts.Origin.PRACTICE.value:
        replaces = " (replaces the shipped one)" if summary.replaces_shipped else ""
        return f"The practice's file{replaces}: {summary.file}"
    return f"Shipped with Front Desk: {summary.file}"


def review_model(parent: QWidget | None = None) -> RecordTableModel:
    return RecordTableModel(
        (
            Column("Handout", lambda r: r.handout.title, lambda r: _where(r.handout)),
            Column("Language", lambda r: r.handout.language_name),
            Column("Last reviewed", lambda r: f"{r.handout.last_reviewed:%m/%d/%Y}"),
            Column("Reviewer", lambda r: r.handout.reviewer),
            Column("Review due", lambda r: f"{r.handout.review_due:%m/%d/%Y}"),
            Column("State", lambda r: r.state_text, warning=lambda r: r.state is not None),
        ),
        parent=parent,
    )


def _read_library() -> tuple[HandoutLibrary, bool]:
    """Runs on the Runner: the library files, and whether the practice folder exists yet."""
    library = handouts.load_library()
    folder = library.practice_folder or handouts.practice_folder()
    return library, folder.is_dir()


class HandoutReviewsPanel(QWidget):
    """Reads the library files on the Runner each time the tab is shown or Reload is pressed
    (the files change outside the app, so there is no change signal to follow)."""

    def __init__(
        self,
        screen: ScreenContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.today = today
        self.loaded = False
        self.library: HandoutLibrary | None = None
        self.folder: Path = handouts.practice_folder()
        self.folder_exists: bool | None = None  # not looked at yet
        self.banner = Banner()
        self.counts = plain_label("Reading the handout library…", "hint", wrap=True)
        self.counts.setAccessibleName("Reviews due")
        self.model = review_model(self)
        self.table = QTableView()
        self.table.setAccessibleName("Handout reviews")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.folder_label = plain_label("", wrap=True)
        self.folder_label.setAccessibleName("The practice's handout folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("&Open the folder")
        self.open_button.setToolTip(
            "Open the practice's handout folder (made, with the editors' guide, if missing)"
        )
        self.open_button.clicked.connect(self.open_folder)
        self.reload_button = QPushButton("Re&load")
        self.reload_button.setToolTip("Read the handout files again after editing them")
        self.reload_button.clicked.connect(self.reload)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(self.open_button)
        folder_row.addWidget(self.reload_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(plain_label("Handout reviews", "sectionTitle"))
        layout.addWidget(
            plain_label(
                "Each handout is reviewed by its review-due date. To change one, put an edited "
                "copy (same id and language, new dates and reviewer) in the practice's folder: "
                "it replaces the shipped one on every workstation that reads that folder.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(folder_row)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        self._show_folder()
        self.reload()

    def reload(self) -> None:
        self.screen.runner.run(_read_library, self._show, self._load_failed)

    def _show(self, read: tuple[HandoutLibrary, bool]) -> None:
        library, self.folder_exists = read
        self.library = library
        if library.practice_folder is not None:
            self.folder = library.practice_folder
        rows = review_rows(library, self.today())
        self.model.set_records(rows)
        self.table.resizeRowsToContents()
        overdue = sum(1 for row in rows if row.state is ReviewState.OVERDUE)
        soon = sum(1 for row in rows if row.state is ReviewState.DUE_SOON)
        parts = [f"{len(rows)} handouts"]
        parts.append(f"{overdue} overdue for review" if overdue else "none overdue")
        parts.append(
            f"{soon} due within {handouts.REVIEW_WARNING_DAYS} days"
            if soon
            else f"none due within {handouts.REVIEW_WARNING_DAYS} days"
        )
        self.counts.setText(" · ".join(parts) + ".")
        if library.problems:
            self.banner.show_message(
                "error",
                f"{len(library.problems)} handout file(s) could not be read and are left out; "
                "'frontdesk handouts check' names each file, line and reason.",
            )
        else:
            self.banner.clear()
        self._show_folder()
        self.loaded = True

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not read the handout library. {message}")

    def _show_folder(self) -> None:
        state = " (not made yet: Open the folder makes it)" if self.folder_exists is False else ""
        self.folder_label.setText(f"The practice's handout folder: {self.folder}{state}")

    def open_folder(self) -> None:
        """Make the folder if needed (on the Runner: it writes the guide), then open it."""
        folder = self.folder

        def opened(path: Path) -> None:
            self.folder_exists = True
            self._show_folder()
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.screen.runner.run(
            lambda: handouts.create_practice_folder(folder),
            opened,
            lambda message: self.banner.show_message("error", message),
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.loaded:
            self.reload()  # a file may have been edited since
