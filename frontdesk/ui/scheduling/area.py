"""The Schedule area: the day view (providers side by side) and the week view (one provider),
with navigation, the booking and printing dialogs, and drag-to-reschedule."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice.forms import ProviderData
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import availability, calendars
from frontdesk.services.scheduling.booking import OutsideAvailabilityError
from frontdesk.services.scheduling.data import AppointmentData, AvailabilityData, CalendarData
from frontdesk.ui.connection_monitor import refused_while_paused
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.scheduling.calendar_geometry import ProviderDay
from frontdesk.ui.scheduling.calendar_moves import (
    FreeStretch,
    FreeTimeChoice,
    MoveRequest,
    describe_move,
    move_call,
    refusal_text,
)
from frontdesk.ui.scheduling.calendar_view import CalendarView
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.empty_state import EmptyState
from frontdesk.ui.widgets.form import Banner, plain_label

# What the calendar shows: a change to any of these repaints it.
TABLES = frozenset(
    {
        "appointments",
        "appointment_events",
        "appointment_types",
        "availability_blocks",
        "availability_exceptions",
        "patients",
        "practice_profile",
    }
)
PROVIDER_TABLES = frozenset({"providers", "locations", "availability_blocks"})
DAY, WEEK = "day", "week"
# More columns than this would be too narrow to read at 1280 pixels; more scroll sideways.
DEFAULT_DAY_PROVIDERS = 5


def _bar(name: str) -> QToolBar:
    bar = QToolBar()
    bar.setAccessibleName(name)
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setStyleSheet("QToolBar { border: none; background: transparent; spacing: 4px; }")
    return bar


def _spacer() -> QWidget:
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return spacer


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class ScheduleArea(QWidget):
    """``calendar_loaded`` fires each time fresh calendar data is on screen."""

    calendar_loaded = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        # The practice's zone once read (the computer's until then): "today" is the desk's.
        self.zone: tzinfo | None = None
        self.mode = DAY
        self.day = self._today()
        self.providers: list[ProviderData] = []
        self.with_hours: set[int] = set()
        self.day_provider_ids: list[int] = []
        self.week_provider_id: int | None = None
        self.data: CalendarData | None = None
        self.dialog: QDialog | None = None
        self.question: QMessageBox | None = None
        self._scroll_to_start = True
        self._focus_provider: int | None = None
        self.can_schedule = screen.services.actor.can(Permission.SCHEDULE)

        self.title = plain_label("Schedule", "pageTitle")
        # Not Alt+F: the main window's File menu has it (and Alt+E, Alt+G, Alt+H).
        self.find_button = mark_primary(QPushButton("Find &next available…"))
        self.find_button.setToolTip("Find the next free times that suit the patient (Ctrl+F)")
        self.find_button.clicked.connect(self.focus_search)
        self.day_sheet_button = QPushButton("Print &day sheet…")
        self.day_sheet_button.setToolTip("The day's list for the provider, to print (Ctrl+P)")
        self.day_sheet_button.clicked.connect(self.print_current)
        self.calls_button = QPushButton("&Reminder calls…")
        self.calls_button.setToolTip("Call the patients of the day shown and mark each call")
        self.calls_button.clicked.connect(self.open_call_list)
        self.export_button = QPushButton("E&xport calendar…")
        self.export_button.setToolTip("An iCalendar file of a provider's schedule")
        self.export_button.clicked.connect(self.open_export)
        self.packets_button = QPushButton("Pre-visit &packets…")
        self.packets_button.setToolTip("Print the packets for the patients of the day shown")
        self.packets_button.clicked.connect(self.open_packets)
        # Toolbars fold what does not fit into their » menu (a narrow window, 150% scaling).
        self.print_bar = _bar("Printing and export")
        self.print_bar.addWidget(_spacer())
        for button in (
            self.day_sheet_button,
            self.calls_button,
            self.export_button,
            self.packets_button,
        ):
            self.print_bar.addWidget(button)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.print_bar, 1)
        header.addWidget(self.find_button)

        self.previous_button = QToolButton()
        self.previous_button.setText("◀")
        self.previous_button.setAccessibleName("Previous day")
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.today_button = QPushButton("&Today")
        self.today_button.setToolTip("Go to today (T or Home in the calendar)")
        self.today_button.clicked.connect(self.go_today)
        self.next_button = QToolButton()
        self.next_button.setText("▶")
        self.next_button.setAccessibleName("Next day")
        self.next_button.clicked.connect(lambda: self.step(1))
        self.date_edit = QDateEdit()
        self.date_edit.setAccessibleName("Date shown")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd MM/dd/yyyy")
        self.date_edit.setToolTip("Type or pick a date (Alt+Down opens the calendar)")
        self.date_edit.setDate(_qdate(self.day))
        self.date_edit.dateChanged.connect(self._date_edited)
        self.day_button = QToolButton()
        self.day_button.setText("Day")
        self.day_button.setCheckable(True)
        self.day_button.setChecked(True)
        self.day_button.setAccessibleName("Day view")
        self.day_button.setToolTip("One day, the chosen providers side by side")
        self.week_button = QToolButton()
        self.week_button.setText("Week")
        self.week_button.setCheckable(True)
        self.week_button.setAccessibleName("Week view")
        self.week_button.setToolTip("One provider's week")
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        self.mode_group.addButton(self.day_button)
        self.mode_group.addButton(self.week_button)
        self.day_button.clicked.connect(lambda: self.set_mode(DAY))
        self.week_button.clicked.connect(lambda: self.set_mode(WEEK))
        self.providers_button = QToolButton()
        self.providers_button.setText("Providers")
        self.providers_button.setAccessibleName("Providers shown")
        self.providers_button.setToolTip("Choose the providers shown side by side")
        self.providers_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.providers_menu = QMenu(self.providers_button)
        self.providers_button.setMenu(self.providers_menu)
        self.provider_actions: dict[int, QAction] = {}
        self.week_provider = QComboBox()
        self.week_provider.setAccessibleName("Provider of the week")
        self.week_provider.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.week_provider.setMinimumContentsLength(12)
        self.week_provider.currentIndexChanged.connect(self._week_provider_chosen)
        self.show_cancelled = QCheckBox("Show &cancelled")
        self.show_cancelled.setToolTip("Show cancelled and no-show appointments, faded")
        self.show_cancelled.toggled.connect(self._show_cancelled_toggled)
        self.when_label = plain_label("", "sectionTitle")
        self.when_label.setAccessibleName("Days shown")
        self.navigation_bar = _bar("Days and providers shown")
        for widget in (
            self.previous_button,
            self.today_button,
            self.next_button,
            self.date_edit,
        ):
            self.navigation_bar.addWidget(widget)
        self.when_label.setContentsMargins(10, 0, 6, 0)
        self.navigation_bar.addWidget(self.when_label)
        self.navigation_bar.addWidget(_spacer())
        self.navigation_bar.addWidget(self.day_button)
        self.navigation_bar.addWidget(self.week_button)
        # In a toolbar a widget is shown or hidden through its action.
        self.providers_action = self.navigation_bar.addWidget(self.providers_button)
        self.week_provider_action = self.navigation_bar.addWidget(self.week_provider)
        self.week_provider_action.setVisible(False)
        self.navigation_bar.addWidget(self.show_cancelled)

        self.banner = Banner()
        # The calendar under it must not move while the receptionist aims a click at it.
        self.banner.reserve_row()
        self.view = CalendarView()
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.canvas = self.view.canvas
        self.canvas.editable = self.can_schedule
        self.canvas.free_time_chosen.connect(self.book_at)
        self.canvas.appointment_opened.connect(self.open_appointment)
        self.canvas.move_requested.connect(self.confirm_move)
        self.canvas.waitlist_requested.connect(self.open_waitlist_matches)
        self.canvas.navigate.connect(self.step)
        self.canvas.today_requested.connect(self.go_today)
        self.view.header.column_clicked.connect(self._column_clicked)
        self.empty = EmptyState(
            "No providers to schedule yet",
            "Add the practice's providers in Admin → Providers, then set their weekly hours "
            "and time away in Admin → Scheduling. Their calendars appear here.",
        )
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.navigation_bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)

        # Page Up/Down anywhere in the area (Left/Right, T and Home belong to the calendar,
        # where they do not fight a text field).
        for keys, step in (("PgUp", -1), ("PgDown", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(partial(self.step, step))
        self.previous_button.setToolTip("Previous day (Left or Page Up)")
        self.next_button.setToolTip("Next day (Right or Page Down)")

        self.loads = LatestOnly(screen.runner)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_labels()
        self.load_providers()

    # Time ----------------------------------------------------------------------------------

    def _today(self) -> date:
        return datetime.now(self.zone).date() if self.zone is not None else date.today()

    @property
    def first_day(self) -> date:
        return self.day if self.mode == DAY else _monday(self.day)

    @property
    def shown_provider_ids(self) -> list[int]:
        if self.mode == WEEK:
            return [self.week_provider_id] if self.week_provider_id is not None else []
        return list(self.day_provider_ids)

    # Providers -----------------------------------------------------------------------------

    def load_providers(self) -> None:
        services = self.screen.services

        def read() -> tuple[list[ProviderData], list[AvailabilityData], tzinfo]:
            return (
                list_providers(services),
                availability.list_availability(services),
                practice_clock.practice_zone(services),
            )

        self.screen.runner.run(read, self._show_providers, self._failed)

    def _show_providers(
        self, result: tuple[list[ProviderData], list[AvailabilityData], tzinfo]
    ) -> None:
        providers, blocks, zone = result
        if self.zone is None and self.day == date.today():
            self.zone = zone
            self.day = self._today()
        self.zone = zone
        self.providers = providers
        self.with_hours = {block.provider_id for block in blocks}
        known = {provider.id for provider in providers}
        chosen = [pid for pid in self.day_provider_ids if pid in known]
        if not chosen:
            # Those with hours first: an empty column of someone who never works is noise.
            ordered = [p.id for p in providers if p.id in self.with_hours] + [
                p.id for p in providers if p.id not in self.with_hours
            ]
            chosen = ordered[:DEFAULT_DAY_PROVIDERS]
        self.day_provider_ids = chosen
        if self.week_provider_id not in known:
            self.week_provider_id = chosen[0] if chosen else None
        self._fill_provider_controls()
        if not providers:
            self.stack.setCurrentWidget(self.empty)
            self.calendar_loaded.emit()
            return
        self.stack.setCurrentWidget(self.view)
        self._update_labels()
        self.refresh()

    def _fill_provider_controls(self) -> None:
        self.providers_menu.clear()
        self.provider_actions = {}
        for provider in self.providers:
            action = self.providers_menu.addAction(provider.display_name)
            action.setCheckable(True)
            action.setChecked(provider.id in self.day_provider_ids)
            if provider.id not in self.with_hours:
                action.setText(f"{provider.display_name} (no weekly hours set)")
            action.toggled.connect(partial(self._provider_toggled, provider.id))
            self.provider_actions[provider.id] = action
        self.week_provider.blockSignals(True)
        self.week_provider.clear()
        for provider in self.providers:
            self.week_provider.addItem(provider.display_name, provider.id)
        index = self.week_provider.findData(self.week_provider_id)
        self.week_provider.setCurrentIndex(max(0, index))
        self.week_provider.blockSignals(False)
        self._update_provider_button()

    def _update_provider_button(self) -> None:
        count = len(self.day_provider_ids)
        names = [p.display_name for p in self.providers if p.id in self.day_provider_ids]
        self.providers_button.setText(
            names[0] if count == 1 else f"{count} providers" if count else "No provider chosen"
        )
        self.providers_button.setToolTip(
            "Providers shown side by side: " + (", ".join(names) or "none")
        )

    def _provider_toggled(self, provider_id: int, checked: bool) -> None:
        order = [p.id for p in self.providers]
        chosen = set(self.day_provider_ids)
        if checked:
            chosen.add(provider_id)
        else:
            chosen.discard(provider_id)
        self.day_provider_ids = [pid for pid in order if pid in chosen]
        self._update_provider_button()
        self.refresh()

    def set_day_providers(self, provider_ids: list[int]) -> None:
        """Show these providers side by side (in the sidebar's order of providers)."""
        for provider_id, action in self.provider_actions.items():
            action.blockSignals(True)
            action.setChecked(provider_id in provider_ids)
            action.blockSignals(False)
        order = [p.id for p in self.providers]
        self.day_provider_ids = [pid for pid in order if pid in provider_ids]
        self._update_provider_button()
        self.refresh()

    def _week_provider_chosen(self, index: int) -> None:
        if index < 0:
            return
        self.week_provider_id = self.week_provider.itemData(index)
        if self.mode == WEEK:
            self._scroll_to_start = True
            self.refresh()

    # Navigation ----------------------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        if mode == self.mode:
            return
        self._apply_mode(mode)
        self._scroll_to_start = True
        self._update_labels()
        self.refresh()

    def _apply_mode(self, mode: str) -> None:
        self.mode = mode
        self.day_button.setChecked(mode == DAY)
        self.week_button.setChecked(mode == WEEK)
        self.providers_action.setVisible(mode == DAY)
        self.week_provider_action.setVisible(mode == WEEK)
        if mode == WEEK and self.week_provider_id is None and self.day_provider_ids:
            self.week_provider_id = self.day_provider_ids[0]
            self.week_provider.setCurrentIndex(self.week_provider.findData(self.week_provider_id))

    def show_day(self, day: date, provider_id: int | None = None) -> None:
        """Open ``day`` in the day view, with ``provider_id`` among the providers shown and
        the keyboard on its column (one calendar read, or none when it is already shown)."""
        changed = False
        if provider_id is not None and provider_id not in self.day_provider_ids:
            wanted = {*self.day_provider_ids, provider_id}
            self.day_provider_ids = [p.id for p in self.providers if p.id in wanted] or [
                provider_id
            ]
            action = self.provider_actions.get(provider_id)
            if action is not None:
                action.blockSignals(True)
                action.setChecked(True)
                action.blockSignals(False)
            self._update_provider_button()
            changed = True
        if self.mode != DAY:
            self._apply_mode(DAY)
            changed = True
        if day != self.day:
            self.day = day
            changed = True
        self._focus_provider = provider_id
        if changed:
            self._scroll_to_start = True
            self._update_labels()
            self.refresh()
        else:
            self._apply_focus()

    def go_to(self, day: date) -> None:
        if day == self.day:
            return
        self.day = day
        self._scroll_to_start = True
        self._update_labels()
        self.refresh()

    def step(self, direction: int) -> None:
        """Previous (-1) or next (+1) day in the day view, week in the week view."""
        self.go_to(self.day + timedelta(days=direction * (1 if self.mode == DAY else 7)))

    def go_today(self) -> None:
        self.go_to(self._today())

    def _date_edited(self, value: QDate) -> None:
        self.go_to(date(value.year(), value.month(), value.day()))

    def _column_clicked(self, column: ProviderDay) -> None:
        if self.mode == WEEK:
            self.show_day(column.day, column.provider_id)

    def _update_labels(self) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(_qdate(self.day))
        self.date_edit.blockSignals(False)
        today = self._today()
        unit = "day" if self.mode == DAY else "week"
        self.previous_button.setAccessibleName(f"Previous {unit}")
        self.next_button.setAccessibleName(f"Next {unit}")
        self.previous_button.setToolTip(f"Previous {unit} (Left or Page Up)")
        self.next_button.setToolTip(f"Next {unit} (Right or Page Down)")
        if self.mode == DAY:
            text = f"{self.day:%a %b} {self.day.day}, {self.day.year}"
            if self.day == today:
                text += " · Today"
        else:
            first = self.first_day
            last = first + timedelta(days=6)
            text = f"{first:%b} {first.day} – {last:%b} {last.day}, {last.year}"
            if first <= today <= last:
                text += " · This week"
        self.when_label.setText(text)

    # Loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read what the view shows again: one calendar() call, off the UI thread."""
        if not self.providers:
            return
        ids = self.shown_provider_ids
        days = 1 if self.mode == DAY else 7
        scroll = self._scroll_to_start
        self._scroll_to_start = False
        self.loads.run(
            partial(calendars.calendar, self.screen.services, self.first_day, days, ids),
            partial(self._show_calendar, scroll),
            self._failed,
        )

    def _show_calendar(self, scroll: bool, data: CalendarData) -> None:
        self.data = data
        self.view.set_data(
            data, show_cancelled=self.show_cancelled.isChecked(), scroll_to_start=scroll
        )
        self._apply_focus()
        self._explain_empty(data)
        self.calendar_loaded.emit()

    def _apply_focus(self) -> None:
        """Put the keyboard on the column of the provider asked for by show_day."""
        focus, self._focus_provider = self._focus_provider, None
        layout = self.canvas.layout_
        if focus is None or layout is None or self.canvas.cursor is None:
            return
        for column in layout.columns:
            if column.provider_id == focus:
                self.canvas.cursor = (column.index, self.canvas.cursor[1])
                self.canvas.update()
                break

    def _explain_empty(self, data: CalendarData) -> None:
        """An honest note when nothing can be booked: where to set hours up."""
        if self.banner.kind == "error" and self.banner.text:
            return
        if not data.provider_ids:
            self.banner.show_message(
                "info", "Choose at least one provider to show (the Providers button)."
            )
        elif not any(pid in self.with_hours for pid in data.provider_ids):
            self.banner.show_message(
                "info",
                "No weekly hours are set up for "
                + ("this provider" if len(data.provider_ids) == 1 else "these providers")
                + " yet: set them in Admin → Scheduling. Until then every booking is an "
                "overbook.",
            )
        elif self.banner.kind == "info":
            self.banner.clear()

    def _failed(self, message: str) -> None:
        self.banner.show_message("error", message, ("Try again", self._retry))

    def _retry(self) -> None:
        self.banner.clear()
        if self.providers:
            self.refresh()
        else:
            self.load_providers()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, PROVIDER_TABLES):
            self.load_providers()
        elif touches(tables, TABLES):
            self.refresh()

    def _show_cancelled_toggled(self, checked: bool) -> None:
        self.view.set_show_cancelled(checked)

    # Booking and opening -------------------------------------------------------------------

    def _open_dialog(self, module: str, name: str, *args: Any, **kwargs: Any) -> QDialog | None:
        """Open another engineer's dialog, imported when first needed; say so calmly if
        this build does not have it yet."""
        try:
            dialog_class = getattr(importlib.import_module(module), name)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            self.banner.show_message("info", "That part of scheduling is not in this version yet.")
            return None
        dialog: QDialog = dialog_class(self.screen, *args, parent=self, **kwargs)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(partial(self._dialog_closed, dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: QDialog, _code: int) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _connect_booked(self, dialog: QDialog | None, signal: str = "booked") -> None:
        if dialog is not None and hasattr(dialog, signal):
            getattr(dialog, signal).connect(self._booked)

    def book_at(self, choice: FreeTimeChoice) -> None:
        if not self.can_schedule:
            self.banner.show_message("info", "Your role can look at the calendar but not book.")
            return
        dialog = self._open_dialog(
            "frontdesk.ui.scheduling.book_dialog",
            "BookDialog",
            start=choice.start,
            provider_id=choice.provider_id,
            location_id=choice.location_id,
            accepted_type_ids=choice.type_ids,
        )
        self._connect_booked(dialog)

    def _booked(self, data: AppointmentData) -> None:
        zone = self.zone
        local = data.start.astimezone(zone) if zone is not None else data.start
        self.banner.show_message(
            "success",
            f"Booked {data.patient_name}: {data.type_name} with {data.provider_name}, "
            f"{local:%a %m/%d %H:%M}.",
        )
        self.refresh()

    def open_appointment(self, appointment_id: int) -> None:
        dialog = self._open_dialog(
            "frontdesk.ui.scheduling.appointment_dialog", "AppointmentDialog", appointment_id
        )
        if dialog is not None and hasattr(dialog, "changed"):
            dialog.changed.connect(lambda _data: self.refresh())

    def open_waitlist_matches(self, stretch: FreeStretch) -> None:
        dialog = self._open_dialog(
            "frontdesk.ui.scheduling.waitlist_dialogs",
            "WaitlistMatchesDialog",
            provider_id=stretch.provider_id,
            location_id=stretch.location_id,
            start=stretch.start,
            end=stretch.end,
        )
        self._connect_booked(dialog)

    # Hooks of the main window --------------------------------------------------------------

    def focus_search(self) -> bool:
        """Ctrl+F: find the next available time."""
        provider = self.week_provider_id if self.mode == WEEK else None
        if provider is None and len(self.day_provider_ids) == 1:
            provider = self.day_provider_ids[0]
        dialog = self._open_dialog(
            "frontdesk.ui.scheduling.find_dialog", "FindSlotDialog", provider_id=provider
        )
        self._connect_booked(dialog)
        return True

    def new_item(self) -> bool:
        """Ctrl+N: a new appointment, never an existing one. At the focused time when it is
        free; otherwise find the next free time of the provider in view."""
        self.canvas.setFocus()
        choice = self.canvas.free_choice_at_cursor()
        if choice is not None:
            self.book_at(choice)
            return True
        if not self.can_schedule:
            self.banner.show_message("info", "Your role can look at the calendar but not book.")
            return True
        provider = self.week_provider_id if self.mode == WEEK else None
        if provider is None:
            provider = self.canvas.cursor_provider_id()
        if provider is None and len(self.day_provider_ids) == 1:
            provider = self.day_provider_ids[0]
        dialog = self._open_dialog(
            "frontdesk.ui.scheduling.find_dialog", "FindSlotDialog", provider_id=provider
        )
        self._connect_booked(dialog)
        return True

    def print_current(self) -> bool:
        """Ctrl+P: the day sheet of the day shown (the week's provider in the week view)."""
        ids = self.shown_provider_ids or None
        self._open_dialog("frontdesk.ui.scheduling.day_sheet", "DaySheetDialog", self.day, ids)
        return True

    def open_call_list(self) -> None:
        self._open_dialog("frontdesk.ui.scheduling.call_list", "CallListDialog", self.day)

    def open_export(self) -> None:
        provider = self.shown_provider_ids[0] if self.shown_provider_ids else None
        self._open_dialog(
            "frontdesk.ui.scheduling.ics_dialog",
            "IcsExportDialog",
            provider_id=provider,
            today=self._today(),
        )

    def open_packets(self) -> None:
        provider = self.shown_provider_ids[0] if len(self.shown_provider_ids) == 1 else None
        self._open_dialog(
            "frontdesk.ui.handouts.packets_dialog",
            "PacketsDialog",
            day=self.day,
            provider_id=provider,
        )

    # Drag to reschedule --------------------------------------------------------------------

    def confirm_move(self, move: MoveRequest) -> None:
        """A dropped appointment: ask, naming the old and the new time, then move it."""
        if refused_while_paused(self.banner):
            self.canvas.update()
            return
        zone = self.data.zone if self.data is not None else self.zone
        self._ask(
            "Move the appointment?" if not move.changes_length_only else "Change the length?",
            describe_move(move, zone),
            "Move" if not move.changes_length_only else "Change length",
            partial(self._send_move, move, False),
        )

    def _ask(self, title: str, text: str, yes: str, then: Callable[[], None]) -> None:
        """A question that does not block the event loop (tests press its buttons)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        confirm = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(confirm)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(_code: int) -> None:
            if self.question is box:
                self.question = None
            if box.clickedButton() is confirm:
                then()
            else:
                self.canvas.update()

        box.finished.connect(answered)
        self.question = box
        box.open()

    def _send_move(self, move: MoveRequest, allow_outside: bool) -> None:
        if refused_while_paused(self.banner):
            return
        self.screen.runner.run(
            move_call(self.screen.services, move, allow_outside_availability=allow_outside),
            self._moved,
            failure=partial(self._move_failed, move),
        )

    def _moved(self, result: AppointmentData) -> None:
        zone = self.data.zone if self.data is not None else self.zone
        local = result.start.astimezone(zone)
        self.banner.show_message(
            "success",
            f"Moved {result.patient_name} to {result.provider_name}, "
            f"{local:%a %m/%d %H:%M}–{result.end.astimezone(zone):%H:%M}. "
            "The history keeps the old time.",
        )
        self.canvas.selected_id = result.id
        self.refresh()

    def _move_failed(self, move: MoveRequest, error: Exception) -> None:
        if isinstance(error, OutsideAvailabilityError):
            self._ask(
                "Book as an overbook?",
                str(error),
                "Move as overbook",
                partial(self._send_move, move, True),
            )
            return
        self.banner.show_message("error", refusal_text(error))
        # Someone else's booking (or change) is why: show the calendar as it is now.
        self.refresh()
