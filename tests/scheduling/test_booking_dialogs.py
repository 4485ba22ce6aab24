"""The booking, appointment and find-next dialogs with real widgets on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.db.engine import Database
from frontdesk.domain.scheduling import AppointmentStatus, CancelledBy, TimePreference, Weekday
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.scheduling import booking, calendars, lookup
from frontdesk.services.scheduling.data import AppointmentData, BookingForm
from frontdesk.ui.connection_monitor import saving_gate
from frontdesk.ui.scheduling.appointment_dialog import AppointmentDialog
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.dialog_cancel import CancelAppointmentDialog
from frontdesk.ui.scheduling.dialog_reschedule import RescheduleDialog
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.discard_question import DISCARD, KEEP, answer_discard_question
from tests.helpers.mnemonics import alt_letter, mnemonic_problems
from tests.helpers.screens import desk_style, open_screen
from tests.helpers.tables import shows_whole_placeholder
from tests.scheduling.conftest import CHICAGO, Practice, at, next_weekday

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

WAIT = 10_000


class Answers:
    """Stands in for QMessageBox.question: records each question and gives the queued
    answer (by default No)."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.queued: list[bool] = []

    def __call__(self, _parent: Any, _title: str, text: str, buttons: Any, *_rest: Any) -> Any:
        self.asked.append(text)
        if buttons & QMessageBox.StandardButton.Discard:
            discard = self.queued.pop(0) if self.queued else True
            return (
                QMessageBox.StandardButton.Discard if discard else QMessageBox.StandardButton.Cancel
            )
        yes = self.queued.pop(0) if self.queued else False
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    recorder = Answers()
    monkeypatch.setattr(QMessageBox, "question", recorder)
    return recorder


@pytest.fixture
def screen(qtbot: QtBot, clinic: Practice) -> Iterator[ScreenContext]:
    with open_screen(clinic.context) as screen:
        yield screen


def shown(qtbot: QtBot, dialog: Any) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def open_book(qtbot: QtBot, screen: ScreenContext, **values: Any) -> BookDialog:
    dialog = shown(qtbot, BookDialog(screen, **values))
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT)
    return dialog


def open_for_first_patient(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, **values: Any
) -> BookDialog:
    """The booking form for the first patient with Dr. Okafor, next Thursday at 9:00."""
    values.setdefault("start", at(next_weekday(3), 9))
    values.setdefault("provider_id", clinic.okafor)
    values.setdefault("patient_id", clinic.patients[0].id)
    return open_book(qtbot, screen, **values)


def booked_for(clinic: Practice, patient: int) -> list[AppointmentData]:
    return lookup.appointments_for_patient(clinic.context, clinic.patients[patient].id)


def book(clinic: Practice, patient: int, start: Any, **changes: Any) -> AppointmentData:
    values: dict[str, Any] = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id("New consultation"),
        "start": start,
        "reason": "Failed fusion, second opinion",
    }
    values.update(changes)
    return booking.book(clinic.context, BookingForm(**values))


# --- BookDialog ---------------------------------------------------------------------------


def test_booking_through_the_dialog_writes_the_appointment(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    dialog = open_book(qtbot, screen, start=at(thursday, 9), provider_id=clinic.okafor)
    assert dialog.start_edit.text() == "09:00"
    # The patient from the search-as-you-type picker, keyboard only.
    picker = dialog.choose_patient()
    qtbot.waitExposed(picker)
    qtbot.keyClicks(picker.search_box, "adams")
    qtbot.waitUntil(lambda: picker.results.count() == 1, timeout=WAIT)
    qtbot.keyClick(picker.search_box, Qt.Key.Key_Return)
    assert dialog.patient_id == clinic.patients[3].id
    assert "Adams" in dialog.patient_label.text()
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(clinic.type_id("Follow-up")))
    assert dialog.end_edit.text() == "09:15"  # the type's length
    assert dialog.location_combo.currentData() == clinic.main_office
    assert "Main office" in dialog.location_hint.text()
    qtbot.keyClicks(dialog.reason_edit, "Six-week check")
    with qtbot.waitSignal(dialog.booked, timeout=WAIT) as booked:
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    [stored] = booked_for(clinic, 3)
    assert stored.id == booked.args[0].id
    assert stored.start == at(thursday, 9)
    assert stored.end == at(thursday, 9, 15)
    assert stored.type_name == "Follow-up"
    assert stored.location_id == clinic.main_office
    assert stored.reason == "Six-week check"
    assert not stored.overbooked


