"""The first screen of a new database: set up the practice, or explore a demo practice first.

The demo is built (the first time) in its own file in the data folder, never in the
practice's database, on the runner with progress and Cancel; ``demo_opened(DemoPractice)``
hands it over once it is ready.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.ui.runner import Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

SET_UP_TEXT = (
    "Enter your practice's details, its providers and their usual hours, and your "
    "administrator account. About five minutes."
)
DEMO_TEXT = (
    "Look around a made-up spine practice with invented patients, requests and a full "
    "schedule first. It is kept in a separate demo file and never mixed with your data; "
    "set up your own practice whenever you are ready."
)


def build_demo(practice: Any, progress: Any) -> Any:
    """Runs on the runner: the demo practice, built the first time (never in ``practice``,
    the practice's own database)."""
    from frontdesk.demo.practice_file import open_demo_practice

    return open_demo_practice(progress, practice=practice)


class WelcomeDialog(QDialog):
    """``set_up_chosen`` when the person sets up their practice; ``demo_opened(DemoPractice)``
    once the demo practice is ready to show."""

    set_up_chosen = Signal()
    demo_opened = Signal(object)

    def __init__(self, screen: ScreenContext | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.task: Task | None = None
        self.setWindowTitle("Welcome to Front Desk")
        self.setAccessibleName("Welcome to Front Desk")

        self.set_up_button = mark_primary(QPushButton("&Set up my practice"))
        self.set_up_button.setToolTip("Start setting up your practice (Enter)")
        self.set_up_button.setDefault(True)
        self.set_up_button.clicked.connect(self.set_up)
        self.demo_button = QPushButton("&Explore with a demo practice")
        self.demo_button.setToolTip("Open a made-up practice to look around (Alt+E)")
        self.demo_button.setAutoDefault(False)
        self.demo_button.clicked.connect(self.explore_demo)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Building the demo practice")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.progress_label = plain_label("", "hint", wrap=True)
        self.progress_label.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop building the demo (Esc)")
        self.cancel_button.clicked.connect(self.cancel_demo)
        self.cancel_button.hide()
        self.banner = Banner()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(plain_label("Welcome to Front Desk", "pageTitle"))
        layout.addWidget(
            plain_label("This database is new. How would you like to start?", wrap=True)
        )
        layout.addWidget(self.banner)
        choices = QHBoxLayout()
        choices.setSpacing(16)
        for button, text in (
            (self.set_up_button, SET_UP_TEXT),
            (self.demo_button, DEMO_TEXT),
        ):
            column = QVBoxLayout()
            column.addWidget(button)
            column.addWidget(plain_label(text, "hint", wrap=True))
            column.addStretch(1)
            choices.addLayout(column, 1)
        layout.addLayout(choices)
        layout.addWidget(self.progress)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_label, 1)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        layout.addStretch(1)
        fit_to_screen(self, QSize(720, 360))

    def set_screen(self, screen: ScreenContext) -> None:
        self.screen = screen

    @property
    def building(self) -> bool:
        return self.task is not None

    def set_up(self) -> None:
        if self.building:
            return
        self.set_up_chosen.emit()

    def explore_demo(self) -> None:
        if self.building or self.screen is None:
            return
        self.banner.clear()
        self.set_up_button.setEnabled(False)
        self.demo_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.progress_label.setText("Building the demo practice: a few seconds…")
        self.progress_label.show()
        self.cancel_button.show()
        self.cancel_button.setFocus()
        task = self.screen.runner.run_with_progress(
            partial(build_demo, self.screen.services.database), self._built, self._failed
        )
        task.progressed.connect(self._progressed)
        task.cancelled.connect(self._cancelled)
        self.task = task

    def cancel_demo(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.progress_label.setText("Stopping…")
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _finished(self) -> None:
        self.task = None
        self.progress.hide()
        self.progress_label.hide()
        self.cancel_button.hide()
        self.cancel_button.setEnabled(True)
        self.set_up_button.setEnabled(True)
        self.demo_button.setEnabled(True)

    def _built(self, demo: object) -> None:
        self._finished()
        self.demo_opened.emit(demo)

    def _failed(self, message: str) -> None:
        self._finished()
        self.banner.show_message("error", f"The demo could not be built: {message}")

    def _cancelled(self) -> None:
        self._finished()
        self.banner.show_message("info", "The demo was not built. Nothing was changed.")
        self.demo_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc while the demo builds stops the build; otherwise it closes (and quits).
        if event.key() == Qt.Key.Key_Escape and self.building:
            self.cancel_demo()
            event.accept()
            return
        super().keyPressEvent(event)
