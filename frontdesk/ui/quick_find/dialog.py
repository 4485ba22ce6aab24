"""The quick search window: type, arrows to choose, Enter opens the chart, Esc closes."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.plurals import counted
from frontdesk.ui.quick_find.results import QuickFindPage, quick_find
from frontdesk.ui.quick_find.shortcut import QUICK_FIND_KEYS
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label
from frontdesk.ui.widgets.plain_text import plain_tooltip
from frontdesk.ui.widgets.saving_form import is_enter
from frontdesk.ui.widgets.screen_fit import fit_to_screen

# Typing pauses this long before the search runs: one search per burst of keys.
TYPING_PAUSE_MS = 120
PROMPT = "Type a name, a birth date (3/4/1961), the end of a phone number or an MRN."
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole
# The keys the search box hands to the list, so the hands stay on the keyboard.
LIST_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class QuickFindDialog(QDialog):
    """``chart_requested(patient_id)`` when the desk opens a result; the dialog then closes.
    ``shown`` fires each time a search's results are on screen."""

    chart_requested = Signal(int)
    shown = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.page: QuickFindPage | None = None
        self.open_when_shown = False
        self.searches = LatestOnly(screen.runner)
        self.setWindowTitle("Find a patient")
        self.setAccessibleName("Find a patient")

        self.query = line_edit("Find a patient", "Name, birth date, phone or MRN", 200)
        self.query.setToolTip(f"{PROMPT} ({QUICK_FIND_KEYS} from any screen)")
        self.query.installEventFilter(self)
        self.query.textEdited.connect(self._typed)
        self.status = plain_label(PROMPT, "hint", wrap=True)
        self.status.setAccessibleName("Search status")
        self.banner = Banner()
        self.results = QListWidget()
        self.results.setAccessibleName("Patients found")
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setAlternatingRowColors(True)
        self.results.itemDoubleClicked.connect(lambda _item: self.open_current())
        self.results.currentRowChanged.connect(lambda _row: self._update_button())

        buttons = QDialogButtonBox()
        self.open_button = mark_primary(QPushButton("&Open chart"))
        self.open_button.setToolTip("Open the highlighted patient's chart (Enter)")
        self.open_button.setDefault(True)
        self.open_button.clicked.connect(self.open_current)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setToolTip("Close (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.banner)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self.search_now)
        fit_to_screen(self, QSize(760, 520))
        self._update_button()

    # Showing -----------------------------------------------------------------------------

    def start(self) -> None:
        """Show (again) with the last search selected, so typing replaces it."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # Searching ---------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        self.open_when_shown = False
        self.status.setText("Searching…")
        self.timer.start()

    def search_now(self) -> None:
        self.timer.stop()
        call = partial(quick_find, self.screen.services, self.query.text())
        self.searches.run(call, self.show_page, self._failed)

    def _failed(self, message: str) -> None:
        self.open_when_shown = False
        self.banner.show_message("error", f"Could not search. {message}")
        self.status.setText(PROMPT)

    def show_page(self, page: QuickFindPage) -> None:
        self.page = page
        self.banner.clear()
        self.results.clear()
        for result in page.items:
            who, facts = result.lines(page.zone)
            item = QListWidgetItem(f"{who}\n{facts}")
            item.setData(PATIENT_ID_ROLE, result.patient.id)
            item.setToolTip(plain_tooltip(f"{who}\n{facts}"))
            self.results.addItem(item)
        if page.items:
            self.results.setCurrentRow(0)
        self.status.setText(self._status_text(page))
        self._update_button()
        self.shown.emit()
        if self.open_when_shown:
            self.open_when_shown = False
            self.open_current()

    @staticmethod
    def _status_text(page: QuickFindPage) -> str:
        if not page.searched:
            return page.message or PROMPT
        if not page.items:
            return f"No patient found ({page.message}). Check the spelling, or try the phone."
        count = len(page.items)
        shown = f"{counted(count, 'patient')} ({page.message})"
        if page.more:
            return f"The first {shown}: type more to narrow it down."
        return f"{shown}. ↑ ↓ to choose, Enter opens the chart."

    # Choosing ----------------------------------------------------------------------------

    def current_patient_id(self) -> int | None:
        item = self.results.currentItem()
        value = item.data(PATIENT_ID_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def open_current(self) -> bool:
        if self.timer.isActive():
            # Enter straight after typing: the results on screen are for older text, so
            # the first of the fresh results opens once they are in.
            self.open_when_shown = True
            self.search_now()
            return False
        patient_id = self.current_patient_id()
        if patient_id is None:
            return False
        self.chart_requested.emit(patient_id)
        self.accept()
        return True

    def _update_button(self) -> None:
        self.open_button.setEnabled(self.current_patient_id() is not None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.query
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() in LIST_KEYS and self.results.count():
                # Arrows in the search box move through the results; the typing stays put.
                self.results.keyPressEvent(event)
                return True
            if is_enter(event):
                self.open_current()
                return True
        return super().eventFilter(watched, event)
