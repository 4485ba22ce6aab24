"""Admin → Users: the accounts, adding one with a role, deactivating (never deleting), resets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import clock_text
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import UserData
from frontdesk.services.practice.users import (
    create_user,
    deactivate_user,
    list_users,
    reactivate_user,
    unlock_user,
    update_user,
)
from frontdesk.ui.admin.records import RecordDialog
from frontdesk.ui.connection_monitor import (
    PAUSED_REASON,
    follow_saving_gate,
    refused_while_paused,
    saving_allowed,
    watch_saving_gate,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.account_fields import ROLE_HINTS, AccountFields
from frontdesk.ui.security.password_dialog import ResetPasswordDialog
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, add_form_row, line_edit, plain_label
from frontdesk.ui.widgets.list_table import list_table
from frontdesk.ui.widgets.record_table import Column, RecordTableModel

TABLES = frozenset({"users"})


def _when(moment: datetime | None, zone: tzinfo) -> str:
    return "—" if moment is None else clock_text(moment, zone, "%Y-%m-%d")


def status_text(user: UserData, zone: tzinfo) -> str:
    if not user.active:
        return "Deactivated"
    if user.is_locked():
        assert user.locked_until is not None
        return f"Waiting after wrong passwords until {clock_text(user.locked_until, zone, '%H:%M')}"
    return "Active"


def columns(zone: Callable[[], tzinfo]) -> tuple[Column, ...]:
    """The accounts table; ``zone`` gives the practice's zone as last read, for its times."""
    return (
        Column("User name", lambda user: user.username),
        Column("Name", lambda user: user.display_name or "—", stretch=True),
        Column("Role", lambda user: user.role.label),
        Column("Status", lambda user: status_text(user, zone())),
        Column("Password changed", lambda user: _when(user.password_changed_at, zone())),
        Column("Added", lambda user: f"{_when(user.created_at, zone())} by {user.created_by}"),
    )


def _read_users(context: ServiceContext) -> tuple[list[UserData], tzinfo]:
    """Runs off the UI thread: the accounts and the practice's zone to show their times in."""
    return list_users(context), practice_clock.practice_zone(context)


