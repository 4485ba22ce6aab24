"""A form that scrolls follows the keyboard: the field that takes the focus (by Tab, by its
Alt+letter, or as the first with a message after a refused save) scrolls into view. At 150%
scaling Alt+R put the focus in "Referred by" below the fold and left it there, unseen."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

# Room above and below the field: its message and caption show with it.
MARGIN_LINES = 3


class FocusInView(QObject):
    """Scrolls ``scroll`` to each widget inside it that takes the focus."""

    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        self.scroll = scroll
        self.widget: QWidget | None = None
        # Again once the layout has settled: messages shown with the focus move the fields.
        self.settled = QTimer(self)
        self.settled.setSingleShot(True)
        self.settled.setInterval(0)
        self.settled.timeout.connect(self.show_widget)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.focus_changed)

    def focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or not shiboken6.isValid(self.scroll):
            return
        content = self.scroll.widget()
        if content is None or not content.isAncestorOf(new):
            return
        self.widget = new
        self.show_widget()
        self.settled.start()

    def show_widget(self) -> None:
        widget = self.widget
        if widget is None or not shiboken6.isValid(widget) or not shiboken6.isValid(self.scroll):
            return
        margin = widget.fontMetrics().height() * MARGIN_LINES
        self.scroll.ensureWidgetVisible(widget, 16, margin)


def keep_focus_in_view(scroll: QScrollArea) -> QScrollArea:
    """Make ``scroll`` follow the focus among its fields (returned for chaining)."""
    FocusInView(scroll)
    return scroll
