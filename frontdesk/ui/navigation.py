"""Going from one screen to where a next step is done (another area of the main window)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from frontdesk.domain.permissions import Permission
from frontdesk.ui.screen_context import ScreenContext

OPEN_WEEKLY_HOURS = "Open Admin → Scheduling"
NO_HOURS_TEXT = (
    "No provider has weekly hours yet, so there are no free times to find or book. "
    "Set the providers' usual hours in Admin → Scheduling → Weekly availability."
)
NO_HOURS_ASK_TEXT = (
    "No provider has weekly hours yet, so there are no free times to find or book. "
    "Ask an administrator to set them in Admin → Scheduling → Weekly availability."
)


def can_set_hours(screen: ScreenContext) -> bool:
    return screen.services.actor.can(Permission.EDIT_PRACTICE)


def no_hours_text(screen: ScreenContext) -> str:
    return NO_HOURS_TEXT if can_set_hours(screen) else NO_HOURS_ASK_TEXT


def _main_window(widget: QWidget | None) -> QWidget | None:
    """The main window ``widget`` is in (a dialog's parent chain leads there too)."""
    while widget is not None:
        if hasattr(widget, "show_area") and hasattr(widget, "area_widget"):
            return widget
        widget = widget.parentWidget()
    return None


def open_weekly_hours(widget: QWidget) -> bool:
    """Admin → Scheduling → Weekly availability in ``widget``'s main window; False when
    ``widget`` is not inside one."""
    window = _main_window(widget)
    if window is None:
        return False
    window.show_area("admin")  # type: ignore[attr-defined]
    admin = window.area_widget("admin")  # type: ignore[attr-defined]
    show = getattr(admin, "show_weekly_hours", None)
    if show is not None:
        show()
    return True
