"""Ctrl+K from anywhere: the quick patient search opens over Today, over Patients with its
search field focused, and over a chart window; each result shows the next visit, the open
requests and the alerts; arrows choose, Enter opens the chart, Esc closes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import RequestState
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.requests import intake, states
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.quick_find.dialog import QuickFindDialog
from frontdesk.ui.quick_find.results import quick_find
from frontdesk.ui.screen_context import ScreenContext
from tests.requests.conftest import maria_intake
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

WAIT_MS = 10_000

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    practice = make_practice(context, patient_count=2)
    maria = practice.patients[0].id
    booking.book(
        context,
        BookingForm(
            patient_id=maria,
            provider_id=practice.lindqvist,
            type_id=practice.type_id("Follow-up"),
            start=at(next_weekday(0), 10),
        ),
    )
    intake.create_request(context, maria_intake(patient_id=maria, red_flags=("bladder_bowel",)))
    create_patient(
        context,
        PatientForm(
            "Nuno",
            "Nunes",
            "1/2/1970",
            preferred_language="Portuguese",
            interpreter_needed=True,
        ),
    )
    return practice


@pytest.fixture
def window(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, tmp_path: Path
) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "workstation.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    for chart in QApplication.topLevelWidgets():
        if isinstance(chart, PatientChart):
            chart.close()


def press_ctrl_k(qtbot: QtBot, window: MainWindow, widget: QWidget) -> QuickFindDialog:
    qtbot.keyClick(widget, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.quick_find_dialog
    assert isinstance(dialog, QuickFindDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def search(qtbot: QtBot, dialog: QuickFindDialog, text: str) -> None:
    with qtbot.waitSignal(dialog.shown, timeout=WAIT_MS):
        qtbot.keyClicks(dialog.query, text)


def test_ctrl_k_over_today_finds_with_the_next_visit_requests_and_alerts(
    qtbot: QtBot, window: MainWindow, clinic: Practice
) -> None:
    window.show_area("today")
    today = window.current_area()
    assert today is not None
    dialog = press_ctrl_k(qtbot, window, today)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.query, timeout=WAIT_MS)
    search(qtbot, dialog, "nun")
    texts = [dialog.results.item(row).text() for row in range(dialog.results.count())]
    assert len(texts) == 2
    maria = next(text for text in texts if "Núñez-García" in text)
    nuno = next(text for text in texts if "Nunes" in text)
    assert "Next: " in maria and "Lindqvist" in maria and "(Follow-up)" in maria
    assert "1 open request (New)" in maria and "⚠ Red flag on an open request" in maria
    assert "No visit booked" in nuno and "no open request" in nuno
    assert "⚠ Interpreter needed (Portuguese)" in nuno
    assert "Red flag" not in nuno

    # Arrows in the search box move through the results; Enter opens that chart.
    first = dialog.current_patient_id()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Down)
    second = dialog.current_patient_id()
    assert second is not None and second != first
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    patients = window.area_widget("patients")
    assert isinstance(patients, PatientsArea)
    chart = patients.charts[second]
    qtbot.waitUntil(lambda: chart.patient is not None, timeout=WAIT_MS)
    assert chart.isVisible() and window.current_key() == "today"


def test_ctrl_k_from_a_focused_search_field_and_from_a_chart(
    qtbot: QtBot, window: MainWindow, clinic: Practice
) -> None:
    # The Patients screen's own search field would take Ctrl+K (delete to the line's end).
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    field = area.findChild(QLineEdit)
    assert field is not None
    field.setFocus()
    qtbot.keyClicks(field, "abc")
    field.setCursorPosition(0)
    dialog = press_ctrl_k(qtbot, window, field)
    assert field.text() == "abc"
    qtbot.keyClick(dialog.query, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    # Typed and Enter at once: the chart of the first fresh result opens.
    chart = area.open_chart(clinic.patients[1].id)
    qtbot.waitUntil(lambda: chart.patient is not None, timeout=WAIT_MS)
    again = press_ctrl_k(qtbot, window, chart.tabs)
    assert again is dialog
    qtbot.keyClicks(again.query, "nunez")
    qtbot.keyClick(again.query, Qt.Key.Key_Return)
    maria = clinic.patients[0].id
    qtbot.waitUntil(lambda: maria in area.charts, timeout=WAIT_MS)
    assert not again.isVisible()


class ClaimingField(QLineEdit):
    """A field that claims Ctrl+K for itself, as QLineEdit does on Linux and macOS (delete
    to the end of the line) but not on the test platform."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_taken = 0

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_ctrl_k(event):
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress and is_ctrl_k(event):
            self.keys_taken += 1
            return True
        return super().event(event)


def is_ctrl_k(event: QEvent) -> bool:
    return (
        isinstance(event, QKeyEvent)
        and event.key() == Qt.Key.Key_K
        and event.modifiers() == Qt.KeyboardModifier.ControlModifier
    )


