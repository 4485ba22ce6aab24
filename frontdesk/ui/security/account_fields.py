"""The fields of a new account or password: the policy's message appears next to the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLineEdit, QVBoxLayout, QWidget

from frontdesk.domain.passwords import MIN_LENGTH, password_problem
from frontdesk.domain.permissions import Role
from frontdesk.ui.widgets.form import (
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)

if TYPE_CHECKING:
    from frontdesk.services.practice.forms import NewUserForm

PASSWORD_HINT = (
    f"At least {MIN_LENGTH} characters. A short sentence or a few unrelated words are easy "
    "to remember and hard to guess."
)
MISMATCH = "the two passwords differ; type the same password twice"
ROLE_HINTS = {
    Role.FRONT_DESK: "Patients, requests, scheduling and handouts.",
    Role.CLINICAL: "Everything the front desk does, plus editing the full history.",
    Role.ADMIN: "Everything, including user accounts, settings, merges, backups and the audit.",
}


def password_edit(accessible_name: str) -> QLineEdit:
    edit = line_edit(accessible_name, max_length=256)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class PasswordPair:
    """A new password typed twice. The policy is checked when the field is left, and again
    as the user types once a message shows, so the message goes away as soon as it is fixed."""

    def __init__(
        self,
        fields: FormFields,
        key: str = "password",
        caption: str = "Password",
        username: QLineEdit | None = None,
        fixed_username: str = "",
    ) -> None:
        self.fields = fields
        self.key = key
        self.username = username
        self.fixed_username = fixed_username
        self.password = password_edit(caption)
        self.confirm = password_edit(f"Repeat the {caption.lower()}")
        self.password.editingFinished.connect(self._check_password)
        self.password.textChanged.connect(self._recheck_if_shown)
        self.confirm.editingFinished.connect(self._check_confirm)
        self.confirm.textChanged.connect(self._recheck_confirm_if_shown)

    def add_rows(self, layout: object, caption: str, confirm_caption: str) -> None:
        add_form_row(layout, self.fields, self.key, caption, self.password, PASSWORD_HINT)  # type: ignore[arg-type]
        add_form_row(layout, self.fields, f"{self.key}_confirm", confirm_caption, self.confirm)  # type: ignore[arg-type]

    def _username(self) -> str:
        return self.username.text() if self.username is not None else self.fixed_username

    def problems(self) -> dict[str, str]:
        """What the policy and the repeat say now (empty when both are fine)."""
        problems: dict[str, str] = {}
        problem = password_problem(self.password.text(), username=self._username())
        if problem:
            problems[self.key] = problem
        elif self.confirm.text() != self.password.text():
            problems[f"{self.key}_confirm"] = MISMATCH
        return problems

    def _show(self, key: str, text: str) -> None:
        message = self.fields.message(key)
        message.show_message(sentence(text))
        self.fields.widget(key).setAccessibleDescription(sentence(text))

    def _check_password(self) -> None:
        if not self.password.text():
            return
        self._show(
            self.key, password_problem(self.password.text(), username=self._username()) or ""
        )

    def _recheck_if_shown(self) -> None:
        if self.fields.message(self.key).isVisible():
            self._check_password()
        if self.fields.message(f"{self.key}_confirm").isVisible():
            self._check_confirm()

    def _check_confirm(self) -> None:
        if not self.confirm.text():
            return
        same = self.confirm.text() == self.password.text()
        self._show(f"{self.key}_confirm", "" if same else MISMATCH)

    def _recheck_confirm_if_shown(self) -> None:
        if self.fields.message(f"{self.key}_confirm").isVisible():
            self._check_confirm()

    def clear(self) -> None:
        self.password.clear()
        self.confirm.clear()


class AccountFields(QWidget):
    """User name, display name, optional role, and the password twice."""

    def __init__(self, *, with_role: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = FormFields()
        self.username = line_edit("User name", "e.g. maria.lopez", max_length=60)
        self.display_name = line_edit("Name shown in the app", "e.g. Maria Lopez", 120)
        self.role: QComboBox | None = None
        self.passwords = PasswordPair(self.fields, username=self.username)
        layout = form_layout()
        add_form_row(
            layout,
            self.fields,
            "username",
            "User name *",
            self.username,
            "What this person types to sign in: letters, digits, dots or dashes.",
        )
        add_form_row(layout, self.fields, "display_name", "Name", self.display_name)
        if with_role:
            self.role = QComboBox()
            self.role.setAccessibleName("Role")
            for role in (Role.FRONT_DESK, Role.CLINICAL, Role.ADMIN):
                self.role.addItem(role.label, role.value)
            # The combo and a line saying what the chosen role may do, as one field.
            role_box = QWidget()
            column = QVBoxLayout(role_box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(self.role)
            self.role_hint = plain_label("", "hint", wrap=True)
            column.addWidget(self.role_hint)
            role_box.setFocusProxy(self.role)
            add_form_row(layout, self.fields, "role", "Role *", role_box)
            self.role.currentIndexChanged.connect(self._show_role_hint)
        self.passwords.add_rows(layout, "Password *", "Repeat password *")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(layout)
        if self.role is not None:
            self._show_role_hint()

    def _show_role_hint(self) -> None:
        assert self.role is not None
        meaning = ROLE_HINTS[Role(self.role.currentData())]
        self.role_hint.setText(meaning)
        self.role.setAccessibleDescription(meaning)

    def set_role(self, role: Role) -> None:
        if self.role is not None:
            self.role.setCurrentIndex(self.role.findData(role.value))

    def selected_role(self) -> Role:
        return Role(self.role.currentData()) if self.role is not None else Role.ADMIN

    def precheck(self) -> dict[str, str]:
        """Messages found without asking the services (the policy and the repeat)."""
        problems: dict[str, str] = {}
        if not self.username.text().strip():
            problems["username"] = "required: the name this person signs in with"
        problems.update(self.passwords.problems())
        return problems

    def show_messages(self, messages: Mapping[str, str]) -> dict[str, str]:
        return self.fields.show_messages(messages)

    def form(self) -> NewUserForm:
        # Imported here: the sign-in screen uses these fields before the services are loaded.
        from frontdesk.services.practice.forms import NewUserForm

        return NewUserForm(
            username=self.username.text(),
            password=self.passwords.password.text(),
            role=self.selected_role(),
            display_name=self.display_name.text(),
        )

    def has_text(self) -> bool:
        return any(
            edit.text()
            for edit in (
                self.username,
                self.display_name,
                self.passwords.password,
                self.passwords.confirm,
            )
        )

    def first_field(self) -> QLineEdit:
        return self.username
