"""The Schedule area's calendar with real widgets on both databases: painting, navigation,
clicking free time, dragging to move or resize, refusals, and other workstations' changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.db.engine import open_database
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy
from frontdesk.services.kernel.context import SLOT_TAKEN_MESSAGE, ServiceContext
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.scheduling import booking, lookup, status
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.scheduling.calendar_moves import FreeTimeChoice
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from tests.conftest import make_actor
from tests.helpers.screens import desk_style, open_screen
from tests.scheduling.conftest import CHICAGO, Practice, at, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 10_000


@pytest.fixture
def relay() -> ChangeRelay:
    return ChangeRelay()


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext, relay: ChangeRelay) -> Iterator[ScreenContext]:
    with open_screen(context, relay) as screen:
        yield screen


def open_area(qtbot: QtBot, screen: ScreenContext, day: date | None = None) -> ScheduleArea:
    area = ScheduleArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 760)
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: area.data is not None, timeout=WAIT)
    if day is not None:
        show(qtbot, area, lambda: area.show_day(day))
    return area


def open_on_a_booked_monday(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> tuple[ScheduleArea, date, AppointmentData]:
    """The calendar on next Monday, where María José has a follow-up at 9:00 with Dr. Okafor:
    the area, the Monday and the appointment."""
    monday = next_weekday(0)
    item = book(clinic, clinic.okafor, at(monday, 9))
    return open_area(qtbot, screen, monday), monday, item


def show(qtbot: QtBot, area: ScheduleArea, action: object) -> None:
    """Run ``action`` and wait for the calendar it asks for to be on screen."""
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        action()  # type: ignore[operator]


def book(
    clinic: Practice, provider: int, start: datetime, kind: str = "Follow-up", **extra: object
) -> AppointmentData:
    return booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[0].id,
            provider_id=provider,
            type_id=clinic.type_id(kind),
            start=start,
            reason="Pain after fusion",
            **extra,  # type: ignore[arg-type]
        ),
    )


def book_at_another_desk(
    database_url: str, clinic: Practice, patient: int, provider: int, kind: str, start: datetime
) -> AppointmentData:
    """A booking made by another workstation through its own connection, after this
    calendar was read."""
    other_database = open_database(database_url)
    try:
        other = make_context(other_database, make_actor(username="desk.two"))
        return booking.book(
            other,
            BookingForm(
                patient_id=clinic.patients[patient].id,
                provider_id=provider,
                type_id=clinic.type_id(kind),
                start=start,
            ),
        )
    finally:
        other_database.dispose()


def column_of(area: ScheduleArea, provider_id: int, day: date) -> int:
    layout = area.canvas.layout_
    assert layout is not None
    column = layout.column_for(provider_id, day)
    assert column is not None, "the provider's column is not shown"
    return column.index


def point(area: ScheduleArea, provider_id: int, day: date, minute: int) -> QPoint:
    """A point a few pixels into the 15 minutes at ``minute`` of the provider's column."""
    layout = area.canvas.layout_
    assert layout is not None
    column = layout.columns[column_of(area, provider_id, day)]
    x = layout.column_x(column) + layout.column_width / 2
    return QPointF(x, layout.y_of(minute) + 4).toPoint()


def grip(area: ScheduleArea, appointment_id: int) -> QPoint:
    """A point just inside the top of an appointment's block: a drag from there moves it."""
    rect = area.canvas.appointment_rect(appointment_id)
    assert rect is not None
    return QPointF(rect.center().x(), rect.top() + 4).toPoint()


def drag(qtbot: QtBot, area: ScheduleArea, start: QPoint, end: QPoint) -> None:
    canvas = area.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(canvas, middle)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def answer(qtbot: QtBot, area: ScheduleArea, *, title_part: str, yes: bool = True) -> str:
    """Press a button of the question the area asks; returns the question's text."""
    qtbot.waitUntil(lambda: area.question is not None and area.question.isVisible(), timeout=WAIT)
    box = area.question
    assert box is not None
    assert title_part in box.windowTitle()
    text = box.text()
    buttons = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole]
    if yes:
        buttons[0].click()
    else:
        box.button(QMessageBox.StandardButton.Cancel).click()
    return text


