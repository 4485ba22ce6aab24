"""The intake by keyboard, as a tester walked scenarios 1, 6 and 9: each Alt+letter reaches its
field, Down then Enter links a match from the name, a red flag on a chart with an open request
is offered only as a new urgent request, and the red-flag note stays true of what is saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.request_states import RedFlag, Urgency
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, linking, reading
from frontdesk.services.requests.data import RequestData
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import (
    FLAGGED_NOTE,
    UNFLAGGED_ROUTINE_NOTE,
    UNFLAGGED_URGENT_NOTE,
    IntakeDialog,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import focus_target
from tests.helpers.intake import type_call
from tests.helpers.mnemonics import alt_letter, mnemonic_problems, visible_mnemonics
from tests.helpers.screens import QT_NOISE
from tests.requests.conftest import maria_intake
from tests.requests.test_requests_ui import open_intake
from tests.scenarios.conftest import WAIT_MS

pytestmark = QT_NOISE
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier


def _active(qtbot: QtBot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def _press_alt(qtbot: QtBot, letter: str) -> QWidget | None:
    """Alt+letter where the focus is, as a person presses it; the widget focused after."""
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key(ord(letter)), ALT)
    return QApplication.focusWidget()


def _link_by_keys(qtbot: QtBot, dialog: IntakeDialog) -> None:
    """Type the start of her name; Enter in the matches links the first chart (the way to
    them from the name has a test of its own)."""
    qtbot.keyClicks(dialog.last_name, "nunez")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=WAIT_MS)
    dialog.matches.setFocus()
    dialog.matches.setCurrentRow(0)
    qtbot.keyClick(dialog.matches, Qt.Key.Key_Return)
    assert dialog.linked is not None


@pytest.fixture
def first(context: ServiceContext) -> RequestData:
    """Her chart, with the request of her first call still open."""
    return intake.create_request(context, maria_intake())


def test_every_alt_letter_of_the_intake_reaches_a_field_and_none_repeats(
    qtbot: QtBot, screen: ScreenContext, first: RequestData
) -> None:
    dialog = open_intake(qtbot, screen)
    _active(qtbot, dialog)
    _link_by_keys(qtbot, dialog)  # "Unlink" shows: its letter counts too
    assert dialog.unlink_button.isVisible()
    assert mnemonic_problems(dialog) == []
    labels = [
        label
        for label in dialog.findChildren(QLabel)
        if label.isVisibleTo(dialog) and alt_letter(label.text())
    ]
    assert len(labels) >= 15
    for label in labels:
        buddy = label.buddy()
        assert buddy is not None
        if not buddy.isEnabled():
            continue
        dialog.notes.setFocus()
        assert _press_alt(qtbot, alt_letter(label.text())) is focus_target(buddy), label.text()
    assert dialog.linked is not None and dialog.linked.id == first.patient_id


def test_alt_u_then_typing_fills_prior_surgery_and_the_chart_stays_linked(
    qtbot: QtBot, screen: ScreenContext, first: RequestData
) -> None:
    """The walk: Alt+U then "2021" went into Last name and silently unlinked the chart."""
    dialog = open_intake(qtbot, screen)
    _active(qtbot, dialog)
    _link_by_keys(qtbot, dialog)
    last_name = dialog.last_name.text()
    assert _press_alt(qtbot, "U") is dialog.prior_surgery
    qtbot.keyClicks(dialog.prior_surgery, "Y")
    assert dialog.prior_surgery.currentData() is True
    qtbot.keyClick(dialog.prior_surgery, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "2")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "2021")
    assert (dialog.surgery_count.text(), dialog.surgery_year.text()) == ("2", "2021")
    assert dialog.last_name.text() == last_name
    assert dialog.linked is not None and dialog.linked.id == first.patient_id
    # Alt+R did nothing: the picker took no focus itself.
    assert _press_alt(qtbot, "R") is dialog.referrer.edit
    qtbot.keyClicks(dialog.referrer.edit, "Pat")
    assert dialog.referrer.edit.text() == "Pat"


def test_the_intake_letters_do_not_reach_the_main_windows_menus(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path
) -> None:
    """The intake is a window over the main one: Alt+F, E, G, H are its own fields there,
    not the File, Edit, Go and Help menus."""
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    main = MainWindow(screen, settings)
    qtbot.addWidget(main)
    main.resize(1280, 720)
    main.show()
    qtbot.waitExposed(main)
    menus = {alt_letter(action.text()) for action in main.menuBar().actions()}
    assert {"F", "E", "G", "H"} <= menus
    _active(qtbot, main)
    qtbot.keyClick(main, Qt.Key.Key_2, CTRL)
    area = main.current_area()
    assert isinstance(area, RequestsArea)
    qtbot.keyClick(main, Qt.Key.Key_N, CTRL)
    dialog = area.intake
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    _active(qtbot, dialog)
    claimed = visible_mnemonics(dialog)
    for letter in sorted(menus & claimed.keys()):
        [label] = claimed[letter]
        assert isinstance(label, QLabel) and label.buddy() is not None
        assert _press_alt(qtbot, letter) is focus_target(label.buddy()), letter
        assert QApplication.activePopupWidget() is None, letter


def test_down_from_the_name_or_birth_date_reaches_the_matches_and_enter_links(
    qtbot: QtBot, screen: ScreenContext, first: RequestData
) -> None:
    dialog = open_intake(qtbot, screen)
    _active(qtbot, dialog)
    qtbot.keyClicks(dialog.last_name, "nunez")
    qtbot.keyClicks(dialog.first_name, "mar")
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=WAIT_MS)
    qtbot.keyClick(dialog.first_name, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.matches
    assert dialog.matches.currentRow() == 0
    qtbot.keyClick(dialog.matches, Qt.Key.Key_Return)
    assert dialog.linked is not None and dialog.linked.id == first.patient_id
    assert QApplication.focusWidget() is dialog.phone
    # Typing a birth date over it unlinks; Down from there offers the charts again.
    dialog.date_of_birth.setFocus()
    dialog.date_of_birth.selectAll()
    qtbot.keyClicks(dialog.date_of_birth, "03/04/1961")
    assert dialog.linked is None
    qtbot.waitUntil(lambda: dialog.matches.count() > 0, timeout=WAIT_MS)
    qtbot.keyClick(dialog.date_of_birth, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.matches
    qtbot.keyClick(dialog.matches, Qt.Key.Key_Return)
    assert dialog.linked is not None and dialog.linked.id == first.patient_id


def test_down_with_no_match_stays_in_the_field(qtbot: QtBot, screen: ScreenContext) -> None:
    dialog = open_intake(qtbot, screen)
    _active(qtbot, dialog)
    qtbot.keyClicks(dialog.last_name, "Zzyzx")
    qtbot.wait(300)  # the look-up ran and found nothing
    assert dialog.matches.count() == 0
    qtbot.keyClick(dialog.last_name, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is dialog.last_name


def test_check_link_says_a_red_flag_cannot_join_the_open_request(
    context: ServiceContext, first: RequestData
) -> None:
    calm = linking.check_link(context, first.patient_id, maria_intake(patient_id=first.patient_id))
    assert calm.may_add_to_open and calm.not_addable == ""
    flagged = linking.check_link(
        context,
        first.patient_id,
        maria_intake(patient_id=first.patient_id, red_flags=("bladder_bowel",)),
    )
    assert not flagged.may_add_to_open
    assert flagged.not_addable == linking.why_not_added(maria_intake(red_flags=("bladder_bowel",)))
    assert "red flag" in flagged.not_addable


def test_a_red_flag_on_a_chart_with_an_open_request_saves_a_new_urgent_one_on_enter(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, first: RequestData
) -> None:
    dialog = open_intake(qtbot, screen)
    _active(qtbot, dialog)
    type_call(qtbot, dialog, phone="217 555 0188")
    dialog.last_name.clear()
    dialog.first_name.clear()
    dialog.date_of_birth.clear()
    _link_by_keys(qtbot, dialog)
    box = dialog.red_flags.boxes[RedFlag.BLADDER_BOWEL]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    qtbot.keyClick(box, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: dialog.link_dialog is not None, timeout=WAIT_MS)
    question = dialog.link_dialog
    assert question is not None
    qtbot.waitUntil(question.isVisible, timeout=WAIT_MS)
    assert not question.add_button.isVisible()
    assert question.new_button.isDefault() and question.new_button.hasFocus()
    assert "urgent" in question.new_button.text()
    assert question.why_new.isVisible() and "red flag" in question.why_new.text().lower()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(question, Qt.Key.Key_Return)
    data = saved.args[0]
    assert data.id != first.id and data.urgency is Urgency.URGENT
    assert {r.id for r in reading.requests_for_patient(context, first.patient_id)} == {
        first.id,
        data.id,
    }


def test_the_note_under_the_instruction_stays_true_of_what_is_saved(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    dialog = open_intake(qtbot, screen)
    panel = dialog.red_flags
    box = panel.boxes[RedFlag.BLADDER_BOWEL]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert panel.given_note.text() == FLAGGED_NOTE
    assert dialog.urgent.isChecked() and not dialog.urgent.isEnabled()
    # Unticked by mistake: the instruction stays on screen, the claim does not.
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert panel.instruction_frame.isVisible()
    assert panel.given_note.text() == UNFLAGGED_ROUTINE_NOTE
    assert dialog.urgent.isEnabled() and not dialog.urgent.isChecked()
    # Urgent ticked by hand is said, and a flag ticked and unticked leaves it ticked.
    qtbot.keyClick(dialog.urgent, Qt.Key.Key_Space)
    assert panel.given_note.text() == UNFLAGGED_URGENT_NOTE
    qtbot.keyClick(box, Qt.Key.Key_Space)
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert dialog.urgent.isChecked()
    qtbot.keyClick(dialog.urgent, Qt.Key.Key_Space)
    # The tester's walk: tick, untick, "I asked every question… said no", save.
    qtbot.keyClick(panel.all_asked, Qt.Key.Key_Space)
    assert panel.given_note.text() == UNFLAGGED_ROUTINE_NOTE
    assert "marked urgent" not in panel.given_note.text()
    type_call(qtbot, dialog)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.save()
    stored = reading.get_request(context, saved.args[0].id).request
    assert stored.urgency is Urgency.ROUTINE
    assert stored.red_flags == () and stored.instruction_given_by == ""
