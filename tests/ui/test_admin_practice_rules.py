"""Admin → Practice rules and Handout reviews with real widgets, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from frontdesk.db.models import AuditEntry, Setting
from frontdesk.domain.errors import PermissionDeniedError
from frontdesk.domain.permissions import Role
from frontdesk.services.handouts import library as handouts
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import (
    CALENDAR_EXPORT_FULL_NAMES,
    HANDOUT_REVIEW_MONTHS,
    HANDOUT_TREATMENT_EN,
    HANDOUT_TREATMENT_ES,
    HANDOUT_UNREVIEWED,
    IMAGING_MAX_AGE_MONTHS,
    PAPER_SIZE,
    READY_NEEDS_IMAGES,
    READY_NEEDS_IMAGING_REPORTS,
    READY_NEEDS_OPERATIVE_REPORTS,
    RED_FLAG_INSTRUCTION,
    ROUTINE_REQUEST_LIMIT_DAYS,
    TWO_SIDED,
    URGENT_REQUEST_LIMIT_DAYS,
)
from frontdesk.services.requests import intake as requests_intake
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.handout_reviews import HandoutReviewsPanel
from frontdesk.ui.admin.practice_rules import PracticeRulesPanel
from frontdesk.ui.connection_monitor import saving_gate
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.helpers.screens import open_screen
from tests.requests.conftest import maria_intake

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

NEW_INSTRUCTION = "Hang up and call 911 now. Tell them you have spine symptoms that got worse."


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context) as screen:
        yield screen


@pytest.fixture
def desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.john"))


def open_panel(qtbot: QtBot, screen: ScreenContext) -> PracticeRulesPanel:
    panel = PracticeRulesPanel(screen)
    qtbot.addWidget(panel)
    panel.resize(1000, 900)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
    return panel


def saved_and_wait(qtbot: QtBot, panel: PracticeRulesPanel) -> None:
    qtbot.waitUntil(lambda: not panel.saving and panel.banner.kind != "info", timeout=10_000)


def stored(context: ServiceContext) -> tuple[int, int]:
    """Setting rows and audit entries: both stay the same when nothing was saved."""
    with context.database.read_sessions() as session:
        rows = session.scalar(select(func.count()).select_from(Setting)) or 0
        entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return rows, entries


def spin(panel: PracticeRulesPanel, key: str) -> QSpinBox:
    editor = panel.settings[key].editor
    assert isinstance(editor, QSpinBox)
    return editor


def type_number(qtbot: QtBot, box: QSpinBox, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


# --- the form ---------------------------------------------------------------------------------


def test_each_setting_has_the_widget_its_kind_needs_with_help_and_default(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    panel = open_panel(qtbot, screen)
    assert set(panel.settings) == {
        RED_FLAG_INSTRUCTION.key,
        URGENT_REQUEST_LIMIT_DAYS.key,
        ROUTINE_REQUEST_LIMIT_DAYS.key,
        IMAGING_MAX_AGE_MONTHS.key,
        PAPER_SIZE.key,
        TWO_SIDED.key,
        CALENDAR_EXPORT_FULL_NAMES.key,
        READY_NEEDS_OPERATIVE_REPORTS.key,
        READY_NEEDS_IMAGING_REPORTS.key,
        READY_NEEDS_IMAGES.key,
        HANDOUT_REVIEW_MONTHS.key,
        HANDOUT_UNREVIEWED.key,
        HANDOUT_TREATMENT_EN.key,
        HANDOUT_TREATMENT_ES.key,
    }
    texts = [label.text() for label in panel.findChildren(QLabel)]
    for heading in ("Consultation requests", "Imaging", "Printing", "Calendar export", "Handouts"):
        assert heading in texts
    unreviewed = panel.settings[HANDOUT_UNREVIEWED.key].editor
    assert isinstance(unreviewed, QComboBox)
    assert [unreviewed.itemText(i) for i in range(unreviewed.count())] == [
        "Prints with a 'Draft: not yet reviewed' mark",
        "Cannot be given until it is reviewed",
    ]
    assert spin(panel, HANDOUT_REVIEW_MONTHS.key).value() == 12

    instruction = panel.settings[RED_FLAG_INSTRUCTION.key]
    assert isinstance(instruction.editor, QPlainTextEdit)
    assert instruction.editor.toPlainText() == RED_FLAG_INSTRUCTION.default
    assert instruction.counter.text() == f"{len(RED_FLAG_INSTRUCTION.default)} of 1000 characters"
    urgent = spin(panel, URGENT_REQUEST_LIMIT_DAYS.key)
    assert urgent.value() == 1 and urgent.suffix() == " business day"
    urgent.stepBy(-5)
    assert urgent.value() == 1  # the arrows stay within the spec's range
    urgent.stepBy(100)
    assert urgent.value() == 30 and urgent.suffix() == " business days"
    assert spin(panel, IMAGING_MAX_AGE_MONTHS.key).value() == 12
    paper = panel.settings[PAPER_SIZE.key].editor
    assert isinstance(paper, QComboBox)
    assert [paper.itemData(i) for i in range(paper.count())] == ["letter", "a4"]
    assert paper.currentText() == "US Letter"
    names = panel.settings[CALENDAR_EXPORT_FULL_NAMES.key].editor
    assert isinstance(names, QCheckBox) and not names.isChecked()

    hints = " ".join(texts)
    assert "From 1 to 30 business days. Default: 1 business day." in hints
    assert "From 1 to 120 months. Default: 12 months." in hints
    assert PAPER_SIZE.help + " Default: US Letter." in hints
    assert "Default: off." in hints
    assert "Default: “Please go to the nearest emergency department now" in hints
    for key in panel.settings:
        assert panel.settings[key].editor.accessibleName()


def test_a_new_red_flag_instruction_is_what_the_intake_form_shows_and_records(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = open_panel(qtbot, screen)
    editor = panel.settings[RED_FLAG_INSTRUCTION.key].editor
    assert isinstance(editor, QPlainTextEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, NEW_INSTRUCTION)
    assert panel.has_unsaved_changes() and panel.undo_button.isEnabled()
    assert panel.settings[RED_FLAG_INSTRUCTION.key].restore_button.isEnabled()
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved_and_wait(qtbot, panel)
    assert panel.banner.kind == "success", panel.banner.text
    assert not panel.has_unsaved_changes()
    assert settings.get_setting(context, RED_FLAG_INSTRUCTION) == NEW_INSTRUCTION

    intake = IntakeDialog(screen)
    qtbot.addWidget(intake)
    qtbot.waitUntil(lambda: intake.red_flags.instruction.text() == NEW_INSTRUCTION, timeout=10_000)
    request = requests_intake.create_request(context, maria_intake(red_flags=("bladder_bowel",)))
    assert request.red_flag_instruction == NEW_INSTRUCTION


def test_a_limit_out_of_range_is_marked_next_to_it_and_nothing_is_saved(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = open_panel(qtbot, screen)
    before = stored(context)
    paper = panel.settings[PAPER_SIZE.key].editor
    assert isinstance(paper, QComboBox)
    paper.setCurrentIndex(paper.findData("a4"))  # a good change saved with it, or not at all
    urgent = spin(panel, URGENT_REQUEST_LIMIT_DAYS.key)
    type_number(qtbot, urgent, "45")
    assert urgent.value() == 45  # kept as typed, not silently cut to 30
    qtbot.keyClick(urgent, Qt.Key.Key_Return)
    saved_and_wait(qtbot, panel)
    message = panel.fields.message(URGENT_REQUEST_LIMIT_DAYS.key)
    assert message.isVisible() and message.text() == "At most 30"
    assert urgent.accessibleDescription() == "At most 30"
    assert panel.banner.kind == "error"
    assert not panel.fields.message(PAPER_SIZE.key).isVisible()
    assert stored(context) == before
    assert settings.get_setting(context, URGENT_REQUEST_LIMIT_DAYS) == 1
    assert settings.get_setting(context, PAPER_SIZE) == "letter"
    assert urgent.value() == 45 and panel.has_unsaved_changes()  # what was typed stays to correct

    type_number(qtbot, urgent, "0")
    panel.save()
    saved_and_wait(qtbot, panel)
    assert message.text() == "At least 1" and stored(context) == before


def test_paper_size_and_the_calendar_privacy_setting_are_saved_from_the_keyboard(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = open_panel(qtbot, screen)
    paper = panel.settings[PAPER_SIZE.key].editor
    assert isinstance(paper, QComboBox)
    paper.setFocus()
    qtbot.keyClick(paper, Qt.Key.Key_Down)
    assert paper.currentData() == "a4"
    names = panel.settings[CALENDAR_EXPORT_FULL_NAMES.key].editor
    names.setFocus()
    qtbot.keyClick(names, Qt.Key.Key_Space)
    qtbot.keyClick(names, Qt.Key.Key_Return)
    saved_and_wait(qtbot, panel)
    assert panel.banner.kind == "success", panel.banner.text
    assert settings.get_setting(context, PAPER_SIZE) == "a4"
    assert settings.get_setting(context, CALENDAR_EXPORT_FULL_NAMES) is True
    assert settings.get_setting(context, URGENT_REQUEST_LIMIT_DAYS) == 1  # untouched


def test_restore_default_puts_the_default_back_until_saved(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    settings.save_settings(
        context, {ROUTINE_REQUEST_LIMIT_DAYS.key: 7, IMAGING_MAX_AGE_MONTHS.key: 6}
    )
    panel = open_panel(qtbot, screen)
    routine = panel.settings[ROUTINE_REQUEST_LIMIT_DAYS.key]
    assert routine.value() == 7 and routine.restore_button.isEnabled()
    assert not panel.settings[URGENT_REQUEST_LIMIT_DAYS.key].restore_button.isEnabled()
    qtbot.mouseClick(routine.restore_button, Qt.MouseButton.LeftButton)
    assert routine.value() == 3 and not routine.restore_button.isEnabled()
    assert panel.has_unsaved_changes()
    assert settings.get_setting(context, ROUTINE_REQUEST_LIMIT_DAYS) == 7  # not yet saved
    panel.save()
    saved_and_wait(qtbot, panel)
    assert settings.get_setting(context, ROUTINE_REQUEST_LIMIT_DAYS) == 3
    assert settings.get_setting(context, IMAGING_MAX_AGE_MONTHS) == 6


def test_escape_asks_before_discarding_and_only_when_something_changed(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = open_panel(qtbot, screen)
    urgent = spin(panel, URGENT_REQUEST_LIMIT_DAYS.key)
    monkeypatch.setattr(panel, "confirm_discard", lambda: pytest.fail("nothing to discard"))
    qtbot.keyClick(urgent, Qt.Key.Key_Escape)
    assert panel.can_close()

    answers = [False, True]
    monkeypatch.setattr(panel, "confirm_discard", lambda: answers.pop(0))
    type_number(qtbot, urgent, "2")
    qtbot.keyClick(urgent, Qt.Key.Key_Escape)
    assert urgent.value() == 2 and panel.has_unsaved_changes()  # kept
    qtbot.keyClick(urgent, Qt.Key.Key_Escape)
    assert urgent.value() == 1 and not panel.has_unsaved_changes()  # discarded
    assert answers == []


def test_saving_waits_while_the_server_is_unreachable(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = open_panel(qtbot, screen)
    before = stored(context)
    type_number(qtbot, spin(panel, IMAGING_MAX_AGE_MONTHS.key), "18")
    saving_gate().set_allowed(False, "test outage")
    try:
        assert not panel.save_button.isEnabled()
        qtbot.keyClick(spin(panel, IMAGING_MAX_AGE_MONTHS.key), Qt.Key.Key_Return)
        assert "Saving is paused" in panel.banner.text
        assert not panel.saving and stored(context) == before
        assert spin(panel, IMAGING_MAX_AGE_MONTHS.key).value() == 18
    finally:
        saving_gate().set_allowed(True)
    assert panel.save_button.isEnabled()
    panel.save()
    saved_and_wait(qtbot, panel)
    assert settings.get_setting(context, IMAGING_MAX_AGE_MONTHS) == 18


def test_front_desk_staff_see_the_practice_rules_read_only(
    qtbot: QtBot, context: ServiceContext, desk: ServiceContext
) -> None:
    settings.save_settings(context, {URGENT_REQUEST_LIMIT_DAYS.key: 2})
    runner = Runner()
    try:
        area = AdminArea(ScreenContext(desk, runner))
        qtbot.addWidget(area)
        titles = [area.tabs.tabText(index) for index in range(area.tabs.count())]
        assert "Practice rules" in titles and "Handout reviews" in titles
        panel = area.practice_rules
        qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
        assert panel.settings[URGENT_REQUEST_LIMIT_DAYS.key].value() == 2
        assert "Only an administrator" in panel.banner.text
        assert panel.save_button.isHidden() and panel.undo_button.isHidden()
        for field in panel.settings.values():
            assert field.restore_button.isHidden()
            if isinstance(field.editor, QPlainTextEdit | QSpinBox):
                assert field.editor.isReadOnly()
            else:
                assert not field.editor.isEnabled()
        panel.save()  # Enter or Ctrl+S from a read-only form does nothing
        assert not panel.saving
    finally:
        runner.wait_for_idle()
    with pytest.raises(PermissionDeniedError):
        settings.save_settings(desk, {URGENT_REQUEST_LIMIT_DAYS.key: 5})
    assert settings.get_setting(context, URGENT_REQUEST_LIMIT_DAYS) == 2


# --- handout reviews --------------------------------------------------------------------------


def practice_handout(handout_id: str, title: str, reviewed: str, due: str) -> str:
    return f"""id: {handout_id}
