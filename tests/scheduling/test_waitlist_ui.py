"""The waitlist screens with real widgets on both databases: adding (and its messages next
to the fields), changing, removing with a reason, and booking who fits a free time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.scheduling import WaitlistUrgency, Weekday
from frontdesk.services.scheduling import booking, waitlist
from frontdesk.services.scheduling.data import BookingForm, WaitlistForm
from frontdesk.ui.scheduling.waitlist_dialogs import (
    AddToWaitlistDialog,
    EditWaitlistDialog,
    WaitlistMatchesDialog,
)
from frontdesk.ui.scheduling.waitlist_panel import RemoveFromWaitlistDialog, WaitlistPanel
from frontdesk.ui.screen_context import ScreenContext
from tests.discard_question import KEEP, answer_discard_question
from tests.scheduling.conftest import Practice, at, next_weekday

WAIT_MS = 10_000

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def open_add(qtbot: QtBot, screen: ScreenContext, **wanted: object) -> AddToWaitlistDialog:
    dialog = AddToWaitlistDialog(screen, **wanted)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
        dialog.show()
    return dialog


def open_panel(qtbot: QtBot, screen: ScreenContext) -> WaitlistPanel:
    panel = WaitlistPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(1000, 500)
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        panel.show()
    return panel


def follow_up_entry(clinic: Practice, patient: int = 1, **changes: object):  # type: ignore[no-untyped-def]
    return waitlist.add_to_waitlist(
        clinic.context,
        WaitlistForm(
            patient_id=clinic.patients[patient].id,
            type_id=clinic.type_id("Follow-up"),
            **changes,  # type: ignore[arg-type]
        ),
    )


def test_a_bad_time_is_shown_next_to_its_field_and_nothing_is_saved(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    dialog = open_add(qtbot, screen, patient_id=clinic.patients[1].id)
    assert "O'Connor, Seán" in dialog.patient_label.text()
    qtbot.keyClicks(dialog.earliest, "25:00")
    qtbot.keyClicks(dialog.latest, "9:00")
    qtbot.keyClick(dialog.latest, Qt.Key.Key_Return)
    message = dialog.fields.message("earliest")
    qtbot.waitUntil(message.isVisible, timeout=WAIT_MS)
    assert "not a time of day" in message.text()
    assert not dialog.fields.message("latest").isVisible()
    assert "Not saved" in dialog.banner.text
    assert dialog.isVisible()
    assert waitlist.list_waitlist(clinic.context) == []


def test_changing_an_entry_someone_else_just_saved_keeps_what_was_typed(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    entry = follow_up_entry(clinic, 1)
    dialog = EditWaitlistDialog(screen, entry)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
        dialog.show()
    # Another desk changes the entry while this dialog is open.
    waitlist.update_waitlist_entry(
        clinic.context,
        entry.id,
        WaitlistForm(patient_id=entry.patient_id, type_id=entry.type_id, note="Called back"),
        expected_version=entry.version,
    )
    dialog.note.setPlainText("Prefers mornings")
    dialog.save()
    qtbot.waitUntil(lambda: "Not saved." in dialog.banner.text, timeout=WAIT_MS)
    assert "What you typed is still here." in dialog.banner.text
    assert dialog.isVisible() and dialog.note.toPlainText() == "Prefers mornings"
    assert dialog.save_button is not None and dialog.save_button.isEnabled()
    stored = waitlist.list_waitlist(clinic.context)
    assert [item.note for item in stored] == ["Called back"]
    dialog.mark_clean()


def test_a_patient_goes_on_the_waitlist_from_the_keyboard_with_their_later_visit(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    later = next_weekday(0) + timedelta(days=14)
    held = booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[1].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("Follow-up"),
            start=at(later, 9),
        ),
    )
    dialog = open_add(qtbot, screen, appointment_id=held.id)
    # The later visit fills in the patient, the type and the provider.
    assert "O'Connor, Seán" in dialog.patient_label.text()
    assert dialog.appointment.currentData() == held.id
    assert dialog.type.currentData() == clinic.type_id("Follow-up")
    assert dialog.provider.currentData() == clinic.okafor
    dialog.urgency.setFocus()
    qtbot.keyClicks(dialog.urgency, "U")
    for day in (Weekday.MONDAY, Weekday.THURSDAY):
        qtbot.keyClick(dialog.day_boxes[day], Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.earliest, "8:00")
    qtbot.keyClicks(dialog.latest, "12pm")
    qtbot.keyClicks(dialog.note, "Can come at short notice")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    entry = saved.args[0]
    assert entry.urgency is WaitlistUrgency.URGENT
    assert entry.preference.weekdays == (Weekday.MONDAY, Weekday.THURSDAY)
    assert (entry.preference.earliest, entry.preference.latest) == (8 * 60, 12 * 60)
    assert entry.appointment_id == held.id and entry.note == "Can come at short notice"
    assert [e.id for e in waitlist.list_waitlist(clinic.context)] == [entry.id]


def test_escape_asks_before_discarding_what_was_typed(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    dialog = open_add(qtbot, screen, patient_id=clinic.patients[1].id)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.discard_question is None and not dialog.isVisible()  # nothing typed
    dialog = open_add(qtbot, screen, patient_id=clinic.patients[1].id)
    qtbot.keyClicks(dialog.earliest, "9:00")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    answer_discard_question(dialog, KEEP)
    assert dialog.isVisible() and dialog.earliest.text() == "9:00"


def test_the_panel_filters_changes_and_removing_needs_a_reason(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    sean = follow_up_entry(clinic, 1, urgency="urgent", provider_id=clinic.okafor)
    hoa = follow_up_entry(clinic, 2)
    panel = open_panel(qtbot, screen)
    assert [row.id for row in panel.model.rows] == [sean.id, hoa.id]
    assert panel.count_label.text() == "2 waiting"
    panel.urgency.setCurrentIndex(panel.urgency.findData("urgent"))
    assert [row.id for row in panel.model.rows] == [sean.id]
    # "Any provider" entries stay under a provider filter: they would take that provider.
    panel.urgency.setCurrentIndex(0)
    panel.provider.setCurrentIndex(panel.provider.findData(clinic.lindqvist))
    assert [row.id for row in panel.model.rows] == [hoa.id]
    panel.provider.setCurrentIndex(0)

    # Change: Enter on the highlighted row opens it with the entry's values.
    panel.table.selectRow(1)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    edit = panel.dialog
    assert edit is not None
    qtbot.waitUntil(lambda: edit.choices is not None, timeout=WAIT_MS)
    assert edit.urgency.currentData() == "routine"
    edit.urgency.setCurrentIndex(edit.urgency.findData("soon"))
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        edit.save()
    assert [row.urgency.value for row in panel.model.rows] == ["urgent", "soon"]

    # Remove: no reason, no removal; the message sits next to the reason field.
    panel.table.selectRow(0)
    panel.remove_button.click()
    dialog = panel.dialog
    assert isinstance(dialog, RemoveFromWaitlistDialog)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    message = dialog.fields.message("reason")
    qtbot.waitUntil(message.isVisible, timeout=WAIT_MS)
    assert "say why" in message.text().lower()
    assert dialog.isVisible()
    assert {e.id for e in waitlist.list_waitlist(clinic.context)} == {sean.id, hoa.id}
    qtbot.keyClicks(dialog.reason, "Booked with another practice")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert [e.id for e in waitlist.list_waitlist(clinic.context)] == [hoa.id]
    assert [row.id for row in panel.model.rows] == [hoa.id]
    assert "off the waitlist" in panel.banner.text
    panel.include_closed.setChecked(True)
    qtbot.waitUntil(lambda: len(panel.model.rows) == 2, timeout=WAIT_MS)
    closed = next(row for row in panel.model.rows if row.id == sean.id)
    assert panel.model.cell(closed, 9) == "Removed: Booked with another practice"


def test_an_empty_waitlist_says_what_it_is_for(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    panel = open_panel(qtbot, screen)
    assert panel.stack.currentWidget() is panel.empty
    assert not panel.edit_button.isEnabled() and not panel.remove_button.isEnabled()


def test_the_waitlist_model_passes_the_qt_model_tester(
    qtbot: QtBot, qtmodeltester: object, screen: ScreenContext, clinic: Practice
) -> None:
    follow_up_entry(clinic, 1, urgency="urgent")
    follow_up_entry(clinic, 2)
    panel = open_panel(qtbot, screen)
    assert panel.model.rowCount() == 2
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]


def test_who_fits_a_free_time_is_listed_and_booked(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    sean = follow_up_entry(clinic, 1, urgency="urgent")
    follow_up_entry(clinic, 2, weekdays=("tue",))  # never on a Thursday
    dialog = WaitlistMatchesDialog(
        screen,
        provider_id=clinic.okafor,
        location_id=clinic.main_office,
        start=at(thursday, 10),
        end=at(thursday, 10, 30),
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
        dialog.show()
    assert "Okafor" in dialog.title.text() and "Main office" in dialog.title.text()
    assert [m.entry.id for m in dialog.table.matches] == [sean.id]
    assert dialog.book_button.isEnabled()
    with qtbot.waitSignal(dialog.booked, timeout=WAIT_MS) as booked:
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    data = booked.args[0]
    assert data.patient_id == clinic.patients[1].id and data.start == at(thursday, 10)
    assert data.location_id == clinic.main_office
    assert sean.id not in [e.id for e in waitlist.list_waitlist(clinic.context)]


def test_a_free_time_nobody_fits_says_so(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    thursday = next_weekday(3)
    follow_up_entry(clinic, 2, weekdays=("tue",))
    dialog = WaitlistMatchesDialog(
        screen,
        provider_id=clinic.okafor,
        location_id=None,
        start=at(thursday, 10),
        end=at(thursday, 10, 30),
    )
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS):
        dialog.show()
    assert dialog.empty.isVisible() and not dialog.table.isVisible()
    assert not dialog.book_button.isEnabled()
