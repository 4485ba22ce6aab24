"""Phone notes at the desk: Ctrl+Shift+C on a chart logs a call in a few keys (each bad field
said next to it), the call lands on the timeline, and Today's calls to return lists the due
and overdue call-backs until marked done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.db.models_patients import PhoneNote
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.phone_notes import calls_to_return, log_call
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from tests.helpers.screens import QT_NOISE, open_screen
from tests.scheduling.conftest import Practice, make_practice

WAIT_MS = 10_000

pytestmark = QT_NOISE


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=2)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext, hub: ChangeHub) -> Iterator[ScreenContext]:
    with open_screen(context, hub) as screen:
        yield screen


def open_chart(qtbot: QtBot, screen: ScreenContext, patient_id: int) -> PatientChart:
    chart = PatientChart(screen, patient_id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        chart.show()
    qtbot.waitExposed(chart)
    return chart


def test_a_call_is_logged_from_the_chart_in_a_few_keys(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    maria = clinic.patients[0]
    chart = open_chart(qtbot, screen, maria.id)
    qtbot.keyClick(
        chart.tabs,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = chart.phone_note_dialog
    assert isinstance(dialog, PhoneNoteDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)

    # Enter with nothing typed: each missing field says so next to itself.
    qtbot.keyClick(dialog.caller, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.saving, timeout=WAIT_MS)
    assert dialog.fields.message("caller").isVisible()
    assert dialog.fields.message("subject").isVisible()
    assert "who called" in dialog.fields.message("caller").text().lower()
    assert dialog.isVisible()

    qtbot.keyClicks(dialog.caller, "Daughter")
    qtbot.keyClick(dialog.caller, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.subject, "Did the MRI arrive")
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.promised, "Call her back when Valley Imaging sends it")
    qtbot.keyClick(dialog.promised, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.follow_up, "soon")
    qtbot.keyClick(dialog.follow_up, Qt.Key.Key_Tab)
    assert dialog.follow_up_message.isVisible()
    assert "+3" in dialog.follow_up_message.text()
    dialog.follow_up.setFocus()
    dialog.follow_up.selectAll()
    qtbot.keyClicks(dialog.follow_up, "+2")
    assert not dialog.follow_up_message.isVisible()
    assert dialog.follow_up_day.text().startswith("Call back on ")

    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(dialog.follow_up, Qt.Key.Key_Return)
    note = saved.args[0]
    assert note.caller == "Daughter" and note.subject == "Did the MRI arrive"
    assert note.follow_up_on == today(screen.services) + timedelta(days=2)
    qtbot.waitUntil(lambda: chart.phone_note_dialog is None, timeout=WAIT_MS)
    assert "Call from Daughter logged" in chart.banner.text

    # The chart's timeline shows it (it refreshes on the change).
    timeline = chart.timeline
    qtbot.waitUntil(
        lambda: any(event.kind == "call" for event in timeline.model.events), timeout=WAIT_MS
    )
    (event,) = [event for event in timeline.model.events if event.kind == "call"]
    assert event.title == "Phone call from Daughter: Did the MRI arrive"


def test_esc_asks_before_a_typed_call_is_lost(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    chart = open_chart(qtbot, screen, clinic.patients[0].id)
    dialog = chart.log_call()
    assert dialog is not None
    qtbot.keyClicks(dialog.caller, "Pharmacy")
    qtbot.keyClick(dialog.caller, Qt.Key.Key_Escape)
    assert dialog.discard_question is not None
    dialog.discard_question.close()
    assert dialog.isVisible()


@pytest.mark.ui_postgresql
def test_today_lists_calls_to_return_and_marks_one_done(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    context = clinic.context
    maria, sean = clinic.patients[0], clinic.patients[1]
    now = today(context)
    log_call(context, maria.id, PhoneNoteForm("Daughter", "MRI question", follow_up_on=now))
    late = log_call(
        context, sean.id, PhoneNoteForm("Referring office", "Records", follow_up_on=now)
    )
    with context.writing(None) as uow:
        row = uow.session.get(PhoneNote, late.id)
        assert row is not None
        row.follow_up_on = now - timedelta(days=3)
        uow.commit()
    log_call(context, maria.id, PhoneNoteForm("Spouse", "Later", follow_up_on=now + timedelta(5)))

    area = TodayArea(screen)
    qtbot.addWidget(area)
    area.resize(1090, 740)
    with qtbot.waitSignal(area.calls.loaded, timeout=WAIT_MS):
        area.show()
    qtbot.waitUntil(lambda: area.tabs.tabText(2) == "Calls to &return (2)", timeout=WAIT_MS)
    area.tabs.setCurrentWidget(area.calls)
    lines = [area.calls.list.item(row).text() for row in range(area.calls.list.count())]
    assert lines[0].startswith("OVERDUE 3 days")
    assert "O'Connor" in lines[0] and "Referring office called" in lines[0]
    assert lines[1].startswith("Due today") and "Daughter called" in lines[1]

    with qtbot.waitSignal(area.calls.open_chart_requested, timeout=WAIT_MS) as opened:
        area.calls.chart_button.click()
    assert opened.args == [sean.id]
    # Outside a main window the area opens the chart itself.
    assert isinstance(area.chart, PatientChart) and area.chart.patient_id == sean.id
    area.chart.close()

    # Ctrl+D: the highlighted (oldest) call-back was made; the list reads again.
    area.calls.list.setFocus()
    with qtbot.waitSignal(area.calls.loaded, timeout=WAIT_MS):
        qtbot.keyClick(area.calls.list, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: area.calls.list.count() == 1, timeout=WAIT_MS)
    assert "Daughter called" in area.calls.list.item(0).text()
    # The list may read again (the change hub) before the done call's own message arrives.
    qtbot.waitUntil(lambda: "marked done" in area.calls.banner.text, timeout=WAIT_MS)
    assert [item.note.caller for item in calls_to_return(context).items] == ["Daughter"]
    qtbot.waitUntil(lambda: area.tabs.tabText(2) == "Calls to &return (1)", timeout=WAIT_MS)


def test_no_calls_to_return_says_what_to_do(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice
) -> None:
    area = TodayArea(screen)
    qtbot.addWidget(area)
    with qtbot.waitSignal(area.calls.loaded, timeout=WAIT_MS):
        area.show()
    assert area.calls.pages.currentWidget() is area.calls.empty
    assert not area.calls.done_button.isEnabled()
    assert area.tabs.tabText(2) == "Calls to &return (0)"