title: {title}
language: en
version: 2
last reviewed: {reviewed}
reviewer: Dr. Ana Lindqvist
review due: {due}
categories: Failed back / failed fusion syndrome
---
# Walk every day
Walk a little every day. Call {{practice_name}} at {{phones}} if it hurts more.
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of this test's own, so the practice's handouts stay in this test."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FRONTDESK_HOME", str(folder))
    return folder


def test_the_review_list_puts_drafts_first_and_a_recorded_review_clears_one(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, home: Path
) -> None:
    folder = handouts.create_practice_folder()
    (folder / "own-walking.en.txt").write_text(
        practice_handout("own-walking", "Walking after surgery", "2026-06-01", "2026-12-20"),
        encoding="utf-8",
    )
    panel = HandoutReviewsPanel(screen, today=lambda: dt.date(2026, 12, 1))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
    rows = panel.model.records
    assert len(rows) == 13 and all(row.standing.is_draft for row in rows)
    # What the file says about its review does not count: nothing is recorded yet.
    assert panel.counts.text() == "13 handouts · 13 not reviewed · none overdue."
    walking = next(i for i, r in enumerate(rows) if r.standing.handout_id == "own-walking")
    assert [panel.model.index(walking, column).data() for column in range(6)] == [
        "Walking after surgery",
        "English",
        "2",
        "Draft: not reviewed",
        "—",
        "",
    ]
    assert (
        panel.model.index(walking, 0)
        .data(Qt.ItemDataRole.ToolTipRole)
        .startswith(
            "<p style='white-space:pre-wrap'>Walking after surgery<br>The practice's file: "
        )
    )
    assert str(folder) in panel.folder_label.text()

    panel.table.selectRow(walking)
    dialog = panel.record_selected()
    assert dialog is not None
    qtbot.keyClicks(dialog.reviewer, "Dr. Ana Lindqvist")
    dialog.reviewed_on.setText("11/30/2026")
    dialog.evidence.setPlainText("AAOS walking guidance, checked line by line.")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.record is not None, timeout=10_000)
    qtbot.waitUntil(lambda: panel.counts.text().startswith("13 handouts · 12 not"), timeout=10_000)
    row = next(r for r in panel.model.records if r.standing.handout_id == "own-walking")
    assert row.state_text == "Reviewed; due 11/30/2027"
    assert row is panel.model.records[-1]  # the reviewed ones go last
    last = panel.model.rowCount() - 1
    assert panel.model.index(last, 4).data() == "11/30/2026"
    assert panel.model.index(last, 5).data() == "Dr. Ana Lindqvist"
    assert panel.model.index(last, 6).data() == "AAOS walking guidance, checked line by line."
    assert "Review recorded: Walking after surgery" in panel.banner.text


def test_a_review_without_evidence_is_refused_next_to_the_field(
    qtbot: QtBot, screen: ScreenContext, home: Path
) -> None:
    panel = HandoutReviewsPanel(screen, today=lambda: dt.date(2026, 12, 1))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
    assert panel.counts.text() == "12 handouts · 12 not reviewed · none overdue."
    assert "not made yet" in panel.folder_label.text()
    dialog = panel.record_selected()  # nothing selected: the first row
    assert dialog is not None
    dialog.reviewer.setText("Dr. Ana Lindqvist")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.saving, timeout=10_000)
    assert dialog.record is None and dialog.isVisible()
    assert "what the review was checked against" in dialog.fields.message("evidence").text()
    dialog.done(0)