class NewUserDialog(RecordDialog):
    """An account with its role and first password; the policy's messages beside the fields."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(screen, "Add a user", parent)
        self.account = AccountFields(with_role=True)
        self.fields = self.account.fields
        self.form.addRow(self.account)
        self.account.first_field().setFocus()
        self.mark_clean()

    def snapshot(self) -> object:
        form = self.account.form()
        return (form.username, form.display_name, form.role, form.password)

    def save(self) -> None:
        problems = self.account.precheck()
        if problems:
            self.account.show_messages(problems)
            self.banner.show_message("error", "Not saved: please correct the marked fields.")
            return
        super().save()

    def save_call(self) -> Callable[[], Any]:
        return partial(create_user, self.screen.services, self.account.form())


class EditUserDialog(RecordDialog):
    """The name shown and the role of an account (its password has its own reset)."""

    def __init__(
        self, screen: ScreenContext, user: UserData, parent: QWidget | None = None
    ) -> None:
        super().__init__(screen, f"Edit {user.username}", parent)
        self.user = user
        self.display_name = line_edit("Name shown in the app", max_length=120)
        self.display_name.setText(user.display_name)
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role in (Role.FRONT_DESK, Role.CLINICAL, Role.ADMIN):
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(self.role.findData(user.role.value))
        add_form_row(self.form, self.fields, "display_name", "Name", self.display_name)
        add_form_row(self.form, self.fields, "role", "Role", self.role)
        self.role_meaning = plain_label("", "hint", wrap=True)
        self.form.addRow("", self.role_meaning)
        self.role.currentIndexChanged.connect(self._show_meaning)
        self._show_meaning()
        self.display_name.setFocus()
        self.mark_clean()

    def _show_meaning(self) -> None:
        self.role_meaning.setText(ROLE_HINTS[Role(self.role.currentData())])

    def snapshot(self) -> object:
        return (self.display_name.text(), self.role.currentData())

    def save_call(self) -> Callable[[], Any]:
        return partial(
            update_user,
            self.screen.services,
            self.user.id,
            display_name=self.display_name.text(),
            role=Role(self.role.currentData()),
            expected_version=self.user.version,
        )


class UsersPanel(QWidget):
    """Every account, active or not. Deactivated accounts stay listed: the trail names them."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.loaded = False
        self.dialog: QWidget | None = None
        self._select_id: int | None = None
        # Replaced by the practice's zone with each read, before any row is shown.
        self.zone: tzinfo = UTC
        self.model = RecordTableModel(
            columns(lambda: self.zone), is_inactive=lambda user: not user.active, parent=self
        )
        self.table = list_table(self.model, "User accounts")
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(90)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.edit_selected())

        self.banner = Banner()
        self.add_button = mark_primary(QPushButton("Add user…"))
        self.add_button.setToolTip("Add an account for a colleague (Ctrl+N)")
        self.add_button.clicked.connect(self.new_user)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip("Change the name or role of the selected account (Enter)")
        self.edit_button.clicked.connect(self.edit_selected)
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.setToolTip("Set a new password for the selected account")
        self.reset_button.clicked.connect(self.reset_selected)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setToolTip("Lift the wait after wrong passwords, at every workstation")
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.active_button = QPushButton("Deactivate…")
        # Deactivate and Unlock wait while the practice server is unreachable.
        follow_saving_gate(self.unlock_button)
        watch_saving_gate(self, lambda _allowed: self._update_buttons())
        self.active_button.clicked.connect(self.toggle_active)

        heading = QHBoxLayout()
        heading.addWidget(plain_label("Users", "sectionTitle"))
        heading.addStretch(1)
        heading.addWidget(self.add_button)
        actions = QHBoxLayout()
        for button in (self.edit_button, self.reset_button, self.unlock_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.active_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addLayout(heading)
        layout.addWidget(
            plain_label(
                "Everyone signs in with their own account. Accounts are deactivated, never "
                "deleted, so the audit trail keeps naming who did what.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.refresh()

    # Loading -------------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        if select_id is None:
            current = self.selected()
            select_id = current.id if current is not None else None
        self._select_id = select_id
        self.screen.runner.run(
            partial(_read_users, self.screen.services), self._show_read, self._load_failed
        )

    def _show_read(self, read: tuple[list[UserData], tzinfo]) -> None:
        accounts, self.zone = read
        self._show(accounts)

    def _show(self, accounts: list[UserData]) -> None:
        self.model.set_records(accounts)
        self.loaded = True
        row = self.model.row_of(self._select_id) if self._select_id is not None else -1
        if row < 0 and accounts:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._update_buttons()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the accounts. {message}")

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    def selected(self) -> UserData | None:
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        return self.model.record(rows[0].row()) if rows else None

    def select_username(self, username: str) -> None:
        for row, user in enumerate(self.model.records):
            if user.username == username:
                self.table.selectRow(row)
                return

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.edit_button, self.reset_button):
            button.setEnabled(user is not None)
        self.active_button.setEnabled(user is not None and saving_allowed())
        # Shown only for a locked account: a greyed button beside the others reads as usable.
        self.unlock_button.setVisible(user is not None and user.active and user.is_locked())
        if user is not None and not user.active:
            self.active_button.setText("Reactivate")
            self.active_button.setToolTip(f"Let {user.username} sign in again")
        else:
            self.active_button.setText("Deactivate…")
            self.active_button.setToolTip(
                "Stop the selected account from signing in (it stays in the audit trail)"
            )
        if not saving_allowed():
            self.active_button.setToolTip(PAUSED_REASON)

    # Actions -------------------------------------------------------------------------------

    def new_user(self) -> None:
        self._open(NewUserDialog(self.screen, self))

    def edit_selected(self) -> None:
        user = self.selected()
        if user is not None:
            self._open(EditUserDialog(self.screen, user, self))

    def reset_selected(self) -> None:
        user = self.selected()
        if user is None:
            return
        dialog = ResetPasswordDialog(self.screen, user, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda result: self._done(result, dialog.done_message()))
        self.dialog = dialog
        dialog.open()

    def _open(self, dialog: RecordDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda user: self._done(user, f"Saved the account {user.username}."))
        self.dialog = dialog
        dialog.open()

    def _done(self, user: UserData, message: str) -> None:
        self.banner.show_message("success", message)
        self.refresh(select_id=user.id)

    def unlock_selected(self) -> None:
        if refused_while_paused(self.banner):
            return
        user = self.selected()
        if user is not None:
            self._run(
                partial(unlock_user, self.screen.services, user.id),
                f"{user.username} can sign in again.",
            )

    def toggle_active(self) -> None:
        if refused_while_paused(self.banner):
            return
        user = self.selected()
        if user is None:
            return
        if user.active:
            if not self.confirm_deactivate(user):
                return
            call = partial(deactivate_user, self.screen.services, user.id, user.version)
            self._run(call, f"{user.username} was deactivated and can no longer sign in.")
        else:
            call = partial(reactivate_user, self.screen.services, user.id, user.version)
            self._run(call, f"{user.username} was reactivated and can sign in again.")

    def confirm_deactivate(self, user: UserData) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Deactivate this account?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Deactivate {user.username} ({user.label})? They can no longer sign in. The "
            "account is kept, so the audit trail still names them; you can reactivate it later."
        )
        deactivate = box.addButton("Deactivate", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.exec()
        return box.clickedButton() is deactivate

    def _run(self, call: Callable[[], UserData], message: str) -> None:
        self.banner.show_message("info", "Saving…")
        self.screen.runner.run(call, lambda user: self._done(user, message), self._action_failed)

    def _action_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Not changed. {message}")
