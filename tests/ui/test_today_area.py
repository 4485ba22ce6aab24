"""The Today area with real widgets on both databases: scenario 5 end to end, the day's
quick actions and counts, honest empty states, and a freed time someone else just took."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import complete_first_run
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import save_location
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import availability, calendars, lookup, status, waitlist
from frontdesk.services.scheduling.data import (
    AppointmentData,
    AvailabilityForm,
    WaitlistForm,
)
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from frontdesk.ui.today.freed_panel import EMPTY_TEXT
from tests.helpers.screens import QT_NOISE, desk_style, open_screen
from tests.helpers.tables import reads_whole, scrolls_sideways
from tests.scheduling.conftest import (
    CHICAGO,
    Practice,
    at,
    backdate_waitlist_entry,
    book,
    make_practice,
    next_weekday,
    wait,
)

WAIT_MS = 10_000

pytestmark = QT_NOISE


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=4)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext, hub: ChangeHub) -> Iterator[ScreenContext]:
    with open_screen(context, hub) as screen:
        yield screen


def open_area(qtbot: QtBot, screen: ScreenContext) -> TodayArea:
    area = TodayArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 740)
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        area.show()
    return area


def freed_lines(area: TodayArea) -> list[str]:
    return [area.freed.times.item(row).text() for row in range(area.freed.times.count())]


@pytest.mark.ui_postgresql
def test_scenario_5_a_cancellation_is_filled_from_the_waitlist(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    later = thursday + timedelta(days=7)
    cancelled = book(clinic, 0, at(thursday, 10))
    sean_later = book(clinic, 1, at(later, 9))
    wait(clinic, 2)
    sean = wait(
        clinic, 1, urgency="urgent", appointment_id=sean_later.id, note="Can come at short notice"
    )
    backdate_waitlist_entry(clinic, sean.id, 21)
    area = open_area(qtbot, screen)
    assert area.freed.times_stack.currentWidget() is area.freed.empty
    assert area.freed.empty.text.text() == EMPTY_TEXT

    # Thursday 7:50: the patient calls and cancels the 10:00; Today shows the freed time.
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Work trip")
    assert area.freed.times_stack.currentWidget() is area.freed.times
    lines = freed_lines(area)
    assert len(lines) == 1
    assert f"{thursday:%m/%d/%Y} 10:00–10:15" in lines[0] and "15 min" in lines[0]
    assert (
        "Okafor" in lines[0] and "Main office" in lines[0] and "2 on the waitlist fit" in lines[0]
    )
    table = area.freed.matches
    assert [table.item(row, 0).text() for row in range(table.rowCount())] == [
        "O'Connor, Seán",
        "Nguyễn Thị, Hoa",
    ]
    assert table.item(0, 1).text() == "(217) 555-0142"
    assert table.item(0, 2).text() == "Urgent"
    assert table.item(0, 3).text().startswith("21 days")
    assert table.item(0, 6).text() == "Can come at short notice"
    assert table.selected() is not None and table.selected().entry.id == sean.id

    # One key books him: his later appointment moves here and its old time frees in turn.
    table.setFocus()
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.banner.kind == "success", timeout=WAIT_MS)
    assert "Booked O'Connor, Seán" in area.banner.text
    moved = lookup.get_appointment(clinic.context, sean_later.id).appointment
    assert moved.start == at(thursday, 10)
    qtbot.waitUntil(
        lambda: [line for line in freed_lines(area) if f"{later:%m/%d/%Y} 09:00" in line] != [],
        timeout=WAIT_MS,
    )
    lines = freed_lines(area)
    assert len(lines) == 1 and f"{thursday:%m/%d/%Y}" not in lines[0]
    assert [e.id for e in waitlist.list_waitlist(clinic.context)] != [sean.id]
    assert sean.id not in [e.id for e in waitlist.list_waitlist(clinic.context)]
    qtbot.waitUntil(lambda: area.tabs.tabText(1) == "&Waitlist (1)", timeout=WAIT_MS)


def test_a_freed_time_someone_just_took_says_so_and_refreshes(
    qtbot: QtBot, context: ServiceContext, clinic: Practice
) -> None:
    runner = Runner()
    screen = ScreenContext(context, runner)  # no change hub: the refusal itself refreshes
    thursday = next_weekday(3)
    cancelled = book(clinic, 0, at(thursday, 10))
    status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Ill")
    entry = wait(clinic, 1)
    area = open_area(qtbot, screen)
    assert len(freed_lines(area)) == 1
    # The other desk gives the time to someone else first.
    book(clinic, 3, at(thursday, 10))
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        area.freed.book_button.click()
    assert area.banner.kind == "error" and "just booked" in area.banner.text
    assert area.freed.times_stack.currentWidget() is area.freed.empty
    assert [e.id for e in waitlist.list_waitlist(clinic.context)] == [entry.id]
    runner.wait_for_idle()


def test_the_days_quick_actions_and_counts(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    today = datetime.now(CHICAGO).date()
    first = book(
        clinic,
        1,
        at(today, 0, 5),
        provider_id=clinic.lindqvist,
        allow_outside_availability=True,
        location_id=clinic.main_office,
    )
    second = book(
        clinic,
        2,
        at(today, 0, 30),
        provider_id=clinic.lindqvist,
        allow_outside_availability=True,
        location_id=clinic.main_office,
    )
    area = open_area(qtbot, screen)
    assert "Booked: 2" in area.counts.text() and "Checked in: 0" in area.counts.text()
    heading = area.day.tree.topLevelItem(0)
    assert heading.text(0).startswith("Erik Lindqvist") and heading.childCount() == 2
    assert heading.child(0).text(1) == "O'Connor, Seán"
    assert area.arrived.item(0).text() == "Nobody has checked in yet."
    area.day.select(first.id)
    buttons = area.day.action_buttons
    assert buttons[AppointmentStatus.CHECKED_IN].isEnabled()
    assert not buttons[AppointmentStatus.COMPLETED].isEnabled()

    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        buttons[AppointmentStatus.CHECKED_IN].click()
    qtbot.waitUntil(lambda: "Checked in: 1" in area.counts.text(), timeout=WAIT_MS)
    assert area.arrived.item(0).text().endswith("O'Connor, Seán\nErik Lindqvist, MD (Follow-up)")
    assert area.day.selected() is not None and area.day.selected().id == first.id
    assert area.day.selected().status is AppointmentStatus.CHECKED_IN
    assert buttons[AppointmentStatus.COMPLETED].isEnabled()
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        buttons[AppointmentStatus.COMPLETED].click()
    qtbot.waitUntil(lambda: "Completed: 1" in area.counts.text(), timeout=WAIT_MS)

    area.day.select(second.id)
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        buttons[AppointmentStatus.NO_SHOW].click()
    qtbot.waitUntil(lambda: "No-show: 1" in area.counts.text(), timeout=WAIT_MS)
    assert "Booked: 0" in area.counts.text()
    statuses = {a.id: a.status for a in calendars.day_appointments(clinic.context, today)}
    assert statuses == {first.id: AppointmentStatus.COMPLETED, second.id: AppointmentStatus.NO_SHOW}
    assert area.day.selected() is not None
    assert area.day.selected().status is AppointmentStatus.NO_SHOW
    assert not any(button.isEnabled() for button in buttons.values())


def test_an_empty_day_says_what_to_do(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area = open_area(qtbot, screen)
    assert area.day.stack.currentWidget() is area.day.empty
    assert "No appointments today" in area.day.empty.title.text()
    assert area.freed.times_stack.currentWidget() is area.freed.empty
    assert "Booked: 0" in area.counts.text()
    assert area.title.text().startswith("Today · ")
    assert not area.freed.book_button.isEnabled()


def test_nothing_is_clipped_at_1280_by_800(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area = open_area(qtbot, screen)
    # The area's share of a 1280x800 window (sidebar 190, title and status bars).
    area.resize(1090, 720)
    assert area.minimumSizeHint().width() <= 1090
    assert area.minimumSizeHint().height() <= 720
    # At 150% a 1280x800 display is 853x533 logical pixels: the area gets about 660x470.
    assert area.minimumSizeHint().width() <= 660
    assert area.minimumSizeHint().height() <= 470


def test_enter_opens_the_highlighted_appointment(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog

    today = datetime.now(CHICAGO).date()
    booked = book(
        clinic,
        1,
        at(today, 0, 5),
        provider_id=clinic.lindqvist,
        allow_outside_availability=True,
        location_id=clinic.main_office,
    )
    area = open_area(qtbot, screen)
    assert area.day.select(booked.id)
    area.day.tree.setFocus()
    qtbot.keyClick(area.day.tree, Qt.Key.Key_Return)
    dialog = area.dialog
    assert isinstance(dialog, AppointmentDialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT_MS)
    assert dialog.detail is not None and dialog.detail.appointment.id == booked.id
    dialog.reject()


@pytest.mark.parametrize(
    ("key", "modifier"),
    [
        (Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier),
    ],
)
def test_check_in_answers_the_keys_it_shows(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier
) -> None:
    """The button reads "Check in" with the i underlined (Alt+I) and its tooltip names
    Ctrl+I: both check the highlighted patient in."""
    from datetime import UTC, date

    from frontdesk.ui.today.day_list import DayAppointments

    now = datetime.now(UTC)
    booked = AppointmentData(
        id=7,
        patient_id=1,
        patient_name="Adams, Zoë",
        mrn="000007",
        date_of_birth=date(1990, 1, 2),
        phone="(217) 555-0199",
        provider_id=1,
        provider_name="Erik Lindqvist, MD",
        location_id=1,
        location_name="Main office",
        type_id=1,
        type_name="Follow-up",
        colour="#4A90D9",
        start=now,
        end=now + timedelta(minutes=15),
        reason="",
        notes="",
        request_id=None,
        status=AppointmentStatus.BOOKED,
        cancelled_by=None,
        cancel_reason="",
        cancelled_at=None,
        overbooked=False,
        last_call_outcome=None,
        version=1,
    )
    day = DayAppointments()
    qtbot.addWidget(day)
    day.show_day([("Erik Lindqvist, MD", [booked])], UTC)
    day.show()
    qtbot.waitExposed(day)
    day.activateWindow()
    qtbot.waitUntil(day.isActiveWindow, timeout=WAIT_MS)
    day.tree.setFocus()
    button = day.action_buttons[AppointmentStatus.CHECKED_IN]
    assert button.text() == "Check &in" and "Ctrl+I" in button.toolTip()
    with qtbot.waitSignal(day.status_requested, timeout=WAIT_MS) as requested:
        qtbot.keyClick(day.tree, key, modifier)
    assert requested.args == [booked, AppointmentStatus.CHECKED_IN]


def test_the_waitlist_tab_books_through_the_waitlist_from_the_keyboard(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#16: the Waitlist tab had no Book. Booking there closes the entry and moves the later
    visit the patient holds (a plain booking would leave both as they were)."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def yes(_parent: object, _title: str, text: str, *_rest: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    later = next_weekday(0) + timedelta(days=21)
    held = book(clinic, 1, at(later, 9))
    entry = wait(clinic, 1, provider_id=clinic.okafor, weekdays=("thu",), appointment_id=held.id)
    area = open_area(qtbot, screen)
    area.activateWindow()
    qtbot.keyClick(area, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert area.tabs.currentWidget() is area.waitlist
    panel = area.waitlist
    qtbot.waitUntil(lambda: [row.id for row in panel.model.rows] == [entry.id], timeout=WAIT_MS)
    assert panel.book_button.isVisible() and panel.book_button.isEnabled()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    # A button's shortcut shows the button pressed for a moment before it acts.
    qtbot.waitUntil(lambda: panel.dialog is not None, timeout=WAIT_MS)
    finder = panel.dialog
    assert isinstance(finder, FindSlotDialog)
    qtbot.addWidget(finder)
    # The dialog searches at once with what the entry wants: Okafor, Thursdays, Follow-up.
    qtbot.waitUntil(lambda: bool(finder.slots), timeout=WAIT_MS)
    assert finder.windowTitle() == "Book from the waitlist"
    assert not finder.type_combo.isEnabled()
    assert finder.type_combo.currentData() == clinic.type_id("Follow-up")
    assert "O'Connor, Seán" in finder.patient_line.text()
    for slot in finder.slots:
        assert slot.provider_id == clinic.okafor
        assert slot.start.astimezone(CHICAGO).weekday() == 3
    chosen = finder.slots[0]
    assert chosen.start < held.start
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        qtbot.keyClick(finder.table, Qt.Key.Key_Return)
    assert "moves to this time" in asked[0]
    moved = lookup.appointments_for_patient(clinic.context, clinic.patients[1].id)
    assert [(a.id, a.start) for a in moved] == [(held.id, chosen.start)]
    [closed] = waitlist.list_waitlist(clinic.context, waiting_only=False)
    assert not closed.is_waiting and closed.resolution.startswith("Booked ")
    # The change hub's refresh can end before the booking's own answer arrives: wait for it.
    qtbot.waitUntil(lambda: "taken off the waitlist" in panel.banner.text, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.model.rows == [], timeout=WAIT_MS)


def _whole(label: QLabel) -> bool:
    """The label shows all its wrapped lines: nothing cut by its own height or its parents'."""
    needed = label.heightForWidth(label.width()) if label.wordWrap() else label.sizeHint().height()
    shown = label.visibleRegion().boundingRect()
    return label.height() >= needed and shown.height() >= needed and shown.width() == label.width()


