"""Issue #16 with real widgets: a click on free time in the Schedule, the patient chosen, and
the booking form names the patient's open request and books the visit for it (or, unticked,
leaves the request alone). The services behind it: test_booking_for_open_request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, reading, states
from frontdesk.services.scheduling import lookup
from frontdesk.ui.requests.ready_override import ReadyWithoutRecordsDialog
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.calendar_moves import FreeTimeChoice
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import open_screen
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 10_000
THURSDAY = next_weekday(3)


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    # No charts yet: the intake creates María's.
    return make_practice(context, patient_count=0)


@pytest.fixture
def screen(qtbot: QtBot, clinic: Practice) -> Iterator[ScreenContext]:
    with open_screen(clinic.context) as screen:
        yield screen


def ready_request(context: ServiceContext) -> int:
    request_id = intake.create_request(context, maria_intake(), allow_duplicates=True).id
    states.transition(
        context, request_id, RequestState.READY_TO_SCHEDULE, override_reason="films at the visit"
    )
    return request_id


def state_of(clinic: Practice, request_id: int) -> RequestState:
    return reading.get_request(clinic.context, request_id).request.state


def book_from_the_schedule(qtbot: QtBot, screen: ScreenContext, clinic: Practice) -> BookDialog:
    """The Schedule area, a free time clicked (Thursday 9:00 with Dr. Okafor), and María chosen
    in the booking form's patient search, keyboard only."""
    area = ScheduleArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 760)
    area.show()
    qtbot.waitUntil(lambda: area.data is not None, timeout=WAIT)
    area.book_at(FreeTimeChoice(clinic.okafor, at(THURSDAY, 9), clinic.main_office))
    dialog = area.dialog
    assert isinstance(dialog, BookDialog)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    assert dialog.link_row.isHidden()  # no patient yet: nothing to say
    picker = dialog.choose_patient()
    qtbot.waitExposed(picker)
    qtbot.keyClicks(picker.search_box, "nunez")
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=WAIT)
    qtbot.keyClick(picker.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.link_row.isHidden(), timeout=WAIT)
    dialog.type_combo.setCurrentIndex(
        dialog.type_combo.findData(clinic.type_id("New consultation"))
    )
    return dialog


def test_the_form_names_the_open_request_and_books_the_visit_for_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    request_id = ready_request(clinic.context)
    dialog = book_from_the_schedule(qtbot, screen, clinic)

    assert dialog.open_request_label.text() == (
        "Open request: Failed back / failed fusion syndrome, Ready to schedule, 0 days"
    )
    assert dialog.request_combo.isHidden()  # one request: named, nothing to choose
    # A new consultation books for it by default; a follow-up does not, and says so.
    assert dialog.link_box.isChecked()
    assert dialog.link_warning.isHidden()
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(clinic.type_id("Follow-up")))
    assert not dialog.link_box.isChecked()
    assert dialog.link_warning.text().startswith("Not linked: the request stays in the Requests")
    dialog.type_combo.setCurrentIndex(
        dialog.type_combo.findData(clinic.type_id("New consultation"))
    )
    assert dialog.link_box.isChecked()

    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)

    assert booked.args[0].request_id == request_id
    assert state_of(clinic, request_id) is RequestState.SCHEDULED
    [linked] = lookup.appointments_for_request(clinic.context, request_id)
    assert linked.id == booked.args[0].id


def test_unticked_the_booking_leaves_the_request_in_the_queue(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    request_id = ready_request(clinic.context)
    dialog = book_from_the_schedule(qtbot, screen, clinic)
    assert dialog.link_box.isChecked()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # the box's key
    qtbot.waitUntil(lambda: not dialog.link_box.isChecked(), timeout=WAIT)  # animated click
    assert not dialog.link_warning.isHidden()

    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        dialog.save()

    assert booked.args[0].request_id is None
    assert state_of(clinic, request_id) is RequestState.READY_TO_SCHEDULE
    assert lookup.appointments_for_request(clinic.context, request_id) == []


def test_with_two_open_requests_one_is_chosen_and_missing_records_ask_why(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    ready = ready_request(clinic.context)
    patient_id = reading.get_request(clinic.context, ready).request.patient_id
    waiting = intake.create_request(
        clinic.context, maria_intake(patient_id=patient_id, category="spinal_stenosis")
    ).id
    dialog = book_from_the_schedule(qtbot, screen, clinic)

    combo = dialog.request_combo
    assert not combo.isHidden()
    assert dialog.open_request_label.text() == "2 open requests: choose the one this visit is for."
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Spinal stenosis, New, 0 days",
        "Failed back / failed fusion syndrome, Ready to schedule, 0 days",
    ]
    # The newest is offered first: not ready, and the Requests area's warning is shown.
    assert dialog.link_box.isChecked()
    assert dialog.link_warning.text().startswith(
        "Records still missing: Operative report: surgery 1 of 2;"
    )
    combo.setCurrentIndex(1)
    assert dialog.link_warning.isHidden()  # ready: nothing to warn of
    combo.setCurrentIndex(0)

    dialog.save()
    qtbot.waitUntil(lambda: dialog.without_records is not None, timeout=WAIT)
    asking = dialog.without_records
    assert isinstance(asking, ReadyWithoutRecordsDialog)
    assert "Records still missing" in dialog.banner.text
    assert lookup.appointments_for_patient(clinic.context, patient_id) == []
    assert state_of(clinic, waiting) is RequestState.NEW

    qtbot.keyClicks(asking.reason, "Surgeon reviews films at visit")
    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        qtbot.keyClick(asking.reason, Qt.Key.Key_Return)

    assert booked.args[0].request_id == waiting
    assert state_of(clinic, waiting) is RequestState.SCHEDULED
    assert state_of(clinic, ready) is RequestState.READY_TO_SCHEDULE  # the other: untouched
    note = reading.get_request(clinic.context, waiting).transitions[-2].note
    assert "Reason: Surgeon reviews films at visit." in note


def test_opened_for_a_known_patient_the_request_is_named_at_once(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """The chart's Appointments tab and find-next open the form with the patient known."""
    request_id = ready_request(clinic.context)
    patient_id = reading.get_request(clinic.context, request_id).request.patient_id
    dialog = BookDialog(
        screen,
        start=at(THURSDAY, 9),
        provider_id=clinic.okafor,
        type_id=clinic.type_id("New consultation"),
        patient_id=patient_id,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    assert not dialog.link_row.isHidden()
    assert dialog.open_request_label.text().startswith("Open request: Failed back")
    assert dialog.link_box.isChecked()
    assert not dialog.has_unsaved_changes()  # nothing typed yet: Esc closes without asking
    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        dialog.save()
    assert booked.args[0].request_id == request_id
    assert state_of(clinic, request_id) is RequestState.SCHEDULED