def test_the_end_follows_the_type_until_it_is_typed(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    dialog = open_for_first_patient(qtbot, screen, clinic, type_id=clinic.type_id("Follow-up"))
    assert dialog.end_edit.text() == "09:15"
    dialog.end_edit.clear()
    qtbot.keyClicks(dialog.end_edit, "9:40")
    dialog.type_combo.setCurrentIndex(
        dialog.type_combo.findData(clinic.type_id("New consultation"))
    )
    assert dialog.end_edit.text() == "9:40"


def test_end_before_start_is_shown_next_to_the_end_field_and_nothing_is_written(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    dialog = open_for_first_patient(qtbot, screen, clinic)
    qtbot.waitUntil(lambda: "Núñez-García" in dialog.patient_label.text(), timeout=WAIT)
    dialog.end_edit.clear()
    qtbot.keyClicks(dialog.end_edit, "8:30")
    qtbot.keyClicks(dialog.reason_edit, "Neck pain")
    dialog.save()
    message = dialog.fields.message("end")
    qtbot.waitUntil(message.isVisible, timeout=WAIT)
    assert "end after it starts" in message.text()
    assert "Not booked" in dialog.banner.text
    assert dialog.isVisible()
    assert dialog.reason_edit.text() == "Neck pain"
    assert booked_for(clinic, 0) == []


@pytest.mark.parametrize("confirmed", [True, False], ids=["confirmed", "declined"])
def test_an_overbook_asks_first_and_books_only_when_confirmed(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers, confirmed: bool
) -> None:
    tuesday = next_weekday(1)  # Dr Okafor has no hours on Tuesdays
    dialog = open_book(
        qtbot,
        screen,
        start=at(tuesday, 9),
        provider_id=clinic.okafor,
        location_id=clinic.main_office,
        patient_id=clinic.patients[1].id,
    )
    assert "Outside the provider's weekly hours" in dialog.location_hint.text()
    answers.queued.append(confirmed)
    if confirmed:
        with qtbot.waitSignal(dialog.booked, timeout=WAIT):
            dialog.save()
        [stored] = booked_for(clinic, 1)
        assert stored.overbooked
        assert stored.start == at(tuesday, 9)
        assert not dialog.isVisible()
    else:
        dialog.save()
        qtbot.waitUntil(lambda: "Not booked" in dialog.banner.text, timeout=WAIT)
        assert booked_for(clinic, 1) == []
        assert dialog.isVisible()
    [question] = answers.asked
    assert "no availability" in question and "Book it anyway as an overbook?" in question


def test_a_time_taken_by_another_desk_says_just_booked_and_keeps_the_form(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, database: Database
) -> None:
    thursday = next_weekday(3)
    dialog = open_book(
        qtbot,
        screen,
        start=at(thursday, 9),
        provider_id=clinic.okafor,
        patient_id=clinic.patients[0].id,
        type_id=clinic.type_id("New consultation"),
        reason="Second opinion",
    )
    other_desk = make_context(database, make_actor(username="other.desk"))
    booking.book(
        other_desk,
        BookingForm(
            patient_id=clinic.patients[2].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("Follow-up"),
            start=at(thursday, 9, 15),
        ),
    )
    dialog.save()
    qtbot.waitUntil(lambda: "just booked" in dialog.banner.text, timeout=WAIT)
    assert dialog.isVisible()
    assert dialog.reason_edit.text() == "Second opinion"
    assert dialog.start_edit.text() == "09:00"
    assert booked_for(clinic, 0) == []
    assert dialog.banner.action.text() == "&Find the next free time"
    # The next step is a key away (Alt+F), a letter nothing else in the form takes.
    assert alt_letter(dialog.banner.action.text()) == "F"
    assert mnemonic_problems(dialog) == []
    # The offered next step: free times with the same type and provider.
    dialog.banner.action.click()
    finder = dialog.finder
    assert isinstance(finder, FindSlotDialog)
    qtbot.waitUntil(lambda: bool(finder.slots), timeout=WAIT)
    taken = calendars.day_appointments(clinic.context, thursday)
    assert {slot.provider_id for slot in finder.slots} == {clinic.okafor}
    for slot in finder.slots:
        assert all(not (slot.start < a.end and a.start < slot.end) for a in taken)


def test_a_closed_or_unready_request_is_refused_with_the_reason(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    from frontdesk.services.requests import intake
    from tests.requests.conftest import maria_intake

    request = intake.create_request(clinic.context, maria_intake(patient_id=clinic.patients[0].id))
    dialog = open_for_first_patient(qtbot, screen, clinic, request_id=request.id)
    # A request books as a new consultation by default, and is shown read-only.
    assert dialog.type_combo.currentData() == clinic.type_id("New consultation")
    assert "Request received" in dialog.request_label.text()
    dialog.save()
    qtbot.waitUntil(lambda: "Not booked" in dialog.banner.text, timeout=WAIT)
    assert "ready to schedule first" in dialog.banner.text
    assert booked_for(clinic, 0) == []


def test_esc_asks_before_discarding_what_was_typed(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers
) -> None:
    dialog = open_book(qtbot, screen, patient_id=clinic.patients[0].id)
    qtbot.waitUntil(lambda: "Núñez-García" in dialog.patient_label.text(), timeout=WAIT)
    qtbot.keyClicks(dialog.reason_edit, "Second opinion")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    assert dialog.discard_question is not None
    assert "discard what was typed" in dialog.discard_question.text()
    answer_discard_question(dialog, KEEP)
    assert dialog.isVisible()
    assert dialog.reason_edit.text() == "Second opinion"
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Escape)
    answer_discard_question(dialog, DISCARD)
    assert not dialog.isVisible()


def test_nothing_typed_closes_without_a_question(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers
) -> None:
    dialog = open_book(qtbot, screen, start=at(next_weekday(3), 9), provider_id=clinic.okafor)
    qtbot.keyClick(dialog.start_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert answers.asked == []


def test_saving_waits_while_the_server_is_unreachable(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    dialog = open_for_first_patient(qtbot, screen, clinic)
    gate = saving_gate()
    gate.set_allowed(False, "lost")
    try:
        assert not dialog.book_button.isEnabled()
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
        assert "Saving is paused" in dialog.banner.text
    finally:
        gate.set_allowed(True)
    assert dialog.book_button.isEnabled()
    QCoreApplication.processEvents()
    assert booked_for(clinic, 0) == []
    with qtbot.waitSignal(dialog.booked, timeout=WAIT):
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)


# --- AppointmentDialog --------------------------------------------------------------------


def open_appointment(qtbot: QtBot, screen: ScreenContext, appointment_id: int) -> Any:
    dialog = shown(qtbot, AppointmentDialog(screen, appointment_id))
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=WAIT)
    return dialog


def test_cancelling_needs_a_reason_and_frees_the_time(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    first = book(clinic, 0, at(thursday, 9))
    dialog = open_appointment(qtbot, screen, first.id)
    assert "Booked" in dialog.facts["status"].text()
    assert "Núñez-García" in dialog.facts["patient"].text()
    cancel = dialog.cancel_appointment()
    assert isinstance(cancel, CancelAppointmentDialog)
    qtbot.waitExposed(cancel)
    cancel.save()
    message = cancel.fields.message("reason")
    qtbot.waitUntil(message.isVisible, timeout=WAIT)
    assert "Say why the appointment is cancelled" in message.text()
    assert lookup.get_appointment(clinic.context, first.id).appointment.status is (
        AppointmentStatus.BOOKED
    )
    cancel.by_practice.setChecked(True)
    qtbot.keyClicks(cancel.reason, "Surgeon called into theatre")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.keyClick(cancel.reason, Qt.Key.Key_Return)
    stored = lookup.get_appointment(clinic.context, first.id).appointment
    assert stored.status is AppointmentStatus.CANCELLED
    assert stored.cancelled_by is CancelledBy.PRACTICE
    assert stored.cancel_reason == "Surgeon called into theatre"
    qtbot.waitUntil(lambda: "Cancelled by the practice" in dialog.facts["status"].text())
    assert "Cancelled" in dialog.banner.text
    assert not dialog.cancel_button.isEnabled()
    # The time is free: another patient books it.
    book(clinic, 1, at(thursday, 9))


def test_the_cancel_reason_shows_its_whole_hint_at_150_percent(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """At 150% the dialog opened as narrow as its summary: "why (feeling better, surgeon
    away…" lost its end, the examples of what to type."""
    first = book(clinic, 0, at(next_weekday(3), 9))
    with desk_style():
        cancel = CancelAppointmentDialog(screen, first, "Thursday 12/10/2026 09:00")
        qtbot.addWidget(cancel)
        cancel.show()
        qtbot.waitExposed(cancel)
        assert cancel.reason.placeholderText() == "why (feeling better, surgeon away…)"
        assert shows_whole_placeholder(cancel.reason)
    cancel.mark_clean()


def test_cancelling_what_someone_else_just_changed_says_so_and_keeps_the_dialog(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    first = book(clinic, 0, at(next_weekday(3), 9))
    dialog = open_appointment(qtbot, screen, first.id)
    cancel = dialog.cancel_appointment()
    assert isinstance(cancel, CancelAppointmentDialog)
    qtbot.waitExposed(cancel)
    # Another desk saves the appointment while this cancel dialog is open.
    booking.update_details(clinic.context, first.id, reason="Moved by phone", notes="")
    qtbot.keyClicks(cancel.reason, "Patient is unwell")
    qtbot.keyClick(cancel.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Not cancelled." in cancel.banner.text, timeout=WAIT)
    assert cancel.isVisible() and cancel.reason.text() == "Patient is unwell"
    assert cancel.confirm_button.isEnabled()
    stored = lookup.get_appointment(clinic.context, first.id).appointment
    assert stored.status is AppointmentStatus.BOOKED


def test_status_buttons_follow_the_allowed_moves_and_the_history_shows(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers
) -> None:
    first = book(clinic, 0, at(next_weekday(3), 9))
    dialog = open_appointment(qtbot, screen, first.id)
    assert set(dialog.status_buttons) == {
        AppointmentStatus.CONFIRMED,
        AppointmentStatus.CHECKED_IN,
        AppointmentStatus.NO_SHOW,
    }
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        dialog.status_buttons[AppointmentStatus.CONFIRMED].click()
    qtbot.waitUntil(lambda: dialog.facts["status"].text() == "Confirmed", timeout=WAIT)
    assert AppointmentStatus.BOOKED in dialog.status_buttons
    lines = [dialog.history.item(row).text() for row in range(dialog.history.count())]
    assert "Booked → Confirmed" in lines[0] and "test.admin" in lines[0]
    assert "Booked New consultation" in lines[-1]
    # A no-show a week ahead asks first, and the service refuses it with its reason.
    answers.queued.append(True)
    dialog.status_buttons[AppointmentStatus.NO_SHOW].click()
    qtbot.waitUntil(lambda: "Not saved" in dialog.banner.text, timeout=WAIT)
    assert "cannot be a no-show yet" in dialog.banner.text
    assert "not having come" in answers.asked[0]


def test_reason_and_notes_save_and_someone_elses_newer_save_is_not_overwritten(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    first = book(clinic, 0, at(next_weekday(3), 9))
    dialog = open_appointment(qtbot, screen, first.id)
    dialog.reason.clear()
    qtbot.keyClicks(dialog.reason, "Bring the MRI disc")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert lookup.get_appointment(clinic.context, first.id).appointment.reason == (
        "Bring the MRI disc"
    )
    qtbot.waitUntil(lambda: not dialog.saving and dialog.detail is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: dialog.detail.appointment.reason == "Bring the MRI disc", timeout=WAIT)
    # Someone else saves the notes while this window still shows the older version.
    booking.update_details(clinic.context, first.id, reason="Theirs", notes="From the phone")
    qtbot.keyClicks(dialog.notes, "Mine")
    dialog.save_details()
    qtbot.waitUntil(lambda: "Not saved" in dialog.banner.text, timeout=WAIT)
    assert "after you opened it" in dialog.banner.text
    assert dialog.notes.toPlainText() == "Mine"
    stored = lookup.get_appointment(clinic.context, first.id).appointment
    assert (stored.reason, stored.notes) == ("Theirs", "From the phone")


def test_reschedule_moves_it_and_keeps_the_history(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    first = book(clinic, 0, at(thursday, 9))
    dialog = open_appointment(qtbot, screen, first.id)
    move = dialog.reschedule()
    assert isinstance(move, RescheduleDialog)
    qtbot.waitUntil(lambda: move.choices is not None, timeout=WAIT)
    assert move.start_edit.text() == "09:00" and move.end_edit.text() == "09:45"
    move.start_edit.clear()
    qtbot.keyClicks(move.start_edit, "10:30")
    assert move.end_edit.text() == "11:15"  # the length is kept
    qtbot.keyClicks(move.note, "Patient asked for later")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT):
        qtbot.keyClick(move.note, Qt.Key.Key_Return)
    stored = lookup.get_appointment(clinic.context, first.id)
    assert stored.appointment.start == at(thursday, 10, 30)
    assert stored.appointment.end == at(thursday, 11, 15)
    assert [event.kind for event in stored.events] == ["booked", "moved"]
    assert stored.events[1].note == "Patient asked for later"


def reschedule_from(qtbot: QtBot, screen: ScreenContext, appointment_id: int) -> RescheduleDialog:
    move = open_appointment(qtbot, screen, appointment_id).reschedule()
    assert isinstance(move, RescheduleDialog)
    qtbot.waitUntil(lambda: move.choices is not None, timeout=WAIT)
    return move


def test_moving_onto_a_visit_already_there_names_it_and_keeps_the_dialog(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Issue #16: the 10:30 visit was there before the dialog opened, so a move running into
    it is no race: the form names it by the end time instead of "just booked"."""
    thursday = next_weekday(3)
    first = book(clinic, 0, at(thursday, 9))
    book(clinic, 1, at(thursday, 10, 30))
    move = reschedule_from(qtbot, screen, first.id)
    move.start_edit.clear()
    qtbot.keyClicks(move.start_edit, "10:15")
    move.save()
    message = move.fields.message("end")
    qtbot.waitUntil(message.isVisible, timeout=WAIT)
    assert message.text() == (
        "This 45-minute visit would overlap O'Connor's 10:30 appointment with Adaeze Okafor, "
        "MD; shorten it or choose another time"
    )
    assert "just booked" not in move.banner.text
    assert move.isVisible()
    assert lookup.get_appointment(clinic.context, first.id).appointment.start == (at(thursday, 9))


def test_moving_onto_a_time_booked_since_the_dialog_opened_says_just_booked(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    first = book(clinic, 0, at(thursday, 9))
    move = reschedule_from(qtbot, screen, first.id)
    book(clinic, 1, at(thursday, 10, 30))  # another desk, meanwhile
    move.start_edit.clear()
    qtbot.keyClicks(move.start_edit, "10:15")
    move.save()
    qtbot.waitUntil(lambda: "just booked" in move.banner.text, timeout=WAIT)
    assert move.isVisible()
    assert lookup.get_appointment(clinic.context, first.id).appointment.start == (at(thursday, 9))


# --- FindSlotDialog -----------------------------------------------------------------------


def open_finder(qtbot: QtBot, screen: ScreenContext, **values: Any) -> FindSlotDialog:
    dialog = shown(qtbot, FindSlotDialog(screen, **values))
    qtbot.waitUntil(lambda: dialog.choices is not None, timeout=WAIT)
    return dialog


def test_find_says_whom_it_books_for_and_the_interpreter_all_along(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Finding 7 of #16: the find dialog never showed the patient, nor the interpreter need."""
    maria = create_patient(
        clinic.context,
        PatientForm(
            "María José",
            "Núñez-García",
            "1961-03-04",
            mobile_phone="217-555-0142",
            preferred_language="Spanish",
            interpreter_needed=True,
        ),
        allow_duplicates=True,
    )
    finder = open_finder(qtbot, screen, provider_id=clinic.okafor, patient_id=maria.id)
    line = finder.patient_line
    assert line.isVisible()
    assert line.text() == (
        f"For Núñez-García, María José · born 03/04/1961 · {maria.mrn} · "
        "Spanish — interpreter needed"
    )
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    assert finder.slots and line.isVisible() and "interpreter needed" in line.text()


def test_find_lists_free_times_that_suit_and_choosing_one_books_it(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers
) -> None:
    finder = open_finder(
        qtbot,
        screen,
        provider_id=clinic.okafor,
        patient_id=clinic.patients[2].id,
        reason="Referred for stenosis",
        preference=TimePreference((Weekday.THURSDAY,), 13 * 60, None),
    )
    assert finder.type_combo.currentData() == clinic.type_id("New consultation")
    assert finder.day_boxes[Weekday.THURSDAY].isChecked()
    assert finder.earliest.text() == "13:00"
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        qtbot.keyClick(finder.earliest, Qt.Key.Key_Return)
    assert finder.slots
    for slot in finder.slots:
        local = slot.start.astimezone(CHICAGO)
        assert local.weekday() == 3 and local.hour >= 13
        assert slot.location_id == clinic.second_office
        assert slot.end - slot.start == timedelta(minutes=45)
    assert finder.table.item(0, 3).text() == "Second office"
    chosen = finder.slots[0]
    answers.queued.append(True)
    with qtbot.waitSignal(finder.booked, timeout=WAIT):
        qtbot.keyClick(finder.table, Qt.Key.Key_Return)
    assert "Hoa" in answers.asked[0] and "Book New consultation" in answers.asked[0]
    [stored] = booked_for(clinic, 2)
    assert (stored.start, stored.provider_id) == (chosen.start, clinic.okafor)
    assert stored.location_id == clinic.second_office
    assert stored.reason == "Referred for stenosis"


def test_a_declined_booking_question_books_nothing(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, answers: Answers
) -> None:
    finder = open_finder(
        qtbot, screen, provider_id=clinic.lindqvist, patient_id=clinic.patients[2].id
    )
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    answers.queued.append(False)
    finder.choose()
    assert answers.asked
    assert finder.isVisible()
    assert booked_for(clinic, 2) == []


def test_without_a_patient_choosing_a_time_opens_the_booking_form_filled_in(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    finder = open_finder(
        qtbot, screen, type_id=clinic.type_id("Follow-up"), provider_id=clinic.lindqvist
    )
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    slot = finder.slots[0]
    finder.table.setCurrentCell(0, 0)
    finder.choose()
    form = finder.book_dialog
    assert isinstance(form, BookDialog)
    qtbot.waitUntil(lambda: form.ready, timeout=WAIT)
    assert form.provider_combo.currentData() == clinic.lindqvist
    assert form.type_combo.currentData() == clinic.type_id("Follow-up")
    local = slot.start.astimezone(CHICAGO)
    assert form.start_edit.text() == f"{local:%H:%M}"
    assert form.location_combo.currentData() == clinic.main_office
    [adams] = search(clinic.context, "adams").items
    form.set_patient(adams)
    with qtbot.waitSignal(finder.booked, timeout=WAIT):
        form.save()
    [stored] = booked_for(clinic, 3)
    assert stored.start == slot.start


def test_an_empty_result_says_why(qtbot: QtBot, screen: ScreenContext, clinic: Practice) -> None:
    finder = open_finder(
        qtbot, screen, provider_id=clinic.lindqvist, location_id=clinic.second_office
    )
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    assert finder.table.rowCount() == 0
    assert "No weekly availability takes New consultation" in finder.status.text()
    finder.location_combo.setCurrentIndex(0)  # any location
    finder.day_boxes[Weekday.SATURDAY].setChecked(True)
    with qtbot.waitSignal(finder.searched, timeout=WAIT):
        finder.search()
    assert finder.table.rowCount() == 0
    assert "Nothing free" in finder.status.text() and "Sat" in finder.status.text()
    assert not finder.book_button.isEnabled()


def test_bad_preferred_times_show_next_to_the_field(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    finder = open_finder(qtbot, screen)
    qtbot.keyClicks(finder.earliest, "14:00")
    qtbot.keyClicks(finder.latest, "9:00")
    finder.search()
    message = finder.fields.message("earliest")
    assert message.isVisible()
    assert "latest time must be after the earliest" in message.text()
    assert finder.table.rowCount() == 0


def test_a_move_in_the_history_reads_whole_without_a_side_scroll(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """Issue #16 screenshots: "Moved from … to …" ran off the history box at 150%."""
    thursday = next_weekday(3)
    first = book(clinic, 0, at(thursday, 9))
    booking.reschedule(clinic.context, first.id, start=at(thursday, 10))
    dialog = open_appointment(qtbot, screen, first.id)
    dialog.resize(560, dialog.height())  # narrower than the move's sentence
    history = dialog.history
    qtbot.waitUntil(lambda: history.count() >= 2, timeout=WAIT)
    moved = next(
        history.item(i) for i in range(history.count()) if "Moved" in history.item(i).text()
    )
    qtbot.wait(50)
    shown_at = history.visualItemRect(moved)
    assert shown_at.width() <= history.viewport().width()
    assert shown_at.height() >= 2 * history.fontMetrics().height()


def test_a_visit_that_runs_into_the_next_one_says_so_by_the_end_time(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    """08:45 is free but the next visit is at 09:15: a 45-minute consultation does not fit.
    Nobody else booked anything, so the form names that visit, not "just booked"."""
    thursday = next_weekday(3)
    booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[1].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("Follow-up"),
            start=at(thursday, 9, 15),
        ),
    )
    dialog = open_for_first_patient(
        qtbot, screen, clinic, start=at(thursday, 8, 45), type_id=clinic.type_id("New consultation")
    )
    qtbot.waitUntil(lambda: "Núñez-García" in dialog.patient_label.text(), timeout=WAIT)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    message = dialog.fields.message("end")
    qtbot.waitUntil(message.isVisible, timeout=WAIT)
    assert message.text() == (
        "This 45-minute visit would overlap O'Connor's 09:15 appointment with Adaeze Okafor, "
        "MD; shorten it or choose another time"
    )
    assert "just booked" not in dialog.banner.text
    assert dialog.isVisible()
    assert booked_for(clinic, 0) == []