def test_the_day_view_paints_each_appointment_in_its_provider_column(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    monday = next_weekday(0)
    first = book(clinic, clinic.okafor, at(monday, 9))
    second = book(clinic, clinic.lindqvist, at(monday, 11, 30), "New consultation")
    cancelled = book(clinic, clinic.lindqvist, at(monday, 14))
    status.cancel(clinic.context, cancelled.id, by=CancelledBy.PATIENT, reason="Feels better")
    area = open_area(qtbot, screen, monday)
    canvas = area.canvas
    layout = canvas.layout_
    assert layout is not None
    assert [column.provider_id for column in layout.columns] == [clinic.lindqvist, clinic.okafor]

    for item, provider, minute in ((first, clinic.okafor, 540), (second, clinic.lindqvist, 690)):
        rect = canvas.appointment_rect(item.id)
        assert rect is not None
        assert canvas.appointment_at(rect.center()) == item.id
        assert layout.column_at(rect.center().x()).provider_id == provider  # type: ignore[union-attr]
        assert rect.top() == pytest.approx(layout.y_of(minute), abs=2)
        assert rect.height() == pytest.approx(
            layout.y_of(minute + item.minutes) - layout.y_of(minute), abs=3
        )
        tooltip = canvas.tooltip_at(rect.center())
        assert "Núñez-García, María José" in tooltip and item.mrn in tooltip
    # Free time says so; a cancelled visit is hidden until asked for, then shown (not booked).
    assert canvas.appointment_at(point(area, clinic.okafor, monday, 600)) is None
    assert "free at Main office" in canvas.tooltip_at(
        QPointF(point(area, clinic.okafor, monday, 600))
    )
    assert canvas.appointment_rect(cancelled.id) is None
    area.show_cancelled.setChecked(True)
    rect = canvas.appointment_rect(cancelled.id)
    assert rect is not None and canvas.appointment_at(rect.center()) == cancelled.id
    assert "Cancelled" in canvas.tooltip_at(rect.center())
    assert "Feels better" in canvas.tooltip_at(rect.center())
    # Okafor works mornings on Monday: the afternoon is outside hours.
    assert "outside hours" in canvas.tooltip_at(
        QPointF(point(area, clinic.okafor, monday, 14 * 60))
    )


def test_keys_and_buttons_move_between_days_and_weeks(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    monday = next_weekday(0)
    area = open_area(qtbot, screen, monday)
    canvas = area.canvas
    canvas.setFocus()
    show(qtbot, area, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Right))
    assert area.data is not None and area.data.first_day == monday + timedelta(days=1)
    show(qtbot, area, lambda: qtbot.keyClick(canvas, Qt.Key.Key_PageUp))
    show(qtbot, area, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Left))
    assert area.data.first_day == monday - timedelta(days=1)
    assert area.date_edit.date().toPython() == monday - timedelta(days=1)
    show(qtbot, area, lambda: qtbot.keyClick(canvas, Qt.Key.Key_T))
    assert area.data.first_day == datetime.now(CHICAGO).date()
    assert "Today" in area.when_label.text()
    show(qtbot, area, area.next_button.click)
    assert area.data.first_day == datetime.now(CHICAGO).date() + timedelta(days=1)
    show(qtbot, area, lambda: area.date_edit.setDate(monday + timedelta(days=3)))
    assert area.data.first_day == monday + timedelta(days=3)

    # The week view: one provider, Monday to Friday (nobody works at the weekend here).
    show(qtbot, area, area.week_button.click)
    assert area.data.days == 7 and area.data.first_day == monday
    assert area.data.provider_ids == (clinic.lindqvist,)
    layout = canvas.layout_
    assert layout is not None
    assert [column.day for column in layout.columns] == [
        monday + timedelta(days=n) for n in range(5)
    ]
    assert area.view.header.column_titles()[0] == f"{monday:%a %m/%d}"
    show(qtbot, area, lambda: qtbot.keyClick(canvas, Qt.Key.Key_PageDown))
    assert area.data.first_day == monday + timedelta(days=7)
    show(
        qtbot,
        area,
        lambda: area.week_provider.setCurrentIndex(area.week_provider.findData(clinic.okafor)),
    )
    assert area.data.provider_ids == (clinic.okafor,)
    # A day's title in the week opens that day.
    show(qtbot, area, lambda: area.show_day(monday + timedelta(days=10), clinic.okafor))
    assert area.mode == "day" and area.data.first_day == monday + timedelta(days=10)


