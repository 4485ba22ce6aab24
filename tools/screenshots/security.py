"""Screenshots of the sign-in, the lock screen, the first-run account step and Admin → Users.

``render(screen, folder)`` is called by ``tools.screenshots.render_all`` with its demo database;
``demo_accounts(context)`` gives the demo practice its staff (the Audit pictures use them).
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings

from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import create_first_admin, has_users
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.practice.users import create_user, deactivate_user, list_users
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.lock import WorkstationLock
from frontdesk.ui.security.sign_in import SignInDialog
from tools.screenshots.capture import save_grab, sized, wait_until

# Made-up staff of the demo practice, with made-up passwords (never real ones).
STAFF = (
    ("maria.lopez", "Maria Lopez", Role.ADMIN, "demo admin lakeside 1"),
    ("john.reed", "John Reed", Role.FRONT_DESK, "demo desk lakeside 2"),
    ("priya.shah", "Priya Shah", Role.FRONT_DESK, "demo desk lakeside 3"),
    ("dr.okafor", "Dr. Chidi Okafor", Role.CLINICAL, "demo clinic lakeside 4"),
    ("temp.cover", "Temporary cover", Role.FRONT_DESK, "demo temp lakeside 5"),
)


_wait = partial(wait_until, settle=20)


def demo_accounts(context: ServiceContext) -> dict[str, ServiceContext]:
    """The demo staff, created once; returns the admin, a receptionist and a surgeon signed
    in (their sign-ins are audited). One account is deactivated and one locked, so the
    Users tab shows what those look like."""
    if not has_users(context):
        name, label, _role, password = STAFF[0]
        create_first_admin(context, NewUserForm(name, password, Role.ADMIN, label))
    admin = context.as_actor(sign_in(context, STAFF[0][0], STAFF[0][3]))
    accounts = {user.username: user for user in list_users(admin)}
    for name, label, role, password in STAFF[1:]:
        if name not in accounts:
            create_user(admin, NewUserForm(name, password, role, label))
    accounts = {user.username: user for user in list_users(admin)}
    if accounts["temp.cover"].active:
        deactivate_user(admin, accounts["temp.cover"].id)
    if not accounts["priya.shah"].is_locked():
        for _attempt in range(5):
            with suppress(FrontDeskError):
                sign_in(context, "priya.shah", "wrong wrong wrong")
    signed = {"maria.lopez": admin}
    for name, _label, _role, password in STAFF[1:4]:
        if name != "priya.shah":
            signed[name] = context.as_actor(sign_in(context, name, password))
    return signed


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """sign-in.png, sign-in-wrong-password.png, lock-screen.png, first-run-4-admin.png,
    admin-users.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    signed = demo_accounts(screen.services)
    maria = screen.for_actor(signed["maria.lopez"].actor)

    dialog = SignInDialog(maria)
    dialog.show()
    _wait()
    written.append(save_grab(dialog, folder / "sign-in.png"))
    dialog.form.username.setText("john.reed")
    dialog.form.password.setText("not his password")
    dialog.form.submit()
    _wait(lambda: not dialog.form.checking)
    written.append(save_grab(dialog, folder / "sign-in-wrong-password.png"))
    dialog.done(0)

    settings_file = Path(tempfile.mkdtemp(prefix="frontdesk-shots-")) / "desk.ini"
    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    john = screen.for_actor(signed["john.reed"].actor)
    window = MainWindow(john, settings)
    sized(window, 1280, 800)
    window.show()
    lock = WorkstationLock(john, lambda _screen: window, idle_limit_ms=600_000)
    lock.attach(window)
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    area.new_item()
    editor = area.editor
    if editor is not None:
        editor.fields.edits["first_name"].setText("Half-typed")
    _wait()
    lock.lock()
    _wait()
    written.append(save_grab(window, folder / "lock-screen.png"))
    lock.detach()
    if editor is not None:
        editor.mark_clean()
    window.deleteLater()

    from frontdesk.ui.first_run import FirstRunDialog

    first_run = FirstRunDialog(maria, create_admin=True)
    first_run.show()
    first_run.go_to(first_run.last_step)
    account = first_run.account
    account.username.setText("maria.lopez")
    account.display_name.setText("Maria Lopez")
    account.passwords.password.setText("lakeside")
    account.passwords.password.editingFinished.emit()
    _wait()
    written.append(save_grab(first_run, folder / "first-run-4-admin.png"))
    first_run.done(0)

    admin_window = MainWindow(maria, settings)
    sized(admin_window, 1280, 800)
    admin_window.show()
    admin_lock = WorkstationLock(maria, lambda _screen: admin_window, idle_limit_ms=600_000)
    admin_lock.attach(admin_window)  # the Account menu, as in the app
    admin_window.show_area("admin")
    admin = admin_window.current_area()
    assert isinstance(admin, AdminArea) and admin.users is not None
    admin.tabs.setCurrentWidget(admin.users)
    _wait(lambda: admin.users is not None and admin.users.loaded)
    admin.users.select_username("john.reed")
    _wait()
    written.append(save_grab(admin_window, folder / "admin-users.png"))
    if admin.security is not None:
        admin.tabs.setCurrentWidget(admin.security)
        _wait(lambda: admin.security is not None and admin.security.loaded)
        written.append(save_grab(admin_window, folder / "admin-security.png"))
    if admin.backups is not None:
        admin.tabs.setCurrentWidget(admin.backups)
        _wait()
        written.append(save_grab(admin_window, folder / "admin-backup.png"))
    admin_lock.detach()
    admin_window.close()
    return written
