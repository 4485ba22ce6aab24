"""Scenario 3, Friday 10:12: two desks give Thursday 9:00 with Dr. Okafor to two patients at
once. Each desk has its own connection, change watcher and calendar on the one database. One
booking succeeds; the other desk hears "that time was just booked", her calendar refreshes on
its own, and "find next" offers 9:45, which she books. Nobody sees "database is locked"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from frontdesk.db.engine import open_database
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.services.scheduling import calendars, lookup
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.handouts.patient_picker import PatientPicker
from frontdesk.ui.scheduling.area import ScheduleArea
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from tests.conftest import make_actor
from tests.helpers.screens import QT_NOISE, open_screen
from tests.scenarios.conftest import WAIT_MS
from tests.scheduling.conftest import Practice, at, make_practice, next_weekday

pytestmark = QT_NOISE


@dataclass
class Desk:
    context: ServiceContext
    hub: ChangeHub
    area: ScheduleArea


@pytest.fixture
def clinic(context: ServiceContext) -> Practice:
    return make_practice(context, patient_count=3)


@pytest.fixture
def desks(qtbot: QtBot, database_url: str, clinic: Practice) -> Iterator[tuple[Desk, Desk]]:
    """Two workstations: their own database connections, users, watchers and screens."""
    thursday = next_weekday(3)
    with ExitStack() as stack:
        made: list[Desk] = []
        for name in ("desk.anna", "desk.ben"):
            database = open_database(database_url)
            stack.callback(database.dispose)
            context = make_context(database, make_actor(Role.FRONT_DESK, name))
            hub = ChangeHub(context, watch_other_workstations=True)
            hub.start()
            stack.callback(hub.stop)
            assert hub.wait_until_watching(10)
            screen = stack.enter_context(open_screen(context, hub))
            area = ScheduleArea(screen)
            qtbot.addWidget(area)
            area.resize(1200, 700)
            area.show()
            qtbot.waitExposed(area)
            qtbot.waitUntil(lambda area=area: area.data is not None, timeout=WAIT_MS)
            with qtbot.waitSignal(area.calendar_loaded, timeout=WAIT_MS):
                area.show_day(thursday, clinic.okafor)
            made.append(Desk(context, hub, area))
        yield made[0], made[1]


def open_booking_at_nine(qtbot: QtBot, desk: Desk, clinic: Practice, day: date) -> BookDialog:
    """Keyboard on the calendar: the cursor on Okafor's 9:00, Enter opens the booking form."""
    area = desk.area
    layout = area.canvas.layout_
    assert layout is not None
    column = next(c for c in layout.columns if c.provider_id == clinic.okafor and c.day == day)
    area.canvas.setFocus()
    area.canvas.cursor = (column.index, 9 * 60)
    qtbot.keyClick(area.canvas, Qt.Key.Key_Return)
    dialog = area.dialog
    assert isinstance(dialog, BookDialog)
    qtbot.waitUntil(lambda: dialog.ready, timeout=WAIT_MS)
    return dialog


def pick_patient(qtbot: QtBot, dialog: BookDialog, name: str) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # C&hoose…
    qtbot.waitUntil(lambda: isinstance(dialog.picker, PatientPicker), timeout=WAIT_MS)
    picker = dialog.picker
    assert isinstance(picker, PatientPicker)
    qtbot.waitUntil(picker.isVisible, timeout=WAIT_MS)
    with qtbot.waitSignal(picker.results_shown, timeout=WAIT_MS):
        qtbot.keyClicks(picker.search_box, name)
    with qtbot.waitSignal(picker.chosen, timeout=WAIT_MS):
        qtbot.keyClick(picker.search_box, Qt.Key.Key_Return)


def test_scenario_3_two_desks_one_slot_the_second_books_the_next_free_time(
    qtbot: QtBot, desks: tuple[Desk, Desk], clinic: Practice, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer_yes(_parent: object, _title: str, text: str, *_rest: object) -> object:
        asked.append(text)  # "Book … at 9:45?": she says yes
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    anna, ben = desks
    thursday = next_weekday(3)
    consultation = clinic.type_id("New consultation")  # 45 minutes
    forms = []
    for desk, name in ((anna, "O'Connor"), (ben, "Nguy")):
        dialog = open_booking_at_nine(qtbot, desk, clinic, thursday)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
        pick_patient(qtbot, dialog, name)
        dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(consultation))
        qtbot.keyClicks(dialog.reason_edit, "New consultation")
        assert dialog.start_edit.text() == "09:00"
        forms.append(dialog)
    first, second = forms

    # Anna saves first (Ctrl+S): booked.
    first.activateWindow()
    qtbot.waitUntil(first.isActiveWindow, timeout=WAIT_MS)
    with qtbot.waitSignal(first.booked, timeout=WAIT_MS) as booked:
        qtbot.keyClick(first.reason_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    winner = booked.args[0]
    assert winner.start == at(thursday, 9)

    # Ben saves a moment later: "just booked", his form kept.
    second.activateWindow()
    qtbot.waitUntil(second.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(second.reason_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "just booked" in second.banner.text, timeout=WAIT_MS)
    assert second.isVisible() and second.reason_edit.text() == "New consultation"
    assert "locked" not in second.banner.text.lower()

    # His calendar refreshes on its own: Anna's booking is painted there.
    qtbot.waitUntil(
        lambda: ben.area.canvas.appointment_rect(winner.id) is not None, timeout=WAIT_MS
    )
    for desk in (anna, ben):
        assert "locked" not in desk.area.banner.text.lower()

    # "Find the next free time" offers 9:45 first; Enter books it.
    second.banner.action.click()
    finder = second.finder
    assert isinstance(finder, FindSlotDialog)
    qtbot.waitUntil(lambda: bool(finder.slots), timeout=WAIT_MS)
    assert finder.slots[0].start == at(thursday, 9, 45)
    assert finder.slots[0].provider_id == clinic.okafor
    finder.table.setFocus()
    finder.table.selectRow(0)
    with qtbot.waitSignal(finder.booked, timeout=WAIT_MS):
        qtbot.keyClick(finder.table, Qt.Key.Key_Return)
    day = calendars.day_appointments(anna.context, thursday)
    okafor = sorted((a.start, a.patient_id) for a in day if a.provider_id == clinic.okafor)
    assert okafor == [
        (at(thursday, 9), clinic.patients[1].id),
        (at(thursday, 9, 45), clinic.patients[2].id),
    ]
    assert lookup.get_appointment(ben.context, winner.id).appointment.start == at(thursday, 9)
