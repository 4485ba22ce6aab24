"""The patient form: messages next to fields, duplicates, age check, conflicts, Esc and Enter."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.db.engine import Database
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.referrers import ReferrerForm
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.referrer_picker import ReferrerListModel
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor

# The offscreen platform the tests run on cannot do these; a real desktop can.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def open_editor(
    qtbot: QtBot, screen: ScreenContext, patient: PatientData | None = None
) -> PatientEditor:
    editor = PatientEditor(screen, patient)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def fill(qtbot: QtBot, editor: PatientEditor, **values: str) -> None:
    for key, text in values.items():
        edit = editor.fields.edits[key]
        edit.setFocus()
        edit.selectAll()
        if text.isascii():
            qtbot.keyClicks(edit, text)
        else:  # QTest types ASCII only; other text arrives as if pasted
            edit.insert(text)


def save_and_wait(qtbot: QtBot, editor: PatientEditor) -> None:
    editor.save()
    qtbot.waitUntil(lambda: not editor.saving, timeout=10_000)


def charts_born(context: ServiceContext, born: str) -> list[str]:
    return [item.display_name for item in search(context, born).items]


def test_a_bad_phone_is_explained_next_to_the_phone_and_nothing_is_saved(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(
        qtbot,
        editor,
        first_name="Maria",
        last_name="Nunez",
        date_of_birth="3/4/1961",
        mobile_phone="555-12",
    )
    save_and_wait(qtbot, editor)

    message = editor.fields.fields.message("mobile_phone")
    assert message.isVisibleTo(editor)
    assert "phone" in message.text().lower()
    assert not editor.fields.fields.message("first_name").isVisibleTo(editor)
    assert editor.banner.text.startswith("Not saved")
    assert editor.fields.edits["mobile_phone"].hasFocus()
    assert editor.isVisible()
    assert charts_born(context, "3/4/1961") == []


def test_enter_saves_a_valid_form_trimmed_with_phones_in_national_format(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(
        qtbot,
        editor,
        first_name="  Seán ",
        last_name="O'Connor",
        date_of_birth="9/17/1958",
        mobile_phone="217.555.0142",
    )
    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        qtbot.keyClick(editor.fields.edits["last_name"], Qt.Key.Key_Return)
    patient = saved.args[0]
    assert (patient.first_name, patient.last_name) == ("Seán", "O'Connor")
    assert patient.mobile_phone == "+12175550142"
    assert editor.result() == QDialog.DialogCode.Accepted

    again = open_editor(qtbot, screen, patient)
    assert again.fields.edits["mobile_phone"].text() == "(217) 555-0142"
    assert again.fields.edits["date_of_birth"].text() == "09/17/1958"


def test_likely_duplicates_are_shown_side_by_side_and_create_anyway_creates(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    existing = create_patient(
        context, PatientForm(first_name="Maria", last_name="Nunez", date_of_birth="3/4/1961")
    )
    editor = open_editor(qtbot, screen)
    fill(
        qtbot,
        editor,
        first_name="María José",
        last_name="Núñez-García",
        date_of_birth="03/04/1961",
    )
    save_and_wait(qtbot, editor)

    dialog = editor.duplicates
    assert dialog is not None and dialog.isVisible()
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert dialog.model.titles == ["New entry (not saved)", f"Existing chart {existing.mrn}"]
    assert dialog.model.cell(0, 0) == "Núñez-García, María José"
    assert dialog.model.cell(0, 1) == "Nunez, Maria"
    assert dialog.model.cell(5, 1) == existing.mrn
    assert "same date of birth" in dialog.model.cell(6, 1)
    assert charts_born(context, "1961-03-04") == ["Nunez, Maria"]

    with qtbot.waitSignal(editor.saved, timeout=10_000):
        dialog.create_button.click()
    assert sorted(charts_born(context, "1961-03-04")) == [
        "Nunez, Maria",
        "Núñez-García, María José",
    ]


def test_open_existing_opens_that_chart_and_creates_nothing(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    existing = create_patient(
        context, PatientForm(first_name="Robert", last_name="Smith", date_of_birth="1/2/1950")
    )
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Bob", last_name="Smith", date_of_birth="1/2/1950")
    save_and_wait(qtbot, editor)
    assert editor.duplicates is not None

    with qtbot.waitSignal(editor.open_chart_requested, timeout=5000) as requested:
        qtbot.keyClick(editor.duplicates.table, Qt.Key.Key_Return)
    assert requested.args == [existing.id]
    assert not editor.isVisible()
    assert charts_born(context, "1/2/1950") == ["Smith, Robert"]


def test_an_age_over_120_is_confirmed_then_saved(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Old", last_name="Timer", date_of_birth="1/1/1890")
    save_and_wait(qtbot, editor)
    question = editor.age_question
    assert question is not None and question.isVisible()
    assert "years old" in question.text()

    keep = next(b for b in question.buttons() if b.text().startswith("Yes"))
    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        keep.click()
    assert saved.args[0].date_of_birth == date(1890, 1, 1)


def test_refusing_the_old_age_puts_the_message_next_to_the_date(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Old", last_name="Timer", date_of_birth="1/1/1890")
    save_and_wait(qtbot, editor)
    assert editor.age_question is not None
    fix = next(b for b in editor.age_question.buttons() if b.text().startswith("Correct"))
    fix.click()
    message = editor.fields.fields.message("date_of_birth")
    assert message.isVisibleTo(editor) and "years old" in message.text()
    assert charts_born(context, "1/1/1890") == []


def test_a_conflict_names_the_other_person_keeps_the_typing_and_reapplies_it(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, database: Database
) -> None:
    created = create_patient(
        context,
        PatientForm(first_name="Ada", last_name="Quinlan", date_of_birth="2/2/1950"),
    )
    opened = get_patient(context, created.id)
    editor = open_editor(qtbot, screen, opened)
    fill(qtbot, editor, mobile_phone="(217) 555-0199")

    # Meanwhile, at the other desk:
    other_desk = make_context(database, make_actor(Role.FRONT_DESK, "bob.frontdesk"))
    update_patient(
        other_desk,
        created.id,
        PatientForm(
            first_name="Ada",
            last_name="Quinlan",
            date_of_birth="2/2/1950",
            email="ada@example.com",
        ),
        opened.version,
    )

    save_and_wait(qtbot, editor)
    assert "bob.frontdesk" in editor.banner.text
    assert editor.fields.edits["mobile_phone"].text() == "(217) 555-0199"
    assert get_patient(context, created.id, record_view=False).mobile_phone == ""

    editor.banner.action.click()
    qtbot.waitUntil(
        lambda: editor.fields.edits["email"].text() == "ada@example.com", timeout=10_000
    )
    assert editor.fields.edits["mobile_phone"].text() == "(217) 555-0199"
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    final = get_patient(context, created.id, record_view=False)
    assert (final.email, final.mobile_phone) == ("ada@example.com", "+12175550199")


def test_esc_with_unsaved_changes_asks_first(qtbot: QtBot, screen: ScreenContext) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Half")

    qtbot.keyClick(editor.fields.edits["first_name"], Qt.Key.Key_Escape)
    question = editor.discard_question
    assert question is not None and question.isVisible()
    assert editor.isVisible()
    keep = next(b for b in question.buttons() if b.text() == "Keep editing")
    keep.click()
    assert editor.isVisible()
    assert editor.fields.edits["first_name"].text() == "Half"

    qtbot.keyClick(editor.fields.edits["first_name"], Qt.Key.Key_Escape)
    question = editor.discard_question
    assert question is not None
    discard = next(b for b in question.buttons() if b.text() == "Discard changes")
    discard.click()
    assert not editor.isVisible()
    assert editor.result() == QDialog.DialogCode.Rejected


def test_esc_on_an_untouched_form_just_closes(qtbot: QtBot, screen: ScreenContext) -> None:
    editor = open_editor(qtbot, screen)
    qtbot.keyClick(editor.fields.edits["first_name"], Qt.Key.Key_Escape)
    assert editor.discard_question is None
    assert not editor.isVisible()


def test_tab_follows_the_form(qtbot: QtBot, screen: ScreenContext) -> None:
    editor = open_editor(qtbot, screen)
    expected = editor.fields.order
    # Walk the focus chain from the first field; our fields come in form order.
    seen: list[QWidget] = []
    widget: QWidget = expected[0]
    for _ in range(400):
        for candidate in expected:
            if (widget is candidate or candidate.isAncestorOf(widget)) and (
                not seen or seen[-1] is not candidate
            ):
                seen.append(candidate)
        widget = widget.nextInFocusChain()
        if widget is expected[0]:
            break
    assert seen[: len(expected)] == expected


def test_physicians_are_picked_from_the_directory_or_added_on_the_spot(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    patel = referrers.save_referrer(
        context, ReferrerForm(last_name="Patel", first_name="Anil", credentials="MD")
    )
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Maria", last_name="Nunez", date_of_birth="3/4/1961")
    picker = editor.fields.referring
    picker.edit.setFocus()
    qtbot.keyClicks(picker.edit, "pat")
    qtbot.waitUntil(lambda: picker.model.rowCount() == 1, timeout=10_000)
    qtmodeltester.check(picker.model)  # type: ignore[attr-defined]
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.referrer_id == patel.id, timeout=5000)
    assert picker.edit.text() == patel.display_name

    added = editor.fields.primary_care.add_physician()
    added.edits["last_name"].setText("Okafor")
    added.edits["first_name"].setText("Chidi")
    added.edits["npi"].setText("1234567893")
    with qtbot.waitSignal(added.saved, timeout=10_000):
        added.save()
    qtbot.waitUntil(lambda: editor.fields.primary_care.referrer_id is not None, timeout=5000)

    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        editor.save()
    patient = saved.args[0]
    assert patient.referring_name == "Anil Patel, MD"
    assert patient.primary_care_name == "Chidi Okafor"


def test_a_name_typed_in_a_physician_box_but_not_picked_is_explained(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Maria", last_name="Nunez", date_of_birth="3/4/1961")
    qtbot.keyClicks(editor.fields.referring.edit, "Dr Nobody")
    editor.save()
    message = editor.fields.fields.message("referring_id")
    assert message.isVisibleTo(editor) and "pick a physician" in message.text().lower()
    assert charts_born(context, "3/4/1961") == []


def test_the_referrer_list_model_passes_the_model_tester(qtmodeltester: object) -> None:
    model = ReferrerListModel()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.data(QModelIndex()) is None


@pytest.mark.parametrize("where", ["language", "interpreter", "sex"])
def test_enter_saves_from_boxes_and_checkboxes_too(
    qtbot: QtBot, screen: ScreenContext, where: str
) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Ana", last_name="Lima", date_of_birth="5/6/1970")
    target = {
        "language": editor.fields.language,
        "interpreter": editor.fields.interpreter,
        "sex": editor.fields.sex,
    }[where]
    target.setFocus()
    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        qtbot.keyClick(target.focusProxy() or target, Qt.Key.Key_Return)
    assert saved.args[0].last_name == "Lima"
    assert saved.args[0].interpreter_needed is False


def test_prints_in_large_print_is_ticked_from_the_keyboard_and_saved_on_the_chart(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    editor = open_editor(qtbot, screen)
    fill(qtbot, editor, first_name="Rosa", last_name="Delgado", date_of_birth="2/9/1938")
    box = editor.fields.large_print
    assert box.text() == "Prints in large print" and not box.isChecked()
    # It sits with the language preferences: Tab from the interpreter box reaches it.
    order = editor.fields.order
    assert order.index(box) == order.index(editor.fields.interpreter) + 1
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() and editor.has_unsaved_changes()
    with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
        editor.save()
    chart = saved.args[0]
    assert chart.large_print and get_patient(context, chart.id).large_print

    # Editing the chart shows the box ticked; unticking it is saved too.
    again = open_editor(qtbot, screen, get_patient(context, chart.id))
    assert again.fields.large_print.isChecked() and not again.has_unsaved_changes()
    again.fields.large_print.setFocus()
    qtbot.keyClick(again.fields.large_print, Qt.Key.Key_Space)
    with qtbot.waitSignal(again.saved, timeout=10_000) as saved_again:
        again.save()
    assert saved_again.args[0].large_print is False
    assert get_patient(context, chart.id).large_print is False
