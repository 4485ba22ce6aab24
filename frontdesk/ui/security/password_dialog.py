"""Passwords: "Change my password" for everyone, and an admin's reset of someone else's."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.practice.forms import UserData
from frontdesk.services.practice.sign_in import change_own_password
from frontdesk.services.practice.users import reset_password
from frontdesk.ui.runner import user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.account_fields import PasswordPair, password_edit
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog


class PasswordDialog(FormDialog):
    """A small form that sets a password: Enter saves, Esc asks before dropping typed text."""

    saved = Signal(object)
    DISCARD_TITLE = "Discard the new password?"
    DISCARD_TEXT = "The password was not changed. Close this window anyway?"

    def __init__(
        self, screen: ScreenContext, title: str, intro: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields = FormFields()
        self.banner = Banner()
        self.form = form_layout()
        self.buttons = self.save_cancel_buttons(save_text="Save password", default=False)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        # Paused while the practice server is unreachable; the typing stays in the form.
        self.follow_gate(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(title, "sectionTitle"))
        layout.addWidget(plain_label(intro, "hint", wrap=True))
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._baseline = False  # opens empty: any text typed is unsaved work

    # What each kind supplies.
    def precheck(self) -> dict[str, str]:
        raise NotImplementedError

    def call(self) -> Callable[[], Any]:
        raise NotImplementedError

    def has_text(self) -> bool:
        raise NotImplementedError

    def snapshot(self) -> bool:
        # A password typed is the work: the form opens empty and closes once saved.
        return self.has_text()

    def done_message(self) -> str:
        raise NotImplementedError

    def save(self) -> None:
        if self.save_refused():
            return
        problems = self.precheck()
        if problems:
            self.fields.show_messages(problems)
            self.banner.show_message("error", "Not saved: please correct the marked fields.")
            return
        self.fields.clear_messages()
        self.begin_save()
        self.screen.runner.run(self.call(), self._on_result, failure=self._on_error)

    def _on_result(self, result: Any) -> None:
        self.end_save()
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _on_error(self, error: Exception) -> None:
        self.end_save()
        if isinstance(error, ValidationError | ConflictError):
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.fields.show_messages(fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields"
            self.banner.show_message("error", f"Not saved: {text}.")
        else:
            self.banner.show_message("error", user_message(error))


class ChangePasswordDialog(PasswordDialog):
    """The signed-in user replaces their own password; the current one proves who they are."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        actor = screen.services.actor
        super().__init__(
            screen,
            "Change my password",
            f"For {actor.label} ({actor.username}). Type your current password, then the new "
            "one twice.",
            parent,
        )
        self.current = password_edit("Current password")
        add_form_row(self.form, self.fields, "current_password", "Current password *", self.current)
        self.passwords = PasswordPair(
            self.fields, "new_password", "New password", fixed_username=actor.username
        )
        self.passwords.add_rows(self.form, "New password *", "Repeat new password *")
        self.current.setFocus()

    def precheck(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if not self.current.text():
            problems["current_password"] = "type your current password"
        problems.update(self.passwords.problems())
        return problems

    def call(self) -> Callable[[], Any]:
        return partial(
            change_own_password,
            self.screen.services,
            self.current.text(),
            self.passwords.password.text(),
        )

    def _on_error(self, error: Exception) -> None:
        super()._on_error(error)
        message = user_message(error)
        if "current password" in message:
            # The service's refusal is about this field: say it there too.
            self.fields.show_messages({"current_password": message})
            self.current.clear()

    def has_text(self) -> bool:
        return bool(self.current.text() or self.passwords.password.text())

    def done_message(self) -> str:
        return "Your password was changed."


class ResetPasswordDialog(PasswordDialog):
    """An admin sets a new password for a colleague who forgot theirs (it also unlocks)."""

    def __init__(
        self, screen: ScreenContext, user: UserData, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            screen,
            f"Reset the password of {user.username}",
            f"A new password for {user.label} ({user.username}). Tell it to them in person; "
            "they can change it afterwards with Account → Change my password. A locked "
            "account is unlocked too.",
            parent,
        )
        self.user = user
        self.passwords = PasswordPair(
            self.fields, "new_password", "New password", fixed_username=user.username
        )
        self.passwords.add_rows(self.form, "New password *", "Repeat new password *")
        self.passwords.password.setFocus()

    def precheck(self) -> dict[str, str]:
        return self.passwords.problems()

    def call(self) -> Callable[[], Any]:
        service = partial(
            reset_password,
            self.screen.services,
            self.user.id,
            self.passwords.password.text(),
        )

        def reset() -> Any:
            try:
                return service()
            except ValidationError as error:
                # The service names the field "password"; this form calls it "new_password".
                renamed = {
                    ("new_password" if key == "password" else key): text
                    for key, text in error.fields.items()
                }
                raise ValidationError(renamed) from error

        return reset

    def has_text(self) -> bool:
        return bool(self.passwords.password.text())

    def done_message(self) -> str:
        return f"The password of {self.user.username} was reset."
