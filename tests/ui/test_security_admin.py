"""Admin → Users, Change my password, Security settings, and Backup and restore."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Role
from frontdesk.paths import data_dir
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.search import search
from frontdesk.services.platform import backup
from frontdesk.services.practice import settings
from frontdesk.services.practice.first_run import complete_first_run, create_first_admin
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.settings import AUTO_LOCK_MINUTES, LOCKOUT_ATTEMPTS
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.practice.users import create_user, find_user, list_users
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.backup_panel import BackupPanel
from frontdesk.ui.security.password_dialog import ChangePasswordDialog, ResetPasswordDialog
from frontdesk.ui.security.settings_panel import SecuritySettingsPanel
from frontdesk.ui.security.users_panel import EditUserDialog, NewUserDialog, UsersPanel
from tests.helpers.screens import open_screen

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

PASSWORD = "violet canoe morning"


@pytest.fixture
def admin(context: ServiceContext) -> ServiceContext:
    complete_first_run(
        context,
        PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist")],
    )
    create_first_admin(context, NewUserForm("maria", PASSWORD, Role.ADMIN, "Maria Lopez"))
    return context.as_actor(sign_in(context, "maria", PASSWORD))


@pytest.fixture
def screen(admin: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(admin) as screen:
        yield screen


@pytest.fixture
def panel(qtbot: QtBot, screen: ScreenContext) -> UsersPanel:
    widget = UsersPanel(screen)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.loaded)
    return widget


def statuses(panel: UsersPanel) -> dict[str, str]:
    return {
        panel.model.data(panel.model.index(row, 0)): panel.model.data(panel.model.index(row, 3))
        for row in range(panel.model.rowCount())
    }


# --- Users ------------------------------------------------------------------------------------


def test_add_a_user_with_a_role_who_can_then_sign_in(
    qtbot: QtBot, panel: UsersPanel, admin: ServiceContext
) -> None:
    panel.new_user()
    dialog = panel.dialog
    assert isinstance(dialog, NewUserDialog)
    account = dialog.account
    account.username.setText("john.reed")
    account.display_name.setText("John Reed")
    assert account.role is not None and account.role.currentText() == "Front desk"
    assert "Patients, requests" in account.role_hint.text()
    account.set_role(Role.CLINICAL)
    assert "full history" in account.role_hint.text()
    account.passwords.password.setText("john.reed was here 2024")
    account.passwords.confirm.setText("john.reed was here 2024")
    qtbot.keyClick(account.passwords.confirm, Qt.Key.Key_Return)
    message = account.fields.message("password")
    assert message.isVisible() and "user name" in message.text()  # the policy, in place

    account.passwords.password.setText(PASSWORD)
    account.passwords.confirm.setText(PASSWORD)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(account.passwords.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    assert statuses(panel) == {"maria": "Active", "john.reed": "Active"}
    assert "Saved the account john.reed" in panel.banner.text
    john = sign_in(admin, "john.reed", PASSWORD)
    assert john.role is Role.CLINICAL and john.display_name == "John Reed"


def test_a_taken_user_name_is_marked_next_to_the_field(
    qtbot: QtBot, panel: UsersPanel, admin: ServiceContext
) -> None:
    panel.new_user()
    dialog = panel.dialog
    assert isinstance(dialog, NewUserDialog)
    dialog.account.username.setText("Maria")
    dialog.account.passwords.password.setText(PASSWORD + " again")
    dialog.account.passwords.confirm.setText(PASSWORD + " again")
    dialog.save()
    message = dialog.account.fields.message("username")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert "taken" in message.text()
    assert len(list_users(admin)) == 1


def test_deactivate_asks_then_the_account_is_kept_but_refused_and_can_come_back(
    qtbot: QtBot, panel: UsersPanel, admin: ServiceContext
) -> None:
    create_user(admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK, "John Reed"))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    panel.select_username("john")
    asked: list[str] = []
    panel.confirm_deactivate = lambda user: asked.append(user.username) or False  # type: ignore[method-assign]
    panel.toggle_active()
    assert asked == ["john"] and statuses(panel)["john"] == "Active"

    panel.confirm_deactivate = lambda user: True  # type: ignore[method-assign]
    assert panel.active_button.text() == "Deactivate…"
    panel.toggle_active()
    qtbot.waitUntil(lambda: statuses(panel)["john"] == "Deactivated", timeout=10_000)
    assert "can no longer sign in" in panel.banner.text
    assert panel.active_button.text() == "Reactivate"
    with pytest.raises(RefusedError, match="cannot sign in now"):
        sign_in(admin, "john", PASSWORD)

    panel.toggle_active()
    qtbot.waitUntil(lambda: statuses(panel)["john"] == "Active", timeout=10_000)
    assert sign_in(admin, "john", PASSWORD).username == "john"


def test_the_only_admin_cannot_deactivate_themselves(qtbot: QtBot, panel: UsersPanel) -> None:
    panel.select_username("maria")
    panel.confirm_deactivate = lambda user: True  # type: ignore[method-assign]
    panel.toggle_active()
    qtbot.waitUntil(lambda: panel.banner.kind == "error", timeout=10_000)
    assert "cannot deactivate your own account" in panel.banner.text
    assert statuses(panel)["maria"] == "Active"


def test_reset_password_unlocks_and_the_new_password_works(
    qtbot: QtBot, panel: UsersPanel, admin: ServiceContext
) -> None:
    create_user(admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK))
    for _ in range(5):
        with pytest.raises(RefusedError):
            sign_in(admin, "john", "not it not it")
    panel.refresh()
    qtbot.waitUntil(lambda: statuses(panel).get("john", "").startswith("Waiting after wrong"))
    panel.select_username("john")
    assert panel.unlock_button.isVisible()
    panel.reset_selected()
    dialog = panel.dialog
    assert isinstance(dialog, ResetPasswordDialog)
    dialog.passwords.password.setText("lantern harbour quietly")
    dialog.passwords.confirm.setText("lantern harbour quietly")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.passwords.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: statuses(panel)["john"] == "Active", timeout=10_000)
    assert "was reset" in panel.banner.text
    assert sign_in(admin, "john", "lantern harbour quietly").username == "john"


def test_edit_changes_the_role(qtbot: QtBot, panel: UsersPanel, admin: ServiceContext) -> None:
    create_user(admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK))
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    panel.select_username("john")
    panel.edit_selected()
    dialog = panel.dialog
    assert isinstance(dialog, EditUserDialog)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.CLINICAL.value))
    assert "full history" in dialog.role_meaning.text()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    assert find_user(admin, "john").role is Role.CLINICAL


# --- Change my password -------------------------------------------------------------------------


def test_change_my_password_checks_the_current_one(
    qtbot: QtBot, screen: ScreenContext, admin: ServiceContext
) -> None:
    dialog = ChangePasswordDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.current.setText("violet canoe evening")
    dialog.passwords.password.setText("lantern harbour quietly")
    dialog.passwords.confirm.setText("lantern harbour quietly")
    dialog.save()
    message = dialog.fields.message("current_password")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert "current password is wrong" in message.text()
    assert dialog.current.text() == ""

    dialog.current.setText(PASSWORD)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.current, Qt.Key.Key_Return)
    assert sign_in(admin, "maria", "lantern harbour quietly").username == "maria"


# --- Security settings ------------------------------------------------------------------


def test_security_settings_are_saved_together(
    qtbot: QtBot, screen: ScreenContext, admin: ServiceContext
) -> None:
    panel = SecuritySettingsPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.loaded)
    assert panel.boxes[AUTO_LOCK_MINUTES.key].value() == 10
    assert panel.boxes[LOCKOUT_ATTEMPTS.key].value() == 5
    assert not panel.has_unsaved_changes()
    panel.boxes[AUTO_LOCK_MINUTES.key].setValue(3)
    panel.boxes[LOCKOUT_ATTEMPTS.key].setValue(8)
    assert panel.has_unsaved_changes() and panel.undo_button.isEnabled()
    panel.save()
    qtbot.waitUntil(lambda: panel.banner.kind == "success", timeout=10_000)
    assert settings.get_setting(admin, AUTO_LOCK_MINUTES) == 3
    assert settings.get_setting(admin, LOCKOUT_ATTEMPTS) == 8
    assert not panel.has_unsaved_changes()


# --- Backup and restore ------------------------------------------------------------------------


def add_patient(context: ServiceContext, last_name: str) -> int:
    form = PatientForm(
        first_name="Rosa",
        last_name=last_name,
        date_of_birth=date(1961, 3, 4),
        mobile_phone="217-555-0111",
    )
    return create_patient(context, form, allow_duplicates=True).id


def chart_names(context: ServiceContext) -> list[str]:
    return sorted(item.last_name for item in search(context, "Rosa").items)


@pytest.fixture
def backups(qtbot: QtBot, screen: ScreenContext) -> BackupPanel:
    panel = BackupPanel(screen)
    qtbot.addWidget(panel)
    panel.show()
    return panel


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_restoring_another_practice_s_backup_asks_naming_both(
    backups: BackupPanel, admin: ServiceContext
) -> None:
    save_profile(admin, PracticeProfileForm("Lakeside Spine", main_phone="217-555-0100"), None)
    made = backup.backup_database(admin)
    version = get_profile(admin).version  # type: ignore[union-attr]
    save_profile(
        admin, PracticeProfileForm("Hillcrest Orthopedics", main_phone="217-555-0199"), version
    )
    text, details = backups.restore_question_text(backup.verify_backup(admin, made.path))
    assert text.startswith("This backup holds another practice's records: Lakeside Spine, made")
    assert "This database holds the records of Hillcrest Orthopedics." in text
    assert "every record of Hillcrest Orthopedics saved since would be replaced" in details


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_backup_now_then_restore_from_the_panel(
    qtbot: QtBot, backups: BackupPanel, admin: ServiceContext, tmp_path: Path
) -> None:
    add_patient(admin, "Before")
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    backups.folder.setText(str(stick))
    backups.update_encryption_note()
    # Outside the data folder the backup is encrypted: no passphrase, no backup.
    assert "encrypted" in backups.encryption_note.text()
    assert backups.no_encryption.isVisible()
    backups.back_up()
    message = backups.fields.message("passphrase")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert "give a passphrase" in message.text()
    assert list(stick.iterdir()) == []

    backups.passphrase.setText("harbour lantern 42")
    backups.passphrase_again.setText("harbour lantern 42")
    with qtbot.waitSignal(backups.backed_up, timeout=30_000) as made:
        qtbot.keyClick(backups.passphrase_again, Qt.Key.Key_Return)
    result = made.args[0]
    assert result.encrypted and result.path.parent == stick
    assert result.path.name.endswith(".sqlite3.encrypted")
    assert "Backup saved and checked" in backups.banner.text
    assert backups.passphrase.text() == ""

    add_patient(admin, "After")
    assert chart_names(admin) == ["After", "Before"]

    # Restore: the passphrase is asked; a wrong one changes nothing.
    questions: list[tuple[str, str]] = []

    def confirm(verified: object) -> bool:
        questions.append(backups.restore_question_text(verified))  # type: ignore[arg-type]
        return True

    backups.confirm_restore = confirm  # type: ignore[method-assign]
    backups.start_restore(result.path)
    qtbot.waitUntil(lambda: backups.passphrase_dialog is not None, timeout=10_000)
    dialog = backups.passphrase_dialog
    assert dialog is not None
    dialog.passphrase.setText("wrong passphrase")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: backups.banner.kind == "error", timeout=30_000)
    assert "passphrase does not open" in backups.banner.text
    assert "Nothing was restored" in backups.banner.text
    assert questions == [] and chart_names(admin) == ["After", "Before"]

    backups.start_restore(result.path)
    qtbot.waitUntil(lambda: backups.passphrase_dialog is not None, timeout=10_000)
    dialog = backups.passphrase_dialog
    assert dialog is not None
    dialog.passphrase.setText("harbour lantern 42")
    with qtbot.waitSignal(backups.restored, timeout=60_000) as restored:
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    [(text, details)] = questions
    assert result.path.name in text and admin.database.describe() in text
    assert "It holds 1 patient charts" in text
    assert "kept aside" in details
    assert chart_names(admin) == ["Before"]
    assert restored.args[0].set_aside.exists()
    assert "Restored from" in backups.banner.text and "kept at" in backups.banner.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_backup_in_the_data_folder_needs_no_passphrase_unless_given(
    qtbot: QtBot, backups: BackupPanel
) -> None:
    assert str(data_dir()) in backups.folder.text()
    assert "not encrypted unless you type a passphrase" in backups.encryption_note.text()
    assert not backups.no_encryption.isVisible()
    with qtbot.waitSignal(backups.backed_up, timeout=30_000) as made:
        backups.back_up()
    assert not made.args[0].encrypted


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_backup_without_pg_dump_says_what_to_install(
    qtbot: QtBot, backups: BackupPanel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    assert os.environ["PATH"] == str(tmp_path)
    backups.back_up()
    qtbot.waitUntil(lambda: backups.banner.kind == "error", timeout=30_000)
    assert "'pg_dump' was not found" in backups.banner.text
    assert "postgresql-client" in backups.banner.text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_daily_backup_runs_on_the_runner_after_the_window_shows(
    qtbot: QtBot, screen: ScreenContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QSettings

    from frontdesk.services.platform import backup
    from frontdesk.ui.app import _back_up_if_due
    from frontdesk.ui.main_window import MainWindow

    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))  # no backup there yet
    window = MainWindow(screen, QSettings(str(tmp_path / "d.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    _back_up_if_due(window)
    qtbot.waitUntil(lambda: "backup" in window.statusBar().currentMessage(), timeout=30_000)
    [made] = backup.default_backup_folder().glob("frontdesk-backup-*.sqlite3")
    assert window.statusBar().currentMessage() == f"Daily backup saved: {made.name}"
    # The next start on the same day makes none.
    _back_up_if_due(window)
    screen.runner.wait_for_idle()
    assert list(backup.default_backup_folder().glob("frontdesk-backup-*.sqlite3")) == [made]
