"""The main window: a sidebar of areas, the current area, and the status bar.

Add an area by adding one line to AREAS. An area is a QWidget built by ``factory(screen)``;
it may implement ``focus_search()``, ``new_item()`` and ``print_current()``, which Ctrl+F,
Ctrl+N and Ctrl+P call on the current area (returning False means "nothing to do here"),
and ``can_close()``, asked before the window closes (False keeps it open). Ctrl+K, the
quick patient search, works the same from every area and every window the main window owns.
An area's optional ``badge(services)`` counts what waits in it ("Inbox (12)"); it runs on
the runner when the window opens and again whenever the change hub names one of
``badge_tables``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk import __version__
from frontdesk.domain.permissions import Permission
from frontdesk.logs import log_file
from frontdesk.paths import data_dir
from frontdesk.services.kernel.changes import touches
from frontdesk.ui import APP_TITLE
from frontdesk.ui.quick_find.shortcut import QUICK_FIND_KEYS, QuickFindKey
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import clear_done_messages, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.workstation_settings import workstation_settings

if TYPE_CHECKING:
    from frontdesk.services.kernel.context import ServiceContext
    from frontdesk.ui.quick_find.dialog import QuickFindDialog

log = logging.getLogger(__name__)

AreaFactory = Callable[[ScreenContext], QWidget]
# Counts what waits in an area; runs off the UI thread (it may query the database).
AreaBadge = Callable[["ServiceContext"], int]


# Each area's module is imported inside its factory, the first time the area opens, so
# start-up loads none of them (and their services) before the first screen shows.


def today_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.today.area import TodayArea

    return TodayArea(screen)


def requests_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.requests.area import RequestsArea

    return RequestsArea(screen)


def schedule_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.scheduling.area import ScheduleArea

    return ScheduleArea(screen)


def patients_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.patients.area import PatientsArea

    return PatientsArea(screen)


def inbox_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.inbox.area import InboxArea

    return InboxArea(screen)


def inbox_badge(services: ServiceContext) -> int:
    from frontdesk.services.inbox.listing import unfiled_count

    return unfiled_count(services)


def handouts_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.handouts.area import HandoutsArea

    return HandoutsArea(screen)


def admin_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.admin.area import AdminArea

    return AdminArea(screen)


def audit_area(screen: ScreenContext) -> QWidget:
    from frontdesk.ui.audit.area import AuditArea

    return AuditArea(screen)


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    # Called the first time the area opens. None: not built yet; an honest empty state says
    # what will be.
    factory: AreaFactory | None
    summary: str
    # Only users whose role has this permission see the area (the services refuse anyway).
    permission: Permission | None = None
    # "Inbox (12)": how many wait there, counted again when one of badge_tables changes.
    badge: AreaBadge | None = None
    badge_tables: frozenset[str] = frozenset()


AREAS: list[Area] = [
    Area(
        "today",
        "Today",
        today_area,
        "Today's appointments for each provider, who has arrived, and times freed by "
        "cancellations with the waitlist beside them will appear here.",
    ),
    Area(
        "requests",
        "Requests",
        requests_area,
        "Consultation requests from referring doctors will be listed here with the records "
        "each one still needs and what to do next.",
    ),
    Area(
        "schedule",
        "Schedule",
        schedule_area,
        "The providers' calendars will be here: find the next free time and book visits.",
    ),
    Area(
        "patients",
        "Patients",
        patients_area,
        "Search for a patient by name or date of birth and open their chart here.",
    ),
    Area(
        "handouts",
        "Handouts",
        handouts_area,
        "Patient handouts and pre-visit packets will be printed from here.",
    ),
    Area(
        "inbox",
        "Inbox",
        inbox_area,
        "Faxes, scans and e-mailed records, read and matched to the patient, to file.",
        Permission.EDIT_REQUESTS,
        badge=inbox_badge,
        badge_tables=frozenset({"inbox_documents"}),
    ),
    Area(
        "admin",
        "Admin",
        admin_area,
        "The practice profile, locations and providers.",
    ),
    Area(
        "audit",
        "Audit",
        audit_area,
        "Who opened or changed what: the audit trail, a patient's access report and its check.",
        Permission.VIEW_AUDIT,
    ),
]

HOOKS = {
    "focus_search": "search in",
    "new_item": "create in",
    "print_current": "print in",
}

SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_STATE = "main_window/state"
SETTINGS_AREA = "main_window/area"
DEFAULT_SIZE = (1280, 800)


DEMO_TITLE = "DEMO"
DEMO_BADGE = "DEMO PRACTICE · invented people, not your practice's data"


def window_title(practice_name: str, *, demo: bool = False) -> str:
    """ "Lakeside Spine — Front Desk": the app's name last, where Qt looks for it.

    The application's display name is Front Desk, and Qt adds it to every window title that
    does not already end with it; a title starting with it showed the name twice. The demo
    practice's title starts with DEMO.
    """
    title = f"{practice_name} — {APP_TITLE}" if practice_name else APP_TITLE
    return f"{DEMO_TITLE} · {title}" if demo else title


def _build_area(area: Area, screen: ScreenContext) -> QWidget:
    factory = area.factory
    if factory is None:
        return EmptyState(
            f"{area.title} is not available yet",
            area.summary + "\n\nThis part of Front Desk comes in a later version.",
        )
    return factory(screen)


TAB_FOCUS = (Qt.FocusPolicy.TabFocus, Qt.FocusPolicy.StrongFocus, Qt.FocusPolicy.WheelFocus)


def area_focus_target(area: QWidget) -> QWidget | None:
    """Where the keyboard goes when the desk switches to the area: what its ``focus_target()``
    names, else its first shown list or table that takes the focus."""
    named = getattr(area, "focus_target", None)
    if callable(named):
        target = named()
        return target if isinstance(target, QWidget) else None
    for view in area.findChildren(QAbstractItemView):
        if view.isVisible() and view.isEnabled() and view.focusPolicy() in TAB_FOCUS:
            return view
    return None


class MainWindow(QMainWindow):
    """``set_up_requested`` (the demo practice only): the person wants to leave the demo and
    set up their own practice."""

    area_changed = Signal(str)
    set_up_requested = Signal()

    def __init__(
        self,
        screen: ScreenContext,
        settings: QSettings | None = None,
        areas: list[Area] | None = None,
        practice_name: str = "",
    ) -> None:
        super().__init__()
        self.screen = screen
        self.settings = settings if settings is not None else workstation_settings()
        actor = screen.services.actor
        self.areas = [
            area
            for area in (AREAS if areas is None else areas)
            if area.permission is None or actor.can(area.permission)
        ]
        self._widgets: dict[str, QWidget] = {}
        self.about_dialog: AboutDialog | None = None
        self.demo = screen.demo
        self.quick_find_dialog: QWidget | None = None
        self.setWindowTitle(window_title(practice_name, demo=self.demo))
        self.setObjectName("mainWindow")

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Areas")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        font = self.sidebar.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.sidebar.setFont(font)
        for index, area in enumerate(self.areas):
            item = QListWidgetItem(area.title)
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            if index < 9:
                item.setToolTip(f"{area.title} (Ctrl+{index + 1})")
            self.sidebar.addItem(item)

        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Current area")
        for _area in self.areas:
            # A placeholder until the area is first opened.
            self.stack.addWidget(QWidget())

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.database_label = plain_label(f"Database: {screen.database_label}")
        self.database_label.setAccessibleName("Database in use")
        self.user_label = plain_label(f"Signed in: {screen.user_label}")
        self.user_label.setAccessibleName("Signed-in user")
        self.demo_badge: QLabel | None = None
        self.set_up_button: QPushButton | None = None
        if self.demo:
            self.demo_badge = plain_label(DEMO_BADGE, "demoBadge")
            self.demo_badge.setAccessibleName("Demo practice")
            self.statusBar().addWidget(self.demo_badge)
            self.set_up_button = QPushButton("Set up my practice…")
            self.set_up_button.setToolTip(
                "Leave the demo and set up your own practice (nothing of the demo is kept)"
            )
            self.set_up_button.clicked.connect(self.set_up_requested)
            self.statusBar().addPermanentWidget(self.set_up_button)
        self.statusBar().addPermanentWidget(self.database_label)
        self.statusBar().addPermanentWidget(self.user_label)

        # The outage banner across the top; saving pauses app-wide while the server is away.
        from frontdesk.ui.connection_monitor import attach_connection_monitor

        self.connection_monitor = attach_connection_monitor(self, screen)

        self._build_menus()
        self.sidebar.currentRowChanged.connect(self._show_row)
        self._restore()
        self._badges: dict[str, LatestOnly] = {
            area.key: LatestOnly(screen.runner) for area in self.areas if area.badge is not None
        }
        if self._badges and screen.changes is not None:
            screen.changes.changed.connect(self._count_again)
        for key in self._badges:
            self.count_badge(key)

    def show_practice(self, profile: object) -> None:
        """Name the practice in the title (``profile``: PracticeProfileData or None)."""
        name = getattr(profile, "name", "")
        self.setWindowTitle(window_title(name, demo=self.demo))

    # Areas -------------------------------------------------------------------------------

    def area_keys(self) -> list[str]:
        return [area.key for area in self.areas]

    def current_key(self) -> str:
        row = self.sidebar.currentRow()
        return self.areas[row].key if 0 <= row < len(self.areas) else ""

    def current_area(self) -> QWidget | None:
        return self._widgets.get(self.current_key())

    def area_widget(self, key: str) -> QWidget:
        """The area's widget, built on first use."""
        if key not in self._widgets:
            index = self.area_keys().index(key)
            area = self.areas[index]
            try:
                widget = _build_area(area, self.screen)
            except Exception:
                log.exception("could not open the %s area", area.key)
                widget = EmptyState(
                    f"{area.title} could not be opened",
                    "Something went wrong while opening this area. The rest of Front Desk "
                    f"works as usual. The details are in the log file {log_file()}.",
                )
            widget.setAccessibleName(area.title)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._widgets[key] = widget
        return self._widgets[key]

    def show_area(self, key: str) -> None:
        self.sidebar.setCurrentRow(self.area_keys().index(key))

    def go_to_area(self, key: str) -> None:
        """Switch area by keyboard (Ctrl+digit, the Go menu): the keys that follow work in the
        area's list, so Ctrl+6 then Enter files and Ctrl+2 then the arrows move in the queue. A
        click in the sidebar leaves the focus where the mouse put it."""
        self.show_area(key)
        target = area_focus_target(self.area_widget(key))
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.areas):
            return
        key = self.areas[row].key
        widget = self.area_widget(key)
        leaving = self.stack.currentWidget()
        if leaving is not None and leaving is not widget:
            # The one rule for stale success messages: they end when the desk moves on.
            clear_done_messages(leaving)
        self.stack.setCurrentWidget(widget)
        self.settings.setValue(SETTINGS_AREA, key)
        self.area_changed.emit(key)

    # Badges ------------------------------------------------------------------------------

    def count_badge(self, key: str) -> None:
        """Count what waits in the area ``key`` (on the runner) and show it in the sidebar."""
        index = self.area_keys().index(key)
        badge = self.areas[index].badge
        if badge is None:
            return
        services = self.screen.services
        self._badges[key].run(
            lambda: badge(services),
            partial(self._show_badge, index),
            lambda _message: None,  # the sidebar keeps its last count; the area says why
        )

    def _show_badge(self, index: int, count: int) -> None:
        area = self.areas[index]
        item = self.sidebar.item(index)
        item.setText(f"{area.title} ({count:,})" if count else area.title)
        shortcut = f" (Ctrl+{index + 1})" if index < 9 else ""
        waiting = f": {count:,} waiting" if count else ""
        item.setToolTip(f"{area.title}{waiting}{shortcut}")

    def _count_again(self, tables: frozenset[str]) -> None:
        for key in self._badges:
            area = self.areas[self.area_keys().index(key)]
            if touches(tables, area.badge_tables):
                self.count_badge(key)

    # Actions -----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        self.new_action = self._action("&New", "Ctrl+N", lambda: self.call_hook("new_item"))
        self.print_action = self._action(
            "&Print…", "Ctrl+P", lambda: self.call_hook("print_current")
        )
        quit_action = self._action("&Quit", "Ctrl+Q", self.close)
        file_menu.addActions([self.new_action, self.print_action])
        if self.demo:
            file_menu.addSeparator()
            leave = QAction("Leave the demo and &set up my practice…", self)
            leave.triggered.connect(self.set_up_requested)
            file_menu.addAction(leave)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        edit_menu = menus.addMenu("&Edit")
        self.find_action = self._action("&Find", "Ctrl+F", lambda: self.call_hook("focus_search"))
        self.quick_find_action = self._action(
            "Find a &patient…", QUICK_FIND_KEYS, self.open_quick_find
        )
        self.quick_find_action.setToolTip(
            f"Find a patient from any screen and open the chart ({QUICK_FIND_KEYS})"
        )
        # Also from a chart window, and from a field that claims the key for itself.
        self.quick_find_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quick_find_key = QuickFindKey(self, self.quick_find_action)
        edit_menu.addActions([self.find_action, self.quick_find_action])
        go_menu = menus.addMenu("&Go")
        for index, area in enumerate(self.areas[:9]):
            action = self._action(
                area.title,
                f"Ctrl+{index + 1}",
                lambda _checked=False, key=area.key: self.go_to_area(key),
            )
            go_menu.addAction(action)
        help_menu = menus.addMenu("&Help")
        self.help_action = self._action("&Help and about", "F1", self.show_help)
        help_menu.addAction(self.help_action)

    def _action(self, text: str, shortcut: str, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({shortcut})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def call_hook(self, hook: str) -> bool:
        """Run the current area's hook; say so in the status bar when it has none."""
        area = self.current_area()
        method = getattr(area, hook, None) if area is not None else None
        # A hook may return False to say it has nothing to do in the area's current state.
        if callable(method) and method() is not False:
            return True
        title = self.areas[self.sidebar.currentRow()].title
        self.statusBar().showMessage(f"There is nothing to {HOOKS[hook]} {title}.", 4000)
        return False

    def open_quick_find(self) -> QuickFindDialog:
        """Ctrl+K: the quick patient search, on top of whatever screen is showing."""
        # Loaded on first use, with the services it reads (start-up loads none of them).
        from frontdesk.ui.quick_find.dialog import QuickFindDialog

        dialog = self.quick_find_dialog
        if not isinstance(dialog, QuickFindDialog):
            dialog = QuickFindDialog(self.screen, self)
            dialog.chart_requested.connect(self.open_chart)
            self.quick_find_dialog = dialog
        dialog.start()
        return dialog

    def open_chart(self, patient_id: int) -> QWidget:
        """Open a chart as the Patients area does (one window per chart, kept there)."""
        if "patients" in self.area_keys():
            area = self.area_widget("patients")
            open_chart = getattr(area, "open_chart", None)
            if callable(open_chart):
                chart = open_chart(patient_id)
                assert isinstance(chart, QWidget)
                return chart
        from frontdesk.ui.patients.chart import PatientChart

        chart = PatientChart(self.screen, patient_id, self)
        chart.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chart.show()
        return chart

    def show_help(self) -> None:
        dialog = AboutDialog(self.screen, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_dialog = dialog
        dialog.open()

    # Settings ----------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value(SETTINGS_GEOMETRY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self._default_geometry()
        else:
            self._keep_on_screen()
        state = self.settings.value(SETTINGS_STATE)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        key = self.settings.value(SETTINGS_AREA)
        self.show_area(key if key in self.area_keys() else self.areas[0].key)

    def _default_geometry(self) -> None:
        fit_to_screen(self, QSize(*DEFAULT_SIZE))
        screen = QWidget.screen(self)
        if screen is not None:
            frame = self.frameGeometry()
            frame.moveCenter(screen.availableGeometry().center())
            self.move(frame.topLeft())

    def _keep_on_screen(self) -> None:
        """A size saved on a bigger screen, or at another scale (1848 px wide saved before
        a fix, then 150% on a 1080p monitor), is brought back inside this screen."""
        screen = QWidget.screen(self)
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        room = screen.availableGeometry()
        if self.width() > room.width() or self.height() > room.height():
            self.resize(min(self.width(), room.width()), min(self.height(), room.height()))
        frame = self.frameGeometry()
        x = min(max(frame.left(), room.left()), room.right() - frame.width() + 1)
        y = min(max(frame.top(), room.top()), room.bottom() - frame.height() + 1)
        if (x, y) != (frame.left(), frame.top()):
            self.move(max(x, room.left()), max(y, room.top()))

    def save_settings(self) -> None:
        self.settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self.settings.setValue(SETTINGS_STATE, self.saveState())
        self.settings.setValue(SETTINGS_AREA, self.current_key())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        for widget in self._widgets.values():
            can_close = getattr(widget, "can_close", None)
            if callable(can_close) and not can_close():
                event.ignore()
                return
        if self._asked_about_an_open_form():
            event.ignore()
            return
        self.save_settings()
        super().closeEvent(event)

    def _asked_about_an_open_form(self) -> bool:
        """A form window with unsaved work (an intake, a booking) asks before Quit loses it,
        the same question the lock asks; Quit again once it is answered."""
        from frontdesk.ui.widgets.saving_form import FormDialog

        for form in self.findChildren(FormDialog):
            if form.isVisible() and form.has_unsaved_changes():
                form.raise_()
                form.activateWindow()
                form.reject()  # "Discard changes?" without blocking
                return True
        return False


class AboutDialog(QDialog):
    """F1: the version, where the data and the log are, and the keyboard shortcuts."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_TITLE}")
        self.setAccessibleName(f"About {APP_TITLE}")
        layout = QVBoxLayout(self)
        title = plain_label(f"{APP_TITLE} {__version__}", "pageTitle")
        layout.addWidget(title)
        layout.addWidget(
            plain_label(
                "Consultation requests, scheduling, history and handouts for a spine practice.",
                "hint",
                wrap=True,
            )
        )
        details = QFormLayout()
        self.database_value = self._selectable(screen.database_label)
        self.log_value = self._selectable(str(log_file()))
        details.addRow("Database:", self.database_value)
        details.addRow("Signed in:", self._selectable(screen.user_label))
        details.addRow("Log file:", self.log_value)
        details.addRow("Data folder:", self._selectable(str(data_dir())))
        layout.addLayout(details)
        layout.addSpacing(8)
        layout.addWidget(plain_label("Keyboard shortcuts", "sectionTitle"))
        keys = QFormLayout()
        for shortcut, meaning in (
            ("Ctrl+F", "Search in the current area"),
            (QUICK_FIND_KEYS, "Find a patient from any screen; Enter opens the chart"),
            ("Ctrl+Shift+C", "On a chart: log a phone call"),
            ("Ctrl+N", "New item in the current area"),
            ("Ctrl+P", "Print, where printing applies"),
            ("Ctrl+1, Ctrl+2 …", "Go to the first, second … area of the sidebar"),
            ("Ctrl+L", "Lock the screen now (your password unlocks it)"),
            ("Enter / Esc", "Save / cancel a form (Esc asks before discarding changes)"),
            ("F1", "This window"),
        ):
            keys.addRow(plain_label(shortcut), plain_label(meaning))
        layout.addLayout(keys)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _selectable(self, text: str) -> QLabel:
        label = plain_label(text, wrap=True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label
