"""Every form that saves follows the app-wide saving pause of an outage, like the patient form.

The pause is driven directly through the gate the connection monitor closes (the real outage
is tested in test_outage.py): Save goes off with the reason, Enter refuses with the reason and
saves nothing, what was typed stays, and Save comes back when the pause ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.domain.permissions import Role
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.clock import practice_zone
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from frontdesk.services.practice import settings
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.users import create_user, list_users
from frontdesk.services.requests import intake, reading
from frontdesk.ui.admin.locations import LocationDialog
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.connection_monitor import PAUSED_REASON, saving_gate
from frontdesk.ui.handouts.area import HandoutsArea
from frontdesk.ui.history.dialogs import ImagingDialog
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.backup_panel import BackupPanel
from frontdesk.ui.security.settings_panel import SecuritySettingsPanel
from frontdesk.ui.security.users_panel import UsersPanel
from tests.helpers.screens import open_screen
from tests.requests.conftest import maria_intake

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOT_SAVED = f"Not saved. {PAUSED_REASON}"
PASSWORD = "violet canoe morning"


@pytest.fixture(autouse=True)
def discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a form with typed text asks; at the end of a test the answer is Discard."""
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Discard)


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context) as screen:
        yield screen


def pause() -> None:
    saving_gate().set_allowed(False, PAUSED_REASON)


def resume() -> None:
    saving_gate().set_allowed(True)


def paused_with_reason(button: QPushButton) -> bool:
    return not button.isEnabled() and PAUSED_REASON in button.toolTip()


def test_a_history_entry_keeps_its_text_and_is_not_saved_while_paused(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    patient = create_patient(
        context, PatientForm(first_name="Ana", last_name="Ruiz", date_of_birth="1970-01-02")
    )
    dialog = ImagingDialog(context, screen.runner, patient.id, practice_zone(context), None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.date.edit.setText("about 2021")
    dialog.notes.setPlainText("Disc brought by the patient")
    pause()
    assert paused_with_reason(dialog.save_button)
    qtbot.keyClick(dialog.date.edit, Qt.Key.Key_Return)
    assert NOT_SAVED in dialog.banner.text
    assert dialog.isVisible() and not dialog.saving
    assert dialog.date.edit.text() == "about 2021"
    assert dialog.notes.toPlainText() == "Disc brought by the patient"
    assert get_history(context, patient.id).imaging == ()
    resume()
    assert dialog.save_button.isEnabled()
    assert PAUSED_REASON not in dialog.save_button.toolTip()
    dialog.mark_clean()  # closing without the discard question


def test_an_admin_record_editor_and_the_profile_follow_the_pause(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center", address="100 Main St", main_phone="217-555-0142"
        ),
        None,
    )
    dialog = LocationDialog(screen, None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Main office")
    pause()
    assert paused_with_reason(dialog.save_button)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert NOT_SAVED in dialog.banner.text
    assert dialog.name.text() == "Main office"
    assert list_locations(context) == []

    editor = ProfileEditor(screen)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.version is not None)
    assert paused_with_reason(editor.save_button)
    name = editor.fields.line_edits()[0]
    name.setText("Lakeside Spine & Pain")
    assert not editor.save_button.isEnabled()  # an edit does not bring Save back
    qtbot.keyClick(name, Qt.Key.Key_Return)  # Enter reaches the panel's save
    assert NOT_SAVED in editor.banner.text
    assert name.text() == "Lakeside Spine & Pain"
    assert get_profile(context).name == "Lakeside Spine Center"
    resume()
    assert dialog.save_button.isEnabled() and editor.save_button.isEnabled()
    dialog.mark_clean()  # closing without the discard question


def test_security_settings_and_backup_wait_for_the_server(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    panel = SecuritySettingsPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded)
    before = {value.key: value.value for value in settings.list_settings(context)}
    pause()
    assert paused_with_reason(panel.save_button)
    box = next(iter(panel.boxes.values()))
    box.setValue(box.value() + 1)
    typed = box.value()
    assert not panel.save_button.isEnabled()
    box.lineEdit().returnPressed.emit()
    assert NOT_SAVED in panel.banner.text
    assert box.value() == typed
    assert {value.key: value.value for value in settings.list_settings(context)} == before

    backup = BackupPanel(screen)
    qtbot.addWidget(backup)
    backup.show()
    assert paused_with_reason(backup.backup_button)
    assert paused_with_reason(backup.restore_button)
    backup.back_up()
    assert "Saving is paused" in backup.banner.text and not backup.busy
    resume()
    assert panel.save_button.isEnabled()
    assert backup.backup_button.isEnabled() and backup.restore_button.isEnabled()


def test_handouts_are_not_printed_or_saved_while_paused(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    create_patient(
        context, PatientForm(first_name="Ana", last_name="Ruiz", date_of_birth="1970-01-02")
    )
    area = HandoutsArea(screen)
    qtbot.addWidget(area)
    area.resize(1200, 760)
    area.show()
    qtbot.waitUntil(lambda: area.model.rowCount() > 0, timeout=10_000)
    area.table.selectRow(0)
    area.set_patient(search(context, "ruiz", limit=1).items[0])
    qtbot.waitUntil(area.print_button.isEnabled, timeout=10_000)
    pause()
    assert not area.print_button.isEnabled() and not area.save_button.isEnabled()
    assert area.action_hint.text() == PAUSED_REASON and not area.action_hint.isHidden()
    assert area.print_current() is False
    assert NOT_SAVED in area.banner.text
    assert area.patient is not None  # the chosen patient and handout stay
    resume()
    assert area.print_button.isEnabled() and area.save_button.isEnabled()
    assert area.action_hint.isHidden()


def test_a_request_intake_keeps_the_call_and_is_not_saved_while_paused(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    dialog = IntakeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.last_name, "Nunez-Garcia")
    qtbot.keyClicks(dialog.first_name, "Maria Jose")
    pause()
    assert paused_with_reason(dialog.save_button)
    # Before any Save: the form itself says the server is out of reach (it covers the main
    # window's outage banner at 150%), and that what was typed stays.
    assert dialog.banner.isVisible() and dialog.banner.text == PAUSED_REASON
    qtbot.keyClick(dialog.first_name, Qt.Key.Key_Return)
    assert NOT_SAVED in dialog.banner.text
    # The intake covers the main window's outage banner: the reason must not send the
    # receptionist to look for it (story 8 walk), but say Save comes back by itself.
    assert "banner" not in dialog.banner.text
    assert "comes back by itself" in dialog.banner.text
    assert dialog.isVisible() and not dialog.saving
    assert (dialog.last_name.text(), dialog.first_name.text()) == ("Nunez-Garcia", "Maria Jose")
    with context.database.read_sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsultationRequest)) == 0
    resume()
    assert dialog.save_button.isEnabled()
    assert NOT_SAVED in dialog.banner.text  # the refusal stays until the next Save
    dialog.banner.clear()
    pause()
    assert dialog.banner.text == PAUSED_REASON
    resume()  # the server answers: the form's line goes by itself
    assert dialog.banner.isHidden()
    dialog._baseline = dialog.snapshot()  # closing without the discard question


