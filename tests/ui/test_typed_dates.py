"""Birth dates as receptionists type them, in the intake and the patient form (finding 6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from frontdesk.services.requests import intake, reading
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import MAX_MATCHES, IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import FieldMessage
from tests.requests.conftest import maria_intake

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def open_intake(qtbot: QtBot, screen: ScreenContext) -> IntakeDialog:
    dialog = IntakeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def open_editor(qtbot: QtBot, screen: ScreenContext) -> PatientEditor:
    editor = PatientEditor(screen, None)
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitActive(editor)
    return editor


def type_and_leave(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)


def assert_says_at_once(qtbot: QtBot, edit: QLineEdit, message: FieldMessage) -> None:
    """An unreadable date is named next to its field on leaving it, and the message goes
    as soon as the typed text reads as a date."""
    type_and_leave(qtbot, edit, "02301961")
    assert message.isVisible()
    assert "not a real date" in message.text()
    assert "not a real date" in edit.accessibleDescription()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClicks(edit, "03041961")
    assert not message.isVisible()
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert not message.isVisible()


def test_the_intake_says_at_once_when_a_birth_date_cannot_be_read(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    dialog = open_intake(qtbot, screen)
    assert_says_at_once(qtbot, dialog.date_of_birth, dialog.fields.message("date_of_birth"))


@pytest.mark.parametrize("key", ["date_of_birth", "subscriber_date_of_birth"])
def test_the_patient_form_says_at_once_when_a_date_cannot_be_read(
    qtbot: QtBot, screen: ScreenContext, key: str
) -> None:
    editor = open_editor(qtbot, screen)
    fields = editor.fields
    assert_says_at_once(qtbot, fields.edits[key], fields.fields.message(key))


def test_a_keypad_birth_date_reads_back_and_saves(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    for key, text in (("first_name", "Ana"), ("last_name", "Lopez"), ("date_of_birth", "03041961")):
        type_and_leave(qtbot, editor.fields.edits[key], text)
    assert editor.fields.birth_hint.text().startswith("March 4, 1961")
    editor.save()
    qtbot.waitUntil(lambda: not editor.saving, timeout=10_000)
    found = search(context, "03041961").items
    assert [item.display_name for item in found] == ["Lopez, Ana"]


def test_the_live_matches_keep_the_day_month_swapped_chart_once_the_date_is_typed(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """Scenario 1: "Maria Nunez, 1961-04-03" stays in view for a caller born 3/4/1961, even
    when more charts share the name's start than the list has room for."""
    for number, first in enumerate(["Mara", "Marcela", "Marcia", "Margarita", "Marga", "Mar"]):
        create_patient(context, PatientForm(first, "Nunez", f"1970-01-{number + 10}"))
    for number, first in enumerate(["Maren", "Marcos", "Marco"]):
        create_patient(context, PatientForm(first, "Nunez", f"1980-02-{number + 10}"))
    swapped = create_patient(context, PatientForm("Maria", "Nunez", "1961-04-03"))
    dialog = open_intake(qtbot, screen)
    qtbot.keyClicks(dialog.last_name, "nunez")
    qtbot.keyClicks(dialog.first_name, "mar")
    qtbot.waitUntil(lambda: dialog.matches.count() == MAX_MATCHES, timeout=10_000)

    qtbot.keyClicks(dialog.date_of_birth, "03041961")
    qtbot.waitUntil(lambda: not dialog._timer.isActive(), timeout=10_000)
    screen.runner.wait_for_idle()
    qtbot.waitUntil(
        lambda: (
            dialog.matches.count() > 0
            and dialog.matches.item(0).data(Qt.ItemDataRole.UserRole).id == swapped.id
        ),
        timeout=10_000,
    )
    assert "Nunez, Maria" in dialog.matches.item(0).text()
    assert not dialog.fields.message("date_of_birth").isVisible()


def test_a_follow_up_typed_with_a_two_digit_year_is_the_coming_one(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    created = intake.create_request(context, maria_intake())
    area = RequestsArea(screen)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)
    area.table.selectRow(0)
    qtbot.waitUntil(lambda: area.detail.detail is not None, timeout=10_000)
    next_year = date.today().year + 1
    qtbot.keyClicks(area.detail.follow_up, f"1/5/{next_year % 100:02d}")
    qtbot.keyClick(area.detail.follow_up, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: reading.get_request(context, created.id).request.follow_up_on is not None,
        timeout=10_000,
    )
    saved = reading.get_request(context, created.id).request.follow_up_on
    assert saved == date(next_year, 1, 5)