def test_a_practice_without_weekly_hours_is_told_what_to_do_next(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, tmp_path: Path
) -> None:
    """#16: with no weekly hours find-next finds nothing and nothing pointed to Admin →
    Scheduling. Today and the find dialog now say so, with a button that goes there."""
    complete_first_run(
        context,
        PracticeProfileForm(name="Hillside Spine", main_phone="217-555-0100"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist")],
    )
    window = MainWindow(screen, QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.show_area("today")
    area = window.area_widget("today")
    assert isinstance(area, TodayArea)
    qtbot.waitUntil(lambda: area.snapshot is not None, timeout=WAIT_MS)
    assert area.next_step.isVisible()
    assert "No provider has weekly hours yet" in area.next_step.text
    assert "Admin → Scheduling" in area.next_step.text
    assert area.next_step.action.isVisible()
    assert area.next_step.action.text() == "Open Admin → Scheduling"

    # The find dialog says the same, and its button goes there too.
    finder = FindSlotDialog(screen, parent=area)
    qtbot.addWidget(finder)
    finder.show()
    qtbot.waitUntil(lambda: finder.choices is not None, timeout=WAIT_MS)
    assert "No provider has weekly hours yet" in finder.status.text()
    assert finder.banner.action.isVisible()
    qtbot.mouseClick(finder.banner.action, Qt.MouseButton.LeftButton)
    assert not finder.isVisible()
    assert window.current_key() == "admin"
    admin = window.area_widget("admin")
    assert isinstance(admin, AdminArea)
    assert admin.tabs.currentWidget() is admin.scheduling
    assert admin.scheduling.tabs.currentWidget() is admin.scheduling.availability

    window.show_area("today")
    qtbot.mouseClick(area.next_step.action, Qt.MouseButton.LeftButton)
    assert window.current_key() == "admin"

    # Once a provider has hours the note goes.
    [provider] = list_providers(context)
    location = save_location(context, LocationForm(name="Main office"))
    availability.save_availability(
        context, AvailabilityForm(provider.id, location.id, 0, "8:00", "12:00")
    )
    with qtbot.waitSignal(area.loaded, timeout=WAIT_MS):
        area.refresh()
    assert not area.next_step.isVisible()


@pytest.mark.parametrize("size", [(1090, 720), (660, 470)], ids=["100%", "150%"])
def test_the_empty_days_help_text_is_whole(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext, size: tuple[int, int]
) -> None:
    """#16: the empty Today screen cut its own help text mid-sentence. The area's share of a
    1280x800 window at 100%, and at 150% (853x533 logical pixels), with the next-step note
    of a practice without hours above it."""
    complete_first_run(
        context,
        PracticeProfileForm(name="Hillside Spine", main_phone="217-555-0100"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist")],
    )
    area = open_area(qtbot, screen)
    area.resize(*size)
    qtbot.waitUntil(lambda: area.next_step.isVisible(), timeout=WAIT_MS)
    QApplication.processEvents()
    empties = (area.day.empty, area.freed.empty)
    labels = [*(label for e in empties for label in (e.title, e.text)), area.next_step.label]
    assert all(empty.isVisible() for empty in empties)
    # On a busy machine the last layout pass (the note above them appearing) can come a
    # moment later: what counts is that the texts end up whole, not how fast.
    qtbot.waitUntil(lambda: all(_whole(label) for label in labels), timeout=WAIT_MS)


def test_without_weekly_hours_a_receptionist_is_told_whom_to_ask(
    qtbot: QtBot, context: ServiceContext, screen: ScreenContext
) -> None:
    from frontdesk.domain.permissions import Role
    from tests.conftest import make_actor

    complete_first_run(
        context,
        PracticeProfileForm(name="Hillside Spine", main_phone="217-555-0100"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist")],
    )
    desk = screen.for_actor(make_actor(Role.FRONT_DESK, "john.reed"))
    area = open_area(qtbot, desk)
    assert area.next_step.isVisible()
    assert "Ask an administrator" in area.next_step.text
    assert not area.next_step.action.isVisible()


def test_who_fits_a_freed_time_reads_without_scrolling_sideways_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Beside the freed times the table of who fits has about 600 logical pixels at 150% on
    1080p: the note ran past the right edge and needed the horizontal scroll bar."""
    thursday = next_weekday(3)
    cancelled = book(clinic, 0, at(thursday, 10))
    held = book(clinic, 1, at(thursday + timedelta(days=7), 9))
    wait(
        clinic,
        1,
        urgency="urgent",
        appointment_id=held.id,
        note="Numbness worse since Friday; can come at short notice, any surgeon",
    )
    status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Work trip")
    area = open_area(qtbot, screen)
    area.resize(1152 - 190, 720)
    table = area.freed.matches
    assert table.rowCount() == 1
    qtbot.waitUntil(lambda: not scrolls_sideways(table) and reads_whole(table, 0, 6))
    assert table.viewport().width() < 700
    for column, title in enumerate(table.HEADERS):
        if title not in ("Can come", "Holds now"):
            assert reads_whole(table, 0, column), title
    # A column that gave way is still in the row's tooltip.
    assert "Holds now: " in table.item(0, 0).toolTip()


def test_today_and_the_waitlist_read_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """At 1280x720 logical (150% on 1080p): "Checked in" wrapped each arrival over four or
    five lines and scrolled sideways, the Waitlist tab scrolled sideways, and who fits a freed
    time had room for one and a half rows once a note wrapped."""
    today = datetime.now(CHICAGO).date()
    for patient, minutes in ((1, 5), (2, 20), (3, 35)):
        arrived = book(
            clinic,
            patient,
            at(today, 0, minutes),
            provider_id=clinic.lindqvist,
            allow_outside_availability=True,
            location_id=clinic.main_office,
        )
        status.set_status(clinic.context, arrived.id, AppointmentStatus.CHECKED_IN)
    thursday = next_weekday(3)
    cancelled = book(clinic, 0, at(thursday, 10))
    for patient in (1, 2, 3):
        waitlist.add_to_waitlist(
            clinic.context,
            WaitlistForm(
                patient_id=clinic.patients[patient].id,
                type_id=clinic.type_id("Follow-up"),
                urgency="urgent",
                note="Stenosis, can hardly walk a block; any earlier time, any surgeon",
            ),
        )
    status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Work trip")
    with desk_style():
        area = open_area(qtbot, screen)
        area.resize(1152 - 190, 600)  # the main window's area at 1280x720
        matches = area.freed.matches
        assert matches.rowCount() == 3
        arrivals = area.arrived
        assert arrivals.count() == 3

        def three_rows_shown() -> bool:
            rows = sum(matches.rowHeight(row) for row in range(3))
            return matches.rowHeight(0) > matches.verticalHeader().defaultSectionSize() and (
                rows <= matches.viewport().height()
            )

        qtbot.waitUntil(three_rows_shown, timeout=5_000)
        assert not arrivals.horizontalScrollBar().isVisible()
        line = arrivals.fontMetrics().lineSpacing()
        for row in range(arrivals.count()):
            assert arrivals.visualItemRect(arrivals.item(row)).height() <= 2 * line + 8, row
        tree = area.day.tree
        assert tree.viewport().height() >= 6 * tree.sizeHintForRow(0)

        area.tabs.setCurrentWidget(area.waitlist)
        table = area.waitlist.table
        headers = area.waitlist.model.HEADERS
        qtbot.waitUntil(lambda: area.waitlist.model.rowCount() == 3, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not scrolls_sideways(table), timeout=5_000)
        for row in range(3):
            for title in ("Patient", "Phone", "Wants", "Urgency", "Can come", "Note"):
                assert reads_whole(table, row, headers.index(title)), (row, title)
