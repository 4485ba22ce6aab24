"""First run creates the first admin and signs in; sign-in messages; roles see what they may."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from frontdesk.domain.errors import PermissionDeniedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.practice.first_run import (
    complete_first_run,
    create_first_admin,
    has_users,
    needs_first_run,
    set_up_practice,
)
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.practice.sign_in import SIGN_IN_REFUSED, sign_in
from frontdesk.services.practice.users import create_user, deactivate_user, find_user, list_users
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.app import Launcher
from frontdesk.ui.first_run import FirstRunDialog
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.sign_in import FirstAdminDialog, SignInDialog
from tests.helpers.person_roles import (
    person_roles_database,
)
from tests.helpers.screens import open_screen

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

PASSWORD = "violet canoe morning"
PROFILE = PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142")
SURGEON = ProviderForm(first_name="Ana", last_name="Lindqvist", credentials="MD")


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(context) as screen:
        yield screen


@pytest.fixture
def with_admin(context: ServiceContext) -> ServiceContext:
    complete_first_run(context, PROFILE, [SURGEON])
    create_first_admin(context, NewUserForm("maria", PASSWORD, Role.ADMIN, "Maria Lopez"))
    return context.as_actor(sign_in(context, "maria", PASSWORD))


def launcher_for(screen: ScreenContext, tmp_path: Path) -> Launcher:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    return Launcher(screen, settings, lock_after_ms=60_000)


def close_window(window: MainWindow) -> None:
    window.close()
    window.deleteLater()


def sign_in_dialog(qtbot: QtBot, launcher: Launcher) -> SignInDialog:
    launcher.start()
    dialog = launcher.sign_in
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def attempt(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> str:
    dialog.form.username.setText(username)
    dialog.form.password.setText(password)
    qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.form.checking, timeout=10_000)
    return dialog.form.banner.text


# --- first run ------------------------------------------------------------------------------


@pytest.mark.ui_postgresql
def test_first_run_creates_the_admin_with_the_practice_and_signs_in(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    launcher = launcher_for(screen, tmp_path)
    launcher.start()
    assert launcher.welcome is not None
    qtbot.addWidget(launcher.welcome)
    launcher.welcome.set_up_button.click()
    dialog = launcher.first_run
    assert isinstance(dialog, FirstRunDialog) and dialog.create_admin
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.profile.name.setText("Lakeside Spine Center")
    dialog.profile.main_phone.setText("217-555-0142")
    qtbot.keyClick(dialog.profile.name, Qt.Key.Key_Return)
    edits = dialog.providers.rows[0].edits
    edits["first_name"].setText("Ana")
    edits["last_name"].setText("Lindqvist")
    qtbot.keyClick(edits["last_name"], Qt.Key.Key_Return)
    assert dialog.step == 2
    assert dialog.step_title.text() == "Step 3 of 4: Where and when they see patients"
    qtbot.keyClick(dialog.hours.location_name, Qt.Key.Key_Return)
    assert dialog.step == 3
    assert dialog.step_title.text() == "Step 4 of 4: Your administrator account"

    account = dialog.account
    assert account.first_field().hasFocus()
    account.username.setText("maria.lopez")
    account.display_name.setText("Maria Lopez")
    # The policy's message appears next to the password as soon as the field is left.
    account.passwords.password.setText("password1")
    account.passwords.password.editingFinished.emit()
    message = account.fields.message("password")
    assert message.isVisible() and "at least 12 characters" in message.text()
    assert account.passwords.password.accessibleDescription() == message.text()
    # Enter with the problem still there saves nothing.
    qtbot.keyClick(account.passwords.password, Qt.Key.Key_Return)
    assert needs_first_run(context) and not has_users(context)

    account.passwords.password.setText(PASSWORD)
    assert not message.isVisible()  # rechecked as the user types
    account.passwords.confirm.setText("violet canoe evening")
    qtbot.keyClick(account.passwords.confirm, Qt.Key.Key_Return)
    assert "differ" in account.fields.message("password_confirm").text()
    account.passwords.confirm.setText(PASSWORD)
    with qtbot.waitSignal(launcher.window_shown, timeout=15_000) as shown:
        qtbot.keyClick(account.passwords.confirm, Qt.Key.Key_Return)

    window = shown.args[0]
    try:
        actor = window.screen.services.actor
        assert (actor.username, actor.role) == ("maria.lopez", Role.ADMIN)
        assert window.user_label.text() == "Signed in: Maria Lopez"
        assert "audit" in window.area_keys()
        assert not needs_first_run(context)
        signed_in = context.as_actor(actor)
        [account_row] = list_users(signed_in)
        assert account_row.role is Role.ADMIN and account_row.display_name == "Maria Lopez"
        sign_ins = audit_trail.list_entries(signed_in, AuditFilter(action="sign_in")).entries
        assert [entry.username for entry in sign_ins] == ["maria.lopez"]
    finally:
        close_window(window)


def test_setup_is_all_or_nothing_and_reports_every_form_at_once(
    context: ServiceContext,
) -> None:
    bad_phone = PracticeProfileForm(name="Lakeside Spine Center", main_phone="555-01")
    with pytest.raises(ValidationError) as refused:
        set_up_practice(context, bad_phone, [SURGEON], NewUserForm("M", "short", Role.ADMIN))
    assert {"main_phone", "username", "password"} <= set(refused.value.fields)
    assert needs_first_run(context) and not has_users(context)

    # A second setup (another desk finished first) is refused whole: no half practice.
    admin = NewUserForm("maria", PASSWORD, Role.ADMIN)
    set_up_practice(context, PROFILE, [SURGEON], admin)
    with pytest.raises(Exception, match="already exists"):
        set_up_practice(context, PROFILE, [SURGEON], NewUserForm("bob", PASSWORD, Role.ADMIN))
    signed = context.as_actor(sign_in(context, "maria", PASSWORD))
    assert len(list_providers(signed)) == 1
    assert [user.username for user in list_users(signed)] == ["maria"]


def test_a_practice_set_up_before_accounts_asks_for_the_first_admin(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    complete_first_run(context, PROFILE, [SURGEON])
    launcher = launcher_for(screen, tmp_path)
    launcher.start()
    dialog = launcher.first_admin
    assert isinstance(dialog, FirstAdminDialog)
    qtbot.addWidget(dialog)
    dialog.account.username.setText("maria")
    dialog.account.passwords.password.setText(PASSWORD)
    dialog.account.passwords.confirm.setText(PASSWORD)
    with qtbot.waitSignal(launcher.window_shown, timeout=15_000) as shown:
        qtbot.keyClick(dialog.account.passwords.confirm, Qt.Key.Key_Return)
    window = shown.args[0]
    try:
        assert window.screen.services.actor.username == "maria"
    finally:
        close_window(window)


def test_accounts_without_a_practice_sign_in_first_then_finish_the_setup(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    create_first_admin(context, NewUserForm("maria", PASSWORD, Role.ADMIN))
    launcher = launcher_for(screen, tmp_path)
    dialog = sign_in_dialog(qtbot, launcher)
    assert launcher.first_run is None
    attempt(qtbot, dialog, "maria", PASSWORD)
    setup = launcher.first_run
    assert isinstance(setup, FirstRunDialog) and not setup.create_admin
    qtbot.addWidget(setup)
    assert setup.last_step == 2  # no account step: the admin is already signed in
    setup.profile.name.setText("Lakeside Spine Center")
    setup.profile.main_phone.setText("217-555-0142")
    setup.next_step()
    setup.providers.rows[0].edits["first_name"].setText("Ana")
    setup.providers.rows[0].edits["last_name"].setText("Lindqvist")
    with qtbot.waitSignal(launcher.window_shown, timeout=10_000) as shown:
        setup.finish()
    window = shown.args[0]
    try:
        assert window.screen.services.actor.username == "maria"
        assert not needs_first_run(context)
    finally:
        close_window(window)


# --- signing in -------------------------------------------------------------------------------


def test_sign_in_opens_the_window_as_that_user(
    qtbot: QtBot, screen: ScreenContext, with_admin: ServiceContext, tmp_path: Path
) -> None:
    launcher = launcher_for(screen, tmp_path)
    dialog = sign_in_dialog(qtbot, launcher)
    assert dialog.form.username.hasFocus()
    dialog.form.username.setText("MARIA")  # user names are not case-sensitive
    qtbot.keyClick(dialog.form.username, Qt.Key.Key_Return)
    assert dialog.form.password.hasFocus()  # Enter moves on to the password
    dialog.form.password.setText(PASSWORD)
    with qtbot.waitSignal(launcher.window_shown, timeout=10_000) as shown:
        qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    window = shown.args[0]
    try:
        assert window.screen.services.actor.username == "maria"
        assert window.user_label.text() == "Signed in: Maria Lopez"
        assert launcher.lock is not None and launcher.lock.window is window
    finally:
        close_window(window)


def test_a_wrong_password_is_explained_and_the_password_cleared(
    qtbot: QtBot, screen: ScreenContext, with_admin: ServiceContext, tmp_path: Path
) -> None:
    dialog = sign_in_dialog(qtbot, launcher_for(screen, tmp_path))
    message = attempt(qtbot, dialog, "maria", "violet canoe evening")
    assert message == SIGN_IN_REFUSED
    assert dialog.form.banner.kind == "error"
    assert dialog.form.password.text() == "" and dialog.form.password.hasFocus()
    assert dialog.isVisible()
    # An unknown name gets exactly the same words: names are not given away.
    assert attempt(qtbot, dialog, "nobody", PASSWORD) == message


def test_five_wrong_passwords_make_the_desk_wait_with_the_same_words(
    qtbot: QtBot, screen: ScreenContext, with_admin: ServiceContext, tmp_path: Path
) -> None:
    dialog = sign_in_dialog(qtbot, launcher_for(screen, tmp_path))
    for _ in range(5):
        assert attempt(qtbot, dialog, "maria", "guess guess guess") == SIGN_IN_REFUSED
    waiting = find_user(with_admin, "maria")
    assert waiting.locked_until is not None
    # Even the right password is refused while the wait lasts, in the same words.
    assert attempt(qtbot, dialog, "maria", PASSWORD) == SIGN_IN_REFUSED
    assert dialog.isVisible()


def test_a_deactivated_account_is_refused_without_confirming_its_password(
    qtbot: QtBot, screen: ScreenContext, with_admin: ServiceContext, tmp_path: Path
) -> None:
    john = create_user(with_admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK))
    deactivate_user(with_admin, john.id)
    dialog = sign_in_dialog(qtbot, launcher_for(screen, tmp_path))
    assert attempt(qtbot, dialog, "john", PASSWORD) == SIGN_IN_REFUSED
    assert dialog.isVisible()


def test_escape_at_sign_in_quits(
    qtbot: QtBot, screen: ScreenContext, with_admin: ServiceContext, tmp_path: Path
) -> None:
    launcher = launcher_for(screen, tmp_path)
    dialog = sign_in_dialog(qtbot, launcher)
    with qtbot.waitSignal(launcher.cancelled):
        qtbot.keyClick(dialog.form.username, Qt.Key.Key_Escape)


# --- roles ------------------------------------------------------------------------------------


def test_front_desk_staff_see_no_user_management_and_the_services_refuse_it(
    qtbot: QtBot, with_admin: ServiceContext, tmp_path: Path
) -> None:
    create_user(with_admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK, "John Reed"))
    desk = with_admin.as_actor(sign_in(with_admin, "john", PASSWORD))
    runner = Runner()
    try:
        screen = ScreenContext(desk, runner)
        area = AdminArea(screen)
        qtbot.addWidget(area)
        titles = [area.tabs.tabText(index) for index in range(area.tabs.count())]
        assert titles == [
            "Practice",
            "Locations",
            "Providers",
            "Scheduling",
            "Practice rules",
            "Handout reviews",
            "Inbox",  # read-only for the front desk; they may still "Check now"
        ]
        assert area.users is None and area.security is None and area.backups is None
        window = MainWindow(screen, QSettings(str(tmp_path / "d.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        assert "audit" not in window.area_keys()
        assert "admin" in window.area_keys()
    finally:
        runner.wait_for_idle()
    with pytest.raises(PermissionDeniedError):
        list_users(desk)
    with pytest.raises(PermissionDeniedError):
        create_user(desk, NewUserForm("eve", PASSWORD, Role.ADMIN))
    with pytest.raises(PermissionDeniedError):
        audit_trail.list_entries(desk)


@pytest.mark.postgres
def test_with_per_person_logins_the_sign_in_opens_the_connection_as_the_person(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with person_roles_database("frontdesk_ui") as db:
        complete_first_run(db.owner, PROFILE, [SURGEON])
        db.add_person("maria", Role.ADMIN, PASSWORD)
        runner = Runner()
        settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
        launcher = Launcher(None, settings, lock_after_ms=60_000)
        # The workstation names the server and the database, never a user or a password.
        url = make_url(db.url).set(username=None, password=None).render_as_string(False)
        launcher.start_for_persons(url, runner)
        dialog = launcher.sign_in
        assert dialog is not None
        qtbot.addWidget(dialog)
        qtbot.waitExposed(dialog)
        # (The test server trusts 127.0.0.1, so only a name it does not know is refused here.)
        assert attempt(qtbot, dialog, "nobody", PASSWORD) == SIGN_IN_REFUSED
        dialog.form.username.setText("maria")
        dialog.form.password.setText(PASSWORD)
        with qtbot.waitSignal(launcher.window_shown, timeout=20_000) as shown:
            qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
        window = shown.args[0]
        services = window.screen.services
        try:
            assert services.actor.username == "maria"
            assert services.database.url.username == db.names.login("maria")
        finally:
            close_window(window)
            runner.wait_for_idle()
            services.database.dispose()