def test_clicking_free_time_asks_to_book_there_rounded_to_a_quarter_hour(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    monday = next_weekday(0)
    area = open_area(qtbot, screen, monday)
    layout = area.canvas.layout_
    assert layout is not None
    column = layout.columns[column_of(area, clinic.okafor, monday)]
    where = QPointF(layout.column_x(column) + 20, layout.y_of(10 * 60 + 26)).toPoint()
    with qtbot.waitSignal(area.canvas.free_time_chosen, timeout=WAIT) as chosen:
        qtbot.mouseClick(area.canvas, Qt.MouseButton.LeftButton, pos=where)
    choice = chosen.args[0]
    assert isinstance(choice, FreeTimeChoice)
    assert choice == FreeTimeChoice(clinic.okafor, at(monday, 10, 15), clinic.main_office)
    # The booking dialog opens on that time and provider.
    from frontdesk.ui.scheduling.book_dialog import BookDialog

    dialog = area.dialog
    assert isinstance(dialog, BookDialog)
    dialog.done(0)

    # Keyboard: Down moves the focused time by 15 minutes, Enter books it.
    area.canvas.setFocus()
    area.canvas.cursor = (column.index, 10 * 60)
    qtbot.keyClick(area.canvas, Qt.Key.Key_Down)
    with qtbot.waitSignal(area.canvas.free_time_chosen, timeout=WAIT) as chosen:
        qtbot.keyClick(area.canvas, Qt.Key.Key_Return)
    assert chosen.args[0].start == at(monday, 10, 15)
    assert area.dialog is not None
    area.dialog.done(0)
    # Outside hours there is no location to suggest: the service asks about the overbook.
    where = QPointF(layout.column_x(column) + 20, layout.y_of(14 * 60 + 2)).toPoint()
    with qtbot.waitSignal(area.canvas.free_time_chosen, timeout=WAIT) as chosen:
        qtbot.mouseClick(area.canvas, Qt.MouseButton.LeftButton, pos=where)
    assert chosen.args[0] == FreeTimeChoice(clinic.okafor, at(monday, 14), None)
    assert area.dialog is not None
    area.dialog.done(0)


def test_double_click_and_enter_open_the_appointment(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    rect = area.canvas.appointment_rect(item.id)
    assert rect is not None
    with qtbot.waitSignal(area.canvas.appointment_opened, timeout=WAIT) as opened:
        qtbot.mouseDClick(area.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert opened.args == [item.id]
    assert area.dialog is not None
    area.dialog.done(0)
    area.canvas.setFocus()
    area.canvas.cursor = (column_of(area, clinic.okafor, monday), 9 * 60)
    with qtbot.waitSignal(area.canvas.appointment_opened, timeout=WAIT) as opened:
        qtbot.keyClick(area.canvas, Qt.Key.Key_Return)
    assert opened.args == [item.id]
    area.dialog.done(0)  # type: ignore[union-attr]


def test_ctrl_n_books_a_new_appointment_and_never_opens_one_already_there(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Ctrl+N is "new": on a time an appointment holds (the cursor starts on the first
    slot), it finds the next free time of that provider instead of opening the visit."""
    from frontdesk.ui.scheduling.book_dialog import BookDialog
    from frontdesk.ui.scheduling.find_dialog import FindSlotDialog

    monday = next_weekday(0)
    item = book(clinic, clinic.okafor, at(monday, 9))
    status.set_status(clinic.context, item.id, AppointmentStatus.CHECKED_IN)
    status.set_status(clinic.context, item.id, AppointmentStatus.COMPLETED)
    area = open_area(qtbot, screen, monday)
    opened: list[int] = []
    area.canvas.appointment_opened.connect(opened.append)
    area.canvas.setFocus()
    area.canvas.cursor = (column_of(area, clinic.okafor, monday), 9 * 60)
    assert area.new_item()
    assert opened == []
    finder = area.dialog
    assert isinstance(finder, FindSlotDialog)
    assert finder._provider_id == clinic.okafor
    finder.done(0)
    # On a free time inside the hours it books right there.
    area.canvas.cursor = (column_of(area, clinic.okafor, monday), 10 * 60)
    assert area.new_item()
    dialog = area.dialog
    assert isinstance(dialog, BookDialog)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    assert dialog.start_edit.text() == "10:00"
    assert dialog.provider_combo.currentData() == clinic.okafor
    assert opened == []
    dialog.done(0)


def test_dragging_an_appointment_to_another_provider_and_time_moves_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    grab = grip(area, item.id)
    drag(qtbot, area, grab, point(area, clinic.lindqvist, monday, 10 * 60 + 30))
    question = answer(qtbot, area, title_part="Move")
    assert "from Adaeze Okafor, MD" in question and "09:00–09:15" in question
    assert "to Erik Lindqvist, MD" in question and "10:30–10:45" in question
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        pass
    moved = lookup.get_appointment(clinic.context, item.id)
    assert moved.appointment.provider_id == clinic.lindqvist
    assert moved.appointment.start == at(monday, 10, 30)
    assert moved.appointment.end == at(monday, 10, 45)
    assert [event.kind for event in moved.events] == ["booked", "moved"]
    assert "Moved" in area.banner.text
    new_rect = area.canvas.appointment_rect(item.id)
    assert new_rect is not None
    assert area.canvas.layout_.column_at(new_rect.center().x()).provider_id == clinic.lindqvist  # type: ignore[union-attr]


def test_dragging_the_lower_edge_changes_the_length_and_cancel_changes_nothing(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    rect = area.canvas.appointment_rect(item.id)
    assert rect is not None
    edge = QPointF(rect.center().x(), rect.bottom() - 2).toPoint()
    target = QPointF(rect.center().x(), area.canvas.layout_.y_of(9 * 60 + 44)).toPoint()  # type: ignore[union-attr]
    # Declined first: nothing changes.
    drag(qtbot, area, edge, target)
    answer(qtbot, area, title_part="length", yes=False)
    assert lookup.get_appointment(clinic.context, item.id).appointment.end == at(monday, 9, 15)
    drag(qtbot, area, edge, target)
    question = answer(qtbot, area, title_part="length")
    assert "45 minutes" in question
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        pass
    changed = lookup.get_appointment(clinic.context, item.id)
    assert (changed.appointment.start, changed.appointment.end) == (
        at(monday, 9),
        at(monday, 9, 45),
    )
    assert "Length changed to 45 min" in changed.events[-1].description


def test_a_drop_on_a_time_just_booked_elsewhere_is_refused_and_the_calendar_refreshes(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, database_url: str
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    # Another workstation books 10:00 after this calendar was read.
    taken = book_at_another_desk(
        database_url, clinic, 1, clinic.okafor, "Follow-up", at(monday, 10)
    )
    assert area.canvas.appointment_rect(taken.id) is None
    drag(
        qtbot,
        area,
        grip(area, item.id),
        point(area, clinic.okafor, monday, 10 * 60),
    )
    answer(qtbot, area, title_part="Move")
    qtbot.waitUntil(lambda: area.canvas.appointment_rect(taken.id) is not None, timeout=WAIT)
    assert area.banner.kind == "error"
    assert area.banner.text == SLOT_TAKEN_MESSAGE
    unchanged = lookup.get_appointment(clinic.context, item.id)
    assert unchanged.appointment.start == at(monday, 9)
    assert [event.kind for event in unchanged.events] == ["booked"]


def test_a_drop_onto_a_visit_the_calendar_shows_names_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Issue #16: dropped so that it runs into a visit painted right there, the move said
    "just booked by someone else"; nobody else booked anything, so it names that visit."""
    monday = next_weekday(0)
    item = book(clinic, clinic.okafor, at(monday, 9), kind="New consultation")
    there = booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[1].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("Follow-up"),
            start=at(monday, 10, 30),
        ),
    )
    area = open_area(qtbot, screen, monday)
    assert area.canvas.appointment_rect(there.id) is not None
    drag(qtbot, area, grip(area, item.id), point(area, clinic.okafor, monday, 10 * 60))
    answer(qtbot, area, title_part="Move")
    qtbot.waitUntil(lambda: area.banner.kind == "error", timeout=WAIT)
    assert area.banner.text == (
        "Not moved. This 45-minute visit would overlap O'Connor's 10:30 appointment with "
        "Adaeze Okafor, MD; shorten it or choose another time."
    )
    assert lookup.get_appointment(clinic.context, item.id).appointment.start == at(monday, 9)


def test_a_drop_outside_hours_asks_to_overbook_and_records_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    drag(
        qtbot,
        area,
        grip(area, item.id),
        point(area, clinic.okafor, monday, 13 * 60),
    )
    answer(qtbot, area, title_part="Move")
    question = answer(qtbot, area, title_part="overbook")
    assert "no availability" in question
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        pass
    moved = lookup.get_appointment(clinic.context, item.id).appointment
    assert moved.start == at(monday, 13) and moved.overbooked
    assert "Overbooked" in area.canvas.tooltip_at(area.canvas.appointment_rect(item.id).center())  # type: ignore[union-attr]


def test_a_completed_appointment_cannot_be_dragged(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    monday = next_weekday(0)
    item = book(clinic, clinic.okafor, at(monday, 9))
    status.set_status(clinic.context, item.id, AppointmentStatus.CHECKED_IN)
    area = open_area(qtbot, screen, monday)
    rect = area.canvas.appointment_rect(item.id)
    assert rect is not None
    with qtbot.assertNotEmitted(area.canvas.move_requested):
        drag(qtbot, area, rect.center().toPoint(), point(area, clinic.okafor, monday, 11 * 60))
    assert area.question is None
    assert "Checked in" in area.canvas.tooltip_at(rect.center())


def test_another_workstations_booking_shows_when_the_change_hub_fires(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, relay: ChangeRelay, database_url: str
) -> None:
    monday = next_weekday(0)
    area = open_area(qtbot, screen, monday)
    item = book_at_another_desk(
        database_url, clinic, 2, clinic.lindqvist, "Imaging review", at(monday, 11)
    )
    assert area.canvas.appointment_rect(item.id) is None
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        relay.changed.emit(frozenset({"appointments", "appointment_events"}))
    rect = area.canvas.appointment_rect(item.id)
    assert rect is not None and area.canvas.appointment_at(rect.center()) == item.id
    # A change elsewhere in the app (a patient's letter) does not reread the calendar.
    with qtbot.assertNotEmitted(area.calendar_loaded, wait=200):
        relay.changed.emit(frozenset({"letters"}))


def test_a_week_across_a_daylight_saving_change_lines_up_by_the_wall_clock(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    # The next Sunday the clocks change in Chicago, at least a week ahead.
    sunday = next_weekday(6)
    while at(sunday, 12).utcoffset() == at(sunday - timedelta(days=1), 12).utcoffset():
        sunday += timedelta(days=7)
    monday = sunday - timedelta(days=6)
    before = book(clinic, clinic.lindqvist, at(monday, 9))
    on_the_day = book(
        clinic,
        clinic.lindqvist,
        at(sunday, 9),
        allow_outside_availability=True,
        location_id=clinic.main_office,
    )
    area = open_area(qtbot, screen, monday)
    show(qtbot, area, area.week_button.click)
    layout = area.canvas.layout_
    assert layout is not None
    assert layout.columns[-1].day == sunday  # shown: someone is booked then
    first, second = (area.canvas.appointment_rect(item.id) for item in (before, on_the_day))
    assert first is not None and second is not None
    assert first.top() == pytest.approx(second.top())
    assert first.top() == pytest.approx(layout.y_of(9 * 60), abs=2)
    assert layout.column_at(second.center().x()).day == sunday  # type: ignore[union-attr]


def test_without_providers_the_area_says_where_to_set_them_up(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    area = ScheduleArea(screen)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitUntil(lambda: area.stack.currentWidget() is area.empty, timeout=WAIT)
    assert "Admin → Scheduling" in area.empty.text.text()


def test_providers_without_weekly_hours_are_told_where_to_set_them(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    from frontdesk.services.practice.forms import ProviderForm
    from frontdesk.services.practice.providers import save_provider

    save_provider(context, ProviderForm(first_name="Ana", last_name="Ruiz"))
    area = open_area(qtbot, screen)
    assert area.stack.currentWidget() is area.view
    assert area.banner.kind == "info"
    assert "Admin → Scheduling" in area.banner.text


def test_the_toolbar_and_the_right_click_open_the_dialogs_for_what_is_shown(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    from frontdesk.ui.scheduling.call_list import CallListDialog
    from frontdesk.ui.scheduling.day_sheet import DaySheetDialog
    from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
    from frontdesk.ui.scheduling.ics_dialog import IcsExportDialog
    from frontdesk.ui.scheduling.waitlist_dialogs import WaitlistMatchesDialog

    monday = next_weekday(0)
    book(clinic, clinic.okafor, at(monday, 9))
    area = open_area(qtbot, screen, monday)
    for button, kind in (
        (area.day_sheet_button, DaySheetDialog),
        (area.calls_button, CallListDialog),
        (area.export_button, IcsExportDialog),
        (area.find_button, FindSlotDialog),
    ):
        button.click()
        dialog = area.dialog
        assert isinstance(dialog, kind), button.text()
        dialog.done(0)
        assert area.dialog is None
    assert isinstance(area.dialog, type(None))
    assert area.print_current() and isinstance(area.dialog, DaySheetDialog)
    assert area.dialog.wanted == [clinic.lindqvist, clinic.okafor]
    area.dialog.done(0)

    # Right-click on free time: book there, or see who on the waitlist fits the free stretch.
    menu = area.canvas.menu_at(QPointF(point(area, clinic.okafor, monday, 9 * 60 + 30)))
    texts = [action.text() for action in menu.actions()]
    assert texts == ["Book at 09:30…", "Who on the waitlist fits this time?"]
    with qtbot.waitSignal(area.canvas.waitlist_requested, timeout=WAIT) as asked:
        menu.actions()[1].trigger()
    stretch = asked.args[0]
    assert (stretch.provider_id, stretch.location_id) == (clinic.okafor, clinic.main_office)
    assert (stretch.start, stretch.end) == (at(monday, 9, 15), at(monday, 12))
    assert isinstance(area.dialog, WaitlistMatchesDialog)
    area.dialog.done(0)
    menu.deleteLater()
    # Outside hours there is no free stretch to offer.
    menu = area.canvas.menu_at(QPointF(point(area, clinic.okafor, monday, 15 * 60)))
    assert not menu.actions()[1].isEnabled()
    menu.deleteLater()
    # On an appointment: open it.
    rect = area.canvas.appointment_rect(area.data.appointments[0].id)  # type: ignore[union-attr]
    menu = area.canvas.menu_at(rect.center())  # type: ignore[union-attr]
    assert [action.text() for action in menu.actions()] == ["Open appointment…"]
    menu.deleteLater()


def test_escape_lets_go_of_a_drag_and_show_day_adds_the_provider(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area, monday, item = open_on_a_booked_monday(qtbot, screen, clinic)
    start = grip(area, item.id)
    end = point(area, clinic.okafor, monday, 11 * 60)
    qtbot.mousePress(area.canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(area.canvas, QPoint(start.x(), start.y() + 30))
    qtbot.mouseMove(area.canvas, end)
    qtbot.keyClick(area.canvas, Qt.Key.Key_Escape)
    with qtbot.assertNotEmitted(area.canvas.move_requested):
        qtbot.mouseRelease(area.canvas, Qt.MouseButton.LeftButton, pos=end)
    assert area.question is None

    # Only Lindqvist shown; the Today area asks for Okafor's day: she is added, once.
    show(qtbot, area, lambda: area.set_day_providers([clinic.lindqvist]))
    assert area.data is not None and area.data.provider_ids == (clinic.lindqvist,)
    show(qtbot, area, lambda: area.show_day(monday, clinic.okafor))
    assert area.data.provider_ids == (clinic.lindqvist, clinic.okafor)
    assert area.canvas.cursor is not None
    assert area.canvas.cursor[0] == column_of(area, clinic.okafor, monday)
    assert area.providers_button.text() == "2 providers"


def test_the_calendar_stays_put_when_the_banner_comes_and_goes(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    # Issue #16: the "Booked ..." banner pushed the grid down, so the next click landed on
    # another time than the one the receptionist aimed at.
    with desk_style():
        monday = next_weekday(0)
        area = open_area(qtbot, screen, monday)
        assert area.banner.text == ""
        before = area.canvas.mapToGlobal(QPoint(0, 0))

        item = book(clinic, clinic.okafor, at(monday, 10))
        show(qtbot, area, lambda: area._booked(item))
        qtbot.waitUntil(lambda: area.banner.text.startswith("Booked"), timeout=WAIT)
        assert area.canvas.mapToGlobal(QPoint(0, 0)) == before

        long_text = "The server did not answer in time; nothing was saved. " * 6
        area.banner.show_message("error", long_text, ("Try again", lambda: None))
        qtbot.wait(50)
        assert area.canvas.mapToGlobal(QPoint(0, 0)) == before
        # The long text is kept whole for the tooltip and screen readers; the button is usable.
        assert area.banner.text == long_text
        assert area.banner.label.text().endswith("…")
        assert area.banner.label.toolTip() == long_text
        assert area.banner.accessibleDescription() == long_text
        action = area.banner.action
        assert action.isVisible()
        assert action.height() >= action.sizeHint().height()
        assert area.banner.rect().contains(action.geometry())

        area.banner.clear()
        qtbot.wait(50)
        assert area.canvas.mapToGlobal(QPoint(0, 0)) == before
