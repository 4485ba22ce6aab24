"""Signing in: the form the start-up dialog and the lock screen share, and the first admin."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.ui import APP_TITLE
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.account_fields import AccountFields, password_edit
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog

if TYPE_CHECKING:
    from frontdesk.services.kernel.context import ServiceContext
    from frontdesk.services.practice.forms import NewUserForm

# The services are imported inside the calls, on the runner's thread: the sign-in can show
# (and be typed into) while the database layer is still loading at start.


def sign_in_call(context: ServiceContext, username: str, password: str) -> Actor:
    """The app's own sign-in; where each person has their own database login, a new
    connection as that person (the server checks the password), joined to ``context``'s."""
    from frontdesk.services.platform.person_sign_in import base_url, sign_in_as_person
    from frontdesk.services.practice.sign_in import sign_in

    url = base_url(context.database)
    if url is not None:
        return sign_in_as_person(url, username, password, context.changes, context.logins).actor
    return sign_in(context, username, password)


def open_as_person(url: str, username: str, password: str) -> ServiceContext:
    """Per-person database logins: open the connection as the person signing in."""
    from frontdesk.services.platform.person_sign_in import sign_in_as_person

    return sign_in_as_person(url, username, password)


class SignInForm(QWidget):
    """User name and password; ``signed_in(Actor)`` once the services accept them.

    The password is checked on the runner (Argon2 takes a noticeable moment); wrong
    passwords, locked and deactivated accounts come back as the service's sentence.
    At start the form may show before the database is open (``screen`` None): it can be
    filled, and Sign in waits until ``set_screen`` brings the open database.
    """

    signed_in = Signal(object)  # Actor
    # Per-person database logins at start: the connection the sign-in opened, as the
    # person (a ServiceContext), just before signed_in.
    opened = Signal(object)
    # A message or problem appeared above the fields: the window holding the form grows.
    message_shown = Signal(str)

    def __init__(
        self,
        screen: ScreenContext | None,
        button_text: str = "Sign in",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.checking = False
        self.waiting_for_database = False
        # Set where each person has their own database login and nothing is open yet:
        # (user name, password) -> the ServiceContext of their connection, run on ``runner``.
        self.open_as_person: Callable[[str, str], ServiceContext] | None = None
        self.runner: Runner | None = None
        self.fields = FormFields()
        self.banner = Banner()
        self.username = line_edit("User name", max_length=60)
        self.password = password_edit("Password")
        self.sign_in_button = mark_primary(QPushButton(button_text))
        self.sign_in_button.setToolTip(f"{button_text} (Enter)")
        self.sign_in_button.setAccessibleName(button_text)
        self.sign_in_button.clicked.connect(self.submit)
        self.username.returnPressed.connect(self._next_from_username)
        self.password.returnPressed.connect(self.submit)
        form = form_layout()
        add_form_row(form, self.fields, "username", "User name", self.username)
        add_form_row(form, self.fields, "password", "Password", self.password)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.sign_in_button)
        layout.addLayout(self.buttons)

    def _next_from_username(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_first_empty(self) -> None:
        target = self.password if self.username.text() else self.username
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self.checking:
            return
        missing = {}
        if not self.username.text().strip():
            missing["username"] = "type your user name"
        if not self.password.text():
            missing["password"] = "type your password"
        if missing:
            self.fields.show_messages(missing)
            self.message_shown.emit("")
            return
        self.fields.clear_messages()
        self.checking = True
        self._enable(False)
        if self.screen is None and self.open_as_person is not None and self.runner is not None:
            self.say("Checking…")
            call = partial(self.open_as_person, self.username.text(), self.password.text())
            self.runner.run(call, self._opened, self._refused)
            return
        if self.screen is None:
            self.waiting_for_database = True
            self.say("Opening the practice database…")
            return
        self._check(self.screen)

    def set_screen(self, screen: ScreenContext) -> None:
        """The database is open: a Sign in pressed while it opened goes ahead now."""
        self.screen = screen
        if self.waiting_for_database:
            self.waiting_for_database = False
            self._check(screen)

    def _check(self, screen: ScreenContext) -> None:
        self.say("Checking…")
        call = partial(sign_in_call, screen.services, self.username.text(), self.password.text())
        screen.runner.run(call, self._accepted, self._refused)

    def _enable(self, enabled: bool) -> None:
        for widget in (self.username, self.password, self.sign_in_button):
            widget.setEnabled(enabled)

    def _accepted(self, actor: Actor) -> None:
        self.checking = False
        self._enable(True)
        self.banner.clear()
        self.password.clear()
        self.signed_in.emit(actor)

    def _opened(self, services: ServiceContext) -> None:
        self.opened.emit(services)
        self._accepted(services.actor)

    def _refused(self, message: str) -> None:
        self.checking = False
        self._enable(True)
        self.show_problem(message)
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def say(self, message: str) -> None:
        self.banner.show_message("info", message)
        self.message_shown.emit(message)

    def show_problem(self, message: str) -> None:
        self.banner.show_message("error", message)
        self.message_shown.emit(message)

    def clear(self) -> None:
        self.username.clear()
        self.password.clear()
        self.banner.clear()
        self.fields.clear_messages()


class SignInDialog(QDialog):
    """At start: who is at the desk. Enter signs in; Esc (or Quit) closes Front Desk."""

    signed_in = Signal(object)  # Actor

    def __init__(self, screen: ScreenContext | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen  # None until the database is open (see SignInForm)
        self.actor: Actor | None = None
        self.setWindowTitle(f"Sign in — {APP_TITLE}")
        self.setAccessibleName(f"Sign in to {APP_TITLE}")
        self.form = SignInForm(screen)
        self.form.signed_in.connect(self._signed_in)
        # A message makes the form taller: the dialog grows rather than squeezing the fields.
        self.form.message_shown.connect(lambda _message: self.adjustSize())
        self.quit_button = QPushButton("Quit")
        self.quit_button.setToolTip(f"Close {APP_TITLE} (Esc)")
        self.quit_button.clicked.connect(self.reject)
        self.form.buttons.insertWidget(0, self.quit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(plain_label(f"Sign in to {APP_TITLE}", "pageTitle"))
        layout.addWidget(
            plain_label(
                "Use your own account: what you open and change is recorded under your name.",
                "hint",
                wrap=True,
            )
        )
        layout.addSpacing(6)
        layout.addWidget(self.form)
        self.setMinimumWidth(480)
        self.form.username.setFocus()

    def set_screen(self, screen: ScreenContext) -> None:
        self.screen = screen
        self.form.set_screen(screen)

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.signed_in.emit(actor)
        self.done(QDialog.DialogCode.Accepted)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter belongs to the form (next field, then sign in), never to a default button.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.form.submit()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        # Quitting is fine while the database opens; not while the password is checked.
        if self.form.checking and not self.form.waiting_for_database:
            return
        super().reject()


def create_first_admin_and_sign_in(context: ServiceContext, form: NewUserForm) -> Actor:
    from frontdesk.services.practice.first_run import create_first_admin
    from frontdesk.services.practice.sign_in import sign_in

    create_first_admin(context, form)
    return sign_in(context, form.username, form.password)


class FirstAdminDialog(FormDialog):
    """A practice set up before accounts existed: create the first admin, then sign in."""

    signed_in = Signal(object)  # Actor
    NOT_DONE = "Not created"
    BUSY = "Creating the account…"
    DISCARD_TITLE = "Quit without an account?"
    DISCARD_TEXT = f"{APP_TITLE} cannot be used until the administrator account exists. Quit now?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.actor: Actor | None = None
        self.setWindowTitle(f"Create the administrator account — {APP_TITLE}")
        self.setAccessibleName("Create the administrator account")
        self.banner = Banner()
        self.account = AccountFields()
        self.save_button = mark_primary(QPushButton("Create account and sign in"))
        self.save_button.setToolTip("Create the account and start (Enter)")
        self.save_button.clicked.connect(self.save)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setToolTip(f"Close {APP_TITLE} (Esc)")
        self.quit_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(plain_label("Create the administrator account", "pageTitle"))
        layout.addWidget(
            plain_label(
                "Everyone signs in to Front Desk with their own account. Create the first one "
                "now: it is an administrator, who then adds an account for each colleague in "
                "Admin → Users.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addWidget(self.account)
        buttons = QHBoxLayout()
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(600)
        self.account.first_field().setFocus()
        self.mark_clean()

    def snapshot(self) -> bool:
        # It opens empty: anything typed is the work to keep.
        return self.account.has_text()

    def save(self) -> None:
        if self.saving:
            return
        problems = self.account.precheck()
        if problems:
            self.account.show_messages(problems)
            self.banner.show_message("error", "Not created yet: please correct the marked fields.")
            return
        self.begin_save()
        call = partial(create_first_admin_and_sign_in, self.screen.services, self.account.form())
        self.screen.runner.run(call, self._on_result, failure=self._on_error)

    def _on_result(self, result: Any) -> None:
        self.end_save()
        self.actor = result
        self.signed_in.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _on_error(self, error: Exception) -> None:
        if isinstance(error, ValidationError | ConflictError):
            self.end_save()
            fields = error.fields if isinstance(error, ValidationError) else {}
            unplaced = self.account.show_messages(fields)
            text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields"
            self.banner.show_message("error", f"Not created yet: {text}.")
        else:
            self.save_error(error)  # also a save whose reply was lost
