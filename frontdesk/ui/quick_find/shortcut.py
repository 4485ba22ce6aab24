"""Ctrl+K from any screen, any field, any window of the main window's (a chart too).

An application-wide shortcut alone is not enough: a focused text field claims Ctrl+K
("delete to the end of the line" on Linux and macOS) before the shortcut sees it, and the
patient search field would keep it. So the key is caught on its way to the field, as the
lock catches Ctrl+L. Not while the screen is locked (the action is off then) nor while a
modal form is open (the search window would open behind it, blocked).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

QUICK_FIND_KEYS = "Ctrl+K"
QUICK_FIND_COMBINATION = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_K)


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    """Whether ``widget`` is in ``window`` or in a window it owns (a chart, a dialog)."""
    current: QWidget | None = widget
    while current is not None:
        if current is window:
            return True
        current = current.parentWidget()
    return False


class QuickFindKey(QObject):
    """Triggers ``action`` on Ctrl+K in ``window`` or any window it owns."""

    def __init__(self, window: QWidget, action: QAction) -> None:
        super().__init__(window)
        self.window = window
        self.action = action
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or not isinstance(watched, QWidget):
            return False
        if QKeyCombination(event.modifiers(), Qt.Key(event.key())) != QUICK_FIND_COMBINATION:
            return False
        if (
            not self.action.isEnabled()
            or QApplication.activeModalWidget() is not None
            or not _belongs_to(watched, self.window)
        ):
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Claimed here, so neither the field nor the shortcut map takes it: the key
            # press that follows comes back through this filter, once.
            event.accept()
            return True
        self.action.trigger()
        return True
