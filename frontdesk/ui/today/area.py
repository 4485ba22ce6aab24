"""The Today area, a receptionist's first screen: today's appointments per provider, who has
arrived, the day's counts, freed times with the waitlisted patients who fit them, and the
calls to return."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.kernel.changes import touches
from frontdesk.services.scheduling import status as scheduling_status
from frontdesk.services.scheduling.data import (
    AppointmentData,
    FreedTimeMatches,
    WaitlistEntryData,
    WaitlistMatch,
)
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.navigation import (
    OPEN_WEEKLY_HOURS,
    can_set_hours,
    no_hours_text,
    open_weekly_hours,
)
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.scheduling.waitlist_dialogs import AddToWaitlistDialog, book_match, booked_text
from frontdesk.ui.scheduling.waitlist_panel import WaitlistPanel
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.today.calls_panel import CallsToReturnPanel
from frontdesk.ui.today.day_list import DayAppointments
from frontdesk.ui.today.freed_panel import FreedTimesPanel
from frontdesk.ui.today.snapshot import TodaySnapshot, load_today
from frontdesk.ui.widgets.form import Banner, plain_label

TABLES = frozenset(
    {
        "appointments",
        "appointment_events",
        "waitlist_entries",
        "patients",
        "providers",
        "locations",
        "appointment_types",
        "availability_blocks",
        "availability_exceptions",
    }
)
# The Checked in column: a time and a name on a line, the provider and visit on the next.
ARRIVED_WIDTH = 250
# How far ahead freed times are worth offering from the front desk.
FREED_DAYS_AHEAD = 28
# How often the area checks whether the practice's day has turned (it then reads the new day).
DAY_CHECK_MS = 60_000
STATUS_DONE = {
    AppointmentStatus.CHECKED_IN: "checked in",
    AppointmentStatus.NO_SHOW: "marked as a no-show; the time is free again",
    AppointmentStatus.COMPLETED: "marked completed",
}


class TodayArea(QWidget):
    """``loaded`` fires each time a fresh read of the day is on screen."""

    loaded = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.snapshot: TodaySnapshot | None = None
        self.dialog: QWidget | None = None
        self.loads = LatestOnly(screen.runner)

        self.title = plain_label("Today", "pageTitle", wrap=True)
        self.add_button = mark_primary(QPushButton("&Add to waitlist…"))
        self.add_button.setToolTip("Put a patient who wants an earlier time on the list (Ctrl+N)")
        self.add_button.clicked.connect(self.new_item)
        self.refresh_button = QPushButton("Refre&sh")
        self.refresh_button.setToolTip("Read today again (F5)")
        self.refresh_button.setShortcut(QKeySequence("F5"))
        self.refresh_button.clicked.connect(self.refresh)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.refresh_button)
        header.addWidget(self.add_button)
        self.counts = plain_label("Reading today…", wrap=True)
        self.counts.setAccessibleName("Today's counts")
        self.banner = Banner()
        # The next step of a new practice: without weekly hours nothing can be booked.
        self.next_step = Banner()

        self.day = DayAppointments()
        self.day.status_requested.connect(self.set_status)
        self.day.open_requested.connect(self.open_appointment)
        day_box = QGroupBox("Appointments today")
        QVBoxLayout(day_box).addWidget(self.day)
        self.arrived = QListWidget()
        self.arrived.setAccessibleName("Checked in")
        # Who arrived on one line, with whom and for what on the next: in a column about a
        # quarter of the window wide (150% on a 1080p screen) one long line wrapped over four
        # or five and scrolled sideways.
        self.arrived.setWordWrap(True)
        self.arrived.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.arrived.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.arrived.itemActivated.connect(self._arrived_activated)
        arrived_box = QGroupBox("Checked in")
        QVBoxLayout(arrived_box).addWidget(self.arrived)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(day_box)
        top.addWidget(arrived_box)
        top.setChildrenCollapsible(False)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)
        top.setSizes([3 * ARRIVED_WIDTH, ARRIVED_WIDTH])

        self.freed = FreedTimesPanel()
        self.freed.book_requested.connect(self.book)
        freed_box = QGroupBox("Freed times nobody has filled yet")
        QVBoxLayout(freed_box).addWidget(self.freed)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(freed_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        # The freed times a little more than half: at 1280x720 the day's list keeps about
        # seven rows, and who fits a freed time three whose notes wrap (it had one and a half).
        self.splitter.setSizes([870, 1130])

        self.waitlist = WaitlistPanel(screen)
        self.waitlist.loaded.connect(self._waitlist_count)
        self.waitlist.changed.connect(self.refresh)
        self.waitlist.add_button.hide()  # the area's own button, at the top, adds
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Today and the waitlist")
        self.tabs.addTab(self.splitter, "&Today")
        self.tabs.addTab(self.waitlist, "&Waitlist")
        self.calls = CallsToReturnPanel(screen)
        self.calls.loaded.connect(self._calls_count)
        self.calls.open_chart_requested.connect(self.open_chart)
        self.tabs.addTab(self.calls, "Calls to &return")
        self.chart: QWidget | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(header)
        layout.addWidget(self.counts)
        layout.addWidget(self.next_step)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self.day_timer = QTimer(self)
        self.day_timer.setInterval(DAY_CHECK_MS)
        self.day_timer.timeout.connect(self._check_day)
        self.day_timer.start()
        self.refresh()

    def focus_target(self) -> QWidget:
        """Where Ctrl+digit puts the keyboard: the day's appointments (arrows, Alt+I), or
        the tabs while the day has none to list."""
        return self.day.tree if self.day.tree.isVisible() else self.tabs

    # Reading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.calls.refresh()
        self.loads.run(
            partial(load_today, self.screen.services, FREED_DAYS_AHEAD),
            self._show,
            lambda message: self.banner.show_message("error", message),
        )

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    def _check_day(self) -> None:
        snapshot = self.snapshot
        if snapshot is not None and datetime.now(snapshot.zone).date() != snapshot.day:
            self.refresh()

    def _show(self, snapshot: TodaySnapshot) -> None:
        self.snapshot = snapshot
        self.title.setText(f"Today · {snapshot.day:%A %m/%d/%Y}")
        self.counts.setText("  ·  ".join(f"{label}: {n}" for label, n in snapshot.counts()))
        self.day.show_day(snapshot.by_provider(), snapshot.zone)
        self.arrived.clear()
        for item in snapshot.arrived():
            line = (
                f"{item.start.astimezone(snapshot.zone):%H:%M}  {item.patient_name}\n"
                f"{item.provider_name} ({item.type_name})"
            )
            self.arrived.addItem(line)
            self.arrived.item(self.arrived.count() - 1).setData(Qt.ItemDataRole.UserRole, item.id)
        if not snapshot.arrived():
            self.arrived.addItem("Nobody has checked in yet.")
        self.freed.show_items(snapshot.freed, snapshot.zone)
        self._show_next_step(snapshot.has_hours)
        self.loaded.emit()

    def _show_next_step(self, has_hours: bool) -> None:
        if has_hours:
            self.next_step.clear()
            return
        action = (
            (OPEN_WEEKLY_HOURS, lambda: open_weekly_hours(self))
            if can_set_hours(self.screen)
            else None
        )
        self.next_step.show_message("info", no_hours_text(self.screen), action)

    def _waitlist_count(self, waiting: int) -> None:
        self.tabs.setTabText(1, f"&Waitlist ({waiting})")

    def _calls_count(self, due: int) -> None:
        more = "+" if self.calls.calls is not None and self.calls.calls.more else ""
        self.tabs.setTabText(2, f"Calls to &return ({due}{more})")

    def open_chart(self, patient_id: int) -> None:
        """A chart from the calls to return: the main window's (one per patient) if any."""
        window = self.window()
        opener = getattr(window, "open_chart", None) if window is not self else None
        if callable(opener):
            opener(patient_id)
            return
        from frontdesk.ui.patients.chart import PatientChart

        chart = PatientChart(self.screen, patient_id, self)
        chart.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.chart = chart
        chart.show()

    # Acting ------------------------------------------------------------------------------

    def set_status(self, item: AppointmentData, status: AppointmentStatus) -> None:
        if refused_while_paused(self.banner):
            return
        call = partial(
            scheduling_status.set_status,
            self.screen.services,
            item.id,
            status,
            expected_version=item.version,
        )

        def done(data: AppointmentData) -> None:
            self.banner.show_message("success", f"{data.patient_name}: {STATUS_DONE[status]}.")
            self.refresh()

        def failed(message: str) -> None:
            self.banner.show_message("error", message)
            self.refresh()

        self.screen.runner.run(call, done, failed)

    def book(self, item: FreedTimeMatches, match: WaitlistMatch) -> None:
        if refused_while_paused(self.banner):
            return
        self.freed.set_busy(True)
        self.banner.show_message("info", f"Booking {match.entry.patient_name}…")
        zone = self.snapshot.zone if self.snapshot else None

        def booked(data: AppointmentData) -> None:
            self.freed.set_busy(False)
            text = booked_text(data, match, zone) if zone else f"Booked {data.patient_name}."
            self.banner.show_message("success", text)
            self.refresh()
            self.waitlist.refresh()

        def refused(message: str, taken: bool) -> None:
            self.freed.set_busy(False)
            self.banner.show_message("error", message)
            if taken:
                self.refresh()

        book_match(
            self.screen,
            self,
            match,
            provider_id=item.freed.provider_id,
            on_booked=booked,
            on_refused=refused,
        )

    def open_appointment(self, appointment_id: int) -> None:
        try:
            from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
        except ImportError:
            self.banner.show_message(
                "info", "Opening an appointment comes with the Schedule area's appointment window."
            )
            return
        dialog = AppointmentDialog(self.screen, appointment_id, self)
        dialog.changed.connect(lambda _data: self.refresh())
        self._open(dialog)

    def _arrived_activated(self, list_item: object) -> None:
        appointment_id = list_item.data(Qt.ItemDataRole.UserRole)  # type: ignore[attr-defined]
        if isinstance(appointment_id, int):
            self.open_appointment(appointment_id)

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        finished = getattr(dialog, "finished", None)
        if finished is not None:
            finished.connect(lambda _code: setattr(self, "dialog", None))
        dialog.open()  # type: ignore[attr-defined]

    # Hooks of the main window --------------------------------------------------------------

    def new_item(self) -> bool:
        dialog = AddToWaitlistDialog(self.screen, parent=self)
        dialog.saved.connect(self._added)
        self._open(dialog)
        return True

    def _added(self, entry: WaitlistEntryData) -> None:
        self.banner.show_message(
            "success", f"{entry.patient_name} is on the waitlist: {entry.wants}."
        )
        self.refresh()
        self.waitlist.refresh()

    def print_current(self) -> bool:
        """Ctrl+P: today's day sheet for every provider."""
        try:
            from frontdesk.ui.scheduling.day_sheet import DaySheetDialog
        except ImportError:
            return False
        if self.snapshot is None:
            return False
        self._open(DaySheetDialog(self.screen, self.snapshot.day, None, self))
        return True