def test_a_request_detail_keeps_the_typed_note_and_changes_nothing_while_paused(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    data = intake.create_request(context, maria_intake())
    panel = RequestDetailPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    panel.load(data.id)
    qtbot.waitUntil(lambda: panel.detail is not None, timeout=10_000)
    before = reading.get_request(context, data.id)
    panel.contact_note.setText("Left a message with her daughter")
    pause()
    assert paused_with_reason(panel.contact_button)
    assert paused_with_reason(panel.received_button)
    panel.log_contact()  # what a click or a shortcut reaches
    assert NOT_SAVED in panel.banner.text
    assert panel.contact_note.text() == "Left a message with her daughter"
    panel.checklist.selectRow(0)
    panel.mark_selected_received()
    after = reading.get_request(context, data.id)
    assert (after.contacts, after.checklist) == (before.contacts, before.checklist)
    resume()
    assert panel.contact_button.isEnabled() and panel.received_button.isEnabled()


def test_deactivating_an_account_waits_while_paused(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    create_user(
        context,
        NewUserForm(
            username="desk.ben", display_name="Ben", role=Role.FRONT_DESK, password=PASSWORD
        ),
    )
    panel = UsersPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.model.rowCount() >= 1, timeout=10_000)
    panel.select_username("desk.ben")
    assert panel.active_button.isEnabled()
    pause()
    assert paused_with_reason(panel.active_button)
    panel.toggle_active()  # no question is asked: nothing could be saved
    assert "Saving is paused" in panel.banner.text
    assert next(u for u in list_users(context) if u.username == "desk.ben").active
    resume()
    assert panel.active_button.isEnabled()
