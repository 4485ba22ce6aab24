"""One rule for how big a window opens: its preferred size, but never more than the screen.

At 150% on a 1080p monitor the screen is 1280x720 logical pixels; a dialog that asked for
1160x780 put Save and Cancel below the bottom edge. Every window picks its size here, and its
form body scrolls (the button row stays outside the scroll area) so a smaller size still works.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room left around a window for its title bar and frame, and to show it is a window.
SCREEN_SHARE = 0.9


def available_size(widget: QWidget) -> QSize | None:
    """The room for windows (the taskbar left out) on the widget's screen, or None unknown."""
    display = QWidget.screen(widget) or QGuiApplication.primaryScreen()
    return None if display is None else display.availableGeometry().size()


def fitted_size(preferred: QSize, available: QSize | None) -> QSize:
    """``preferred``, shrunk to 90% of ``available`` in each direction it does not fit."""
    if available is None:
        return QSize(preferred)
    return QSize(
        min(preferred.width(), int(available.width() * SCREEN_SHARE)),
        min(preferred.height(), int(available.height() * SCREEN_SHARE)),
    )


def fit_to_screen(widget: QWidget, preferred: QSize) -> None:
    """Resize ``widget`` (a dialog or window) to ``preferred`` or what its screen allows."""
    widget.resize(fitted_size(preferred, available_size(widget)))


def grow_to_content(widget: QWidget) -> None:
    """Make a window tall enough for what it shows now (messages appeared under its fields),
    never taller than its screen allows. A layout's minimum size leaves out the height its
    wrapped texts need, so without this the rows of a fixed-size window run into each other."""
    layout = widget.layout()
    if layout is None:
        return
    layout.activate()
    width = widget.width()
    needed = (
        layout.totalHeightForWidth(width)
        if layout.hasHeightForWidth()
        else layout.totalSizeHint().height()
    )
    if needed <= widget.height():
        return
    room = available_size(widget)
    limit = needed if room is None else max(widget.height(), int(room.height() * SCREEN_SHARE))
    widget.resize(width, min(needed, limit))


def lay_out_now(root: QWidget) -> None:
    """Lay ``root`` and everything in it out now, innermost layouts first.

    A label that gets its text changes its size hint, but each level of nested layouts
    catches up in its own pass of the event loop; until the last one, a field measured while
    empty shows two letters of its value. A screen that has just filled its fields calls this
    so that its first paint shows them whole.
    """
    widgets = [root, *root.findChildren(QWidget)]
    for widget in reversed(widgets):  # children come after their parent in the list
        layout = widget.layout()
        if layout is not None:
            layout.activate()