def test_ctrl_k_reaches_the_search_past_a_field_that_claims_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_area("schedule")
    area = window.current_area()
    assert area is not None
    field = ClaimingField()
    area.layout().addWidget(field)
    field.setFocus()
    dialog = press_ctrl_k(qtbot, window, field)
    assert field.keys_taken == 0
    qtbot.keyClick(dialog.query, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_ctrl_k_waits_while_the_screen_is_locked_or_a_form_is_open(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_area("today")
    area = window.current_area()
    assert area is not None
    # The lock turns the window's actions off: Ctrl+K then reaches no search.
    window.quick_find_action.setEnabled(False)
    qtbot.keyClick(area, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.quick_find_dialog is None
    window.quick_find_action.setEnabled(True)
    # A modal form (an intake, a booking) blocks the main window: the search would open
    # behind it, out of reach.
    form = QDialog(window)
    form.setModal(True)
    form.show()
    qtbot.waitExposed(form)
    qtbot.keyClick(form, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.quick_find_dialog is None
    form.reject()
    qtbot.keyClick(area, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.quick_find_dialog, QuickFindDialog)


def test_nothing_found_says_so_and_enter_opens_nothing(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_quick_find()
    search(qtbot, dialog, "zzyzx")
    assert dialog.results.count() == 0
    assert "No patient found" in dialog.status.text()
    assert not dialog.open_button.isEnabled()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert dialog.isVisible()


def test_the_best_named_chart_comes_first_then_the_one_with_a_request_open(
    context: ServiceContext,
) -> None:
    # Issue #16: "seán o'connor" listed Ciarán Seán O'Connor (his middle name) first, and
    # Enter opened his chart instead of Seán Patrick O'Connor's.
    for first, middle, born in [
        ("Ciarán", "Seán", "1950-01-01"),
        ("Seán", "Patrick", "1960-01-01"),
    ]:
        create_patient(context, PatientForm(first, "O'Connor", born, middle_name=middle))
    page = quick_find(context, "seán o'connor")
    assert [result.patient.display_name for result in page.items] == [
        "O'Connor, Seán Patrick",
        "O'Connor, Ciarán Seán",
    ]
    # Two charts equally well named: the caller is more likely the one with a request open.
    twin = create_patient(
        context,
        PatientForm("Seán", "O'Connor", "1990-01-01", middle_name="Thomas"),
        allow_duplicates=True,
    )
    intake.create_request(context, maria_intake(patient_id=twin.id))
    first, *_ = quick_find(context, "seán o'connor").items
    assert first.patient.id == twin.id


def test_a_line_names_the_matched_phone_and_every_open_state(context: ServiceContext) -> None:
    # Issue #16: "4027" showed the mobile (331) 336-7812 though the home phone had matched,
    # and "2 open requests (New)" hid the one awaiting records.
    chart = create_patient(
        context,
        PatientForm(
            "Tomás", "Reyes", "1970-02-02", mobile_phone="331-336-7812", home_phone="331-555-4027"
        ),
    )
    older = intake.create_request(context, maria_intake(patient_id=chart.id))
    intake.create_request(context, maria_intake(patient_id=chart.id))
    states.transition(context, older.id, RequestState.AWAITING_RECORDS)
    page = quick_find(context, "4027")
    who, facts = page.items[0].lines(page.zone)
    assert "(331) 555-4027" in who and "336-7812" not in who
    assert "2 open requests: New, Awaiting records" in facts


def test_four_digits_list_the_phones_ending_so_before_the_chart_numbered_so(
    qtbot: QtBot, window: MainWindow, context: ServiceContext
) -> None:
    # Story 9 walk: with 12,000 charts "4027" also is MRN M0004027, which came first, and
    # Enter opened a stranger's chart while the hint said "phone ending 4027".
    numbered = create_patient(context, PatientForm("Jamal", "Okafor", "7/21/1935"))
    digits = numbered.mrn[-4:]  # "M0000123": "0123" is its number as well as a phone's end
    create_patient(
        context, PatientForm("Irena", "Kowalczyk", "1/15/1944", home_phone=f"402-555-{digits}")
    )
    # A request open on the chart numbered so does not lift it above the phone's owner.
    intake.create_request(context, maria_intake(patient_id=numbered.id))
    window.show_area("today")
    today = window.current_area()
    assert today is not None
    dialog = press_ctrl_k(qtbot, window, today)
    search(qtbot, dialog, digits)
    texts = [dialog.results.item(row).text() for row in range(dialog.results.count())]
    assert "Kowalczyk" in texts[0] and "Okafor" in texts[1], texts
    assert f"or MRN {numbered.mrn}" in dialog.status.text()


def test_of_charts_sharing_four_phone_digits_the_one_with_a_request_open_comes_first(
    context: ServiceContext,
) -> None:
    # Story 9 walk: "4027" found three charts; the caller, whose request is open, was listed
    # last, and Enter opened someone else's chart. Phones rank as names do.
    charts = [
        create_patient(context, PatientForm(first, "Reyes", born, home_phone=phone))
        for first, born, phone in [
            ("Ana", "1950-01-01", "217-555-4027"),
            ("Berta", "1960-01-01", "331-555-4027"),
            ("Carla", "1970-01-01", "402-555-4027"),
        ]
    ]
    caller = charts[0]  # listed last by the phone index (its digits read backwards)
    intake.create_request(context, maria_intake(patient_id=caller.id))
    page = quick_find(context, "4027")
    assert len(page.items) == 3
    assert page.items[0].patient.id == caller.id
    assert page.items[0].open_requests is not None
