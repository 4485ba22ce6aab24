"""The booking screens' defaults with real widgets: click-to-book starts on a type the hours
take, and in the find list Enter then Enter books. The service half of these stories runs on
both databases elsewhere; the screens once, on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import availability, booking, lookup, waitlist
from frontdesk.services.scheduling.data import AvailabilityForm, BookingForm, WaitlistForm
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.screen_context import ChangeRelay, ScreenContext
from tests.helpers.screens import open_screen
from tests.scheduling.conftest import Practice, next_weekday

pytestmark = [
    pytest.mark.parametrize("backend", ["sqlite"]),
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints",
        "This plugin does not support raise",
        "This plugin does not support grabbing the keyboard",
    ),
]

WAIT = 10_000


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context, ChangeRelay()) as screen:
        yield screen


def test_click_to_book_in_new_consultation_hours_starts_on_a_new_consultation(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    wednesday = next_weekday(2)
    new_only = (clinic.type_id("New consultation"),)
    availability.save_availability(
        clinic.context,
        AvailabilityForm(clinic.okafor, clinic.main_office, 2, "8:00", "12:00", new_only),
    )
    area = ScheduleArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 760)
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: area.data is not None, timeout=WAIT)
    with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT):
        area.show_day(wednesday, clinic.okafor)
    layout = area.canvas.layout_
    assert layout is not None
    column = layout.column_for(clinic.okafor, wednesday)
    assert column is not None
    where = QPointF(layout.column_x(column) + 20, layout.y_of(9 * 60 + 2)).toPoint()
    qtbot.mouseClick(area.canvas, Qt.MouseButton.LeftButton, pos=where)
    dialog = area.dialog
    assert isinstance(dialog, BookDialog)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    assert dialog.type_combo.currentData() == clinic.type_id("New consultation")
    assert dialog.end_edit.text() == "09:45"
    dialog.done(0)


def test_in_the_find_list_enter_then_enter_books(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    finder = FindSlotDialog(screen, provider_id=clinic.lindqvist, patient_id=clinic.patients[2].id)
    qtbot.addWidget(finder)
    finder.show()
    qtbot.waitExposed(finder)
    qtbot.waitUntil(lambda: finder.choices is not None, timeout=WAIT)
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    chosen = finder.slots[0]
    seen: dict[str, Any] = {}

    def press_enter_on_the_question() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press_enter_on_the_question)
            return
        seen["title"] = box.windowTitle()
        seen["default"] = box.standardButton(box.defaultButton())
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(0, press_enter_on_the_question)
    finder.table.setFocus()
    with qtbot.waitSignal(finder.booked, timeout=WAIT):
        qtbot.keyClick(finder.table, Qt.Key.Key_Return)
    assert seen == {"title": "Book this time?", "default": QMessageBox.StandardButton.Yes}
    [stored] = lookup.appointments_for_patient(clinic.context, clinic.patients[2].id)
    assert (stored.start, stored.provider_id) == (chosen.start, clinic.lindqvist)


def test_after_filling_a_cancelled_time_from_the_waitlist_it_is_not_offered_again(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
    from frontdesk.ui.scheduling.waitlist_dialogs import WaitlistMatchesDialog
    from tests.scheduling.conftest import at

    thursday = next_weekday(3)
    first = booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[0].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("Follow-up"),
            start=at(thursday, 10),
        ),
    )
    for patient in clinic.patients[1:3]:
        waitlist.add_to_waitlist(
            clinic.context,
            WaitlistForm(patient_id=patient.id, type_id=clinic.type_id("Follow-up")),
        )
    dialog = AppointmentDialog(screen, first.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    cancel = dialog.cancel_appointment()
    assert cancel is not None
    qtbot.keyClicks(cancel.reason, "Work trip")  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.keyClick(cancel.reason, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    assert dialog.banner.action.text() == "Who on the waitlist fits it?"

    dialog.banner.action.click()
    matches = dialog.child_dialog
    assert isinstance(matches, WaitlistMatchesDialog)
    qtbot.waitUntil(lambda: matches.data is not None, timeout=WAIT)
    assert len(matches.table.matches) == 2
    with qtbot.waitSignal(matches.booked, timeout=WAIT):
        matches.book_selected()
    # The banner no longer offers the time just filled.
    assert dialog.banner.action.isHidden()
    assert "from the waitlist" in dialog.banner.text
    # Asked again for that time, nobody is offered it (it was listed, then "just booked").
    again = dialog.show_waitlist_matches(first)
    assert isinstance(again, WaitlistMatchesDialog)
    qtbot.waitUntil(lambda: again.data is not None, timeout=WAIT)
    assert again.table.matches == [] and again.empty.isVisibleTo(again)
    again.done(0)
