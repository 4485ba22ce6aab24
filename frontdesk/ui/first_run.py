"""First-run setup: the practice profile, at least one provider, their location and usual
weekly hours, and the first admin account, saved together."""

from __future__ import annotations

import itertools
from functools import partial
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.actor import Actor
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import complete_first_run, set_up_practice
from frontdesk.services.practice.forms import (
    LocationForm,
    NewUserForm,
    PracticeProfileData,
    PracticeProfileForm,
    ProviderForm,
)
from frontdesk.services.practice.profile import get_profile
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.scheduling.usual_hours import UsualHoursForm
from frontdesk.ui.admin.profile_form import PracticeProfileFields
from frontdesk.ui.first_run_hours import LocationHoursPage
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.account_fields import AccountFields
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FieldMessage,
    FormFields,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog, is_enter
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.widgets.scrolling import keep_focus_in_view

PROVIDER_FIELDS = (
    ("first_name", "First name *", ""),
    ("last_name", "Last name *", ""),
    ("credentials", "Credentials", "e.g. MD"),
    ("specialty", "Specialty", "e.g. Spine surgery"),
)


class ProviderRow(QFrame):
    """One provider's name, credentials and specialty, each with its message slot."""

    remove_requested = Signal(object)

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = FormFields()
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.title = plain_label("", "sectionTitle")
        grid.addWidget(self.title, 0, 0, 1, len(PROVIDER_FIELDS) - 1)
        for column, (key, caption, placeholder) in enumerate(PROVIDER_FIELDS):
            edit = line_edit("", placeholder)
            label = QLabel(caption)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setBuddy(edit)
            message = FieldMessage()
            grid.addWidget(label, 1, column)
            grid.addWidget(edit, 2, column)
            grid.addWidget(message, 3, column, Qt.AlignmentFlag.AlignTop)
            # A specialty ("Orthopedic spine surgery") is the longest of the four.
            grid.setColumnStretch(column, 2 if key == "specialty" else 1)
            self.edits[key] = edit
            self.messages[key] = message
            self.fields.add(key, edit, message)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        # Beside the row's title, so the four fields reach the right edge of Next below them
        # on every row (the first row has no Remove; its room is kept so the rows line up).
        policy = self.remove_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.remove_button.setSizePolicy(policy)
        grid.addWidget(self.remove_button, 0, len(PROVIDER_FIELDS) - 1, Qt.AlignmentFlag.AlignRight)
        self.set_number(number)

    def set_number(self, number: int) -> None:
        self.number = number
        self.title.setText(f"Provider {number}")
        for key, caption, _placeholder in PROVIDER_FIELDS:
            self.edits[key].setAccessibleName(f"Provider {number} {caption.rstrip(' *').lower()}")
        self.remove_button.setAccessibleName(f"Remove provider {number}")
        self.remove_button.setVisible(number > 1)

    def form(self) -> ProviderForm:
        return ProviderForm(**{key: edit.text() for key, edit in self.edits.items()})

    def is_blank(self) -> bool:
        return not any(clean_text(edit.text()) for edit in self.edits.values())


class ProvidersPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ProviderRow] = []
        self.list = QVBoxLayout()
        self.list.setSpacing(6)
        self.add_button = QPushButton("Add another provider")
        # Ctrl+N: "new item", as in the main window.
        self.add_button.setToolTip("Add a row for one more provider (Ctrl+N)")
        self.add_button.setShortcut("Ctrl+N")
        self.add_button.clicked.connect(self.add_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.add_row()

    def add_row(self) -> ProviderRow:
        row = ProviderRow(len(self.rows) + 1)
        row.remove_requested.connect(self.remove_row)
        self.rows.append(row)
        self.list.addWidget(row)
        row.show()  # now, not when the layout gets to it: Tab order skips hidden widgets
        self._order_tabs()
        row.edits["first_name"].setFocus()
        return row

    def _order_tabs(self) -> None:
        """Tab in reading order: each row's Remove (beside its title), its four fields, and
        after the last row "Add another provider" (made before any row, and a row added
        later would otherwise come after the dialog's buttons)."""
        chain: list[QWidget] = []
        for row in self.rows:
            if row.number > 1:
                chain.append(row.remove_button)
            chain.extend(row.edits[key] for key, _caption, _placeholder in PROVIDER_FIELDS)
        chain.append(self.add_button)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def remove_row(self, row: ProviderRow) -> None:
        if len(self.rows) <= 1:
            return
        self.rows.remove(row)
        self.list.removeWidget(row)
        row.deleteLater()
        for number, remaining in enumerate(self.rows, start=1):
            remaining.set_number(number)
        self._order_tabs()
        self.rows[-1].edits["first_name"].setFocus()

    def rows_to_save(self) -> list[ProviderRow]:
        """The first row always (so an empty one is reported); later rows unless left blank."""
        return [row for index, row in enumerate(self.rows) if index == 0 or not row.is_blank()]

    def has_text(self) -> bool:
        return any(not row.is_blank() for row in self.rows)


def set_up_and_sign_in(
    context: ServiceContext,
    profile: PracticeProfileForm,
    providers: list[ProviderForm],
    admin: NewUserForm,
    location: LocationForm | None = None,
    hours: UsualHoursForm | None = None,
) -> tuple[PracticeProfileData | None, Actor]:
    """The practice, its providers, their location and hours and the first admin in one
    transaction, then sign in."""
    set_up_practice(context, profile, providers, admin, location, hours)
    actor = sign_in(context, admin.username, admin.password)
    return get_profile(context.as_actor(actor)), actor


HOURS_STEP = 2
ACCOUNT_KEYS = frozenset({"username", "display_name", "password", "password_confirm", "role"})


def _scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return keep_focus_in_view(scroll)


class FirstRunDialog(FormDialog):
    """Keyboard first: Enter goes on (then finishes), Esc asks before discarding.

    With ``create_admin`` (no account exists yet) a third step creates the first admin
    account, saved in the same transaction as the practice; ``actor`` is then the signed-in
    admin. Without it (an admin already signed in), the practice and providers are saved.
    """

    completed = Signal(object)
    DISCARD_TITLE = "Discard the setup?"
    DISCARD_TEXT = (
        "What you typed will be lost and Front Desk will close. The practice is set up "
        "only when you finish every step."
    )

    STEPS = (
        (
            "Your practice",
            "Letters and handouts print these details. You can change them later in Admin.",
        ),
        (
            "Providers",
            "Add the surgeons and other providers who see patients: at least one now; "
            "you can add more later in Admin.",
        ),
        (
            "Where and when they see patients",
            "The first location and the providers' usual weekly hours, filled in with common "
            "ones: change them to yours. Booking offers times inside these hours.",
        ),
        (
            "Your administrator account",
            "You sign in to Front Desk with this account. As the administrator you add an "
            "account for each colleague later, in Admin → Users.",
        ),
    )

    def __init__(
        self, screen: ScreenContext, parent: QWidget | None = None, *, create_admin: bool = False
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.create_admin = create_admin
        self.actor: Actor | None = None
        self._saving_rows: list[ProviderRow] = []
        self.setWindowTitle("Set up Front Desk")
        self.setAccessibleName("Set up Front Desk")

        self.profile = PracticeProfileFields()
        self.providers = ProvidersPage()
        self.pages = QStackedWidget()
        self.pages.addWidget(_scrolling(self.profile))
        self.pages.addWidget(_scrolling(self.providers))
        self.hours = LocationHoursPage()
        self.pages.addWidget(_scrolling(self.hours))
        self.account = AccountFields()
        if create_admin:
            self.pages.addWidget(_scrolling(self.account))

        self.step_title = plain_label("", "sectionTitle")
        self.step_hint = plain_label("", "hint", wrap=True)
        self.banner = Banner()

        self.back_button = QPushButton("Back")
        self.back_button.setToolTip("Back to the previous step")
        self.next_button = mark_primary(QPushButton("Next"))
        self.next_button.setToolTip("Go on to the next step (Enter)")
        self.finish_button = mark_primary(QPushButton("Save and start"))
        self.finish_button.setToolTip(
            "Save the practice, providers, hours and your account (Enter)"
            if create_admin
            else "Save the practice, providers and hours (Enter)"
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close without setting up (Esc)")
        self.back_button.clicked.connect(lambda: self.go_to(max(0, self.step - 1)))
        self.next_button.clicked.connect(self.next_step)
        self.finish_button.clicked.connect(self.finish)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.addWidget(plain_label("Welcome to Front Desk", "pageTitle"))
        layout.addWidget(self.step_title)
        layout.addWidget(self.step_hint)
        layout.addWidget(self.banner)
        layout.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.finish_button)
        layout.addLayout(buttons)
        # A small or scaled screen (1280x800 at 150%): the pages scroll instead.
        fit_to_screen(self, QSize(820, 660))
        self.save_button = self.finish_button
        self.go_to(0)
        self.mark_clean()

    # Steps --------------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    @property
    def last_step(self) -> int:
        return self.pages.count() - 1

    def go_to(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        title, hint = self.STEPS[step]
        self.step_title.setText(f"Step {step + 1} of {self.last_step + 1}: {title}")
        self.step_hint.setText(hint)
        first, last = step == 0, step == self.last_step
        self.back_button.setVisible(not first)
        self.next_button.setVisible(not last)
        self.finish_button.setVisible(last)
        # Enter presses the one obvious next button.
        self.next_button.setDefault(not last)
        self.finish_button.setDefault(last)
        if step == 0:
            self.profile.name.setFocus()
        elif step == 1:
            self.providers.rows[0].edits["first_name"].setFocus()
        elif step == HOURS_STEP:
            self.hours.location_name.setFocus()
        else:
            self.account.first_field().setFocus()

    def next_step(self) -> None:
        if self.step == 0:
            problems = self.profile.precheck()
            self.profile.show_messages(problems)
            if problems:
                self.banner.show_message("error", "Please correct the marked fields.")
                return
        if self.step == HOURS_STEP:
            problems = self.hours.precheck()
            self.hours.fields.clear_messages()
            self.hours.show_messages(problems)
            if problems:
                self.banner.show_message("error", "Please correct the marked fields.")
                return
        self.banner.clear()
        self.go_to(min(self.step + 1, self.last_step))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter goes on to the next step; on the last one it saves, as in every form.
        focus = self.focusWidget()
        if is_enter(event) and self.step < self.last_step and not isinstance(focus, QPushButton):
            self.next_step()
            event.accept()
            return
        super().keyPressEvent(event)

    # Saving -------------------------------------------------------------------------------

    def save(self) -> None:
        self.finish()

    def finish(self) -> None:
        if self.saving:
            return
        if self.create_admin:
            problems = self.account.precheck()
            if problems:
                self.account.show_messages(problems)
                self.banner.show_message(
                    "error", "Not saved yet: please correct the marked fields."
                )
                return
        rows = self.providers.rows_to_save()
        for row in self.providers.rows:
            row.fields.clear_messages()
        self.profile.fields.clear_messages()
        self.hours.fields.clear_messages()
        self.account.fields.clear_messages()
        self.saving = True
        self._enable(False)
        self.banner.show_message("info", "Saving…")
        self._saving_rows = rows
        if self.create_admin:
            call: Any = partial(
                set_up_and_sign_in,
                self.screen.services,
                self.profile.form(),
                [row.form() for row in rows],
                self.account.form(),
                self.hours.location_form(),
                self.hours.hours_form_data(),
            )
        else:
            call = partial(
                complete_first_run,
                self.screen.services,
                self.profile.form(),
                [row.form() for row in rows],
                self.hours.location_form(),
                self.hours.hours_form_data(),
            )
        self.screen.runner.run(call, self._on_result, failure=self._on_error)

    def _enable(self, enabled: bool) -> None:
        for button in (self.back_button, self.finish_button, self.cancel_button):
            button.setEnabled(enabled)
        self.pages.setEnabled(enabled)

    def _on_result(self, result: Any) -> None:
        self.saving = False
        self._enable(True)
        self.banner.clear()
        if isinstance(result, tuple):
            result, self.actor = result
        self.completed.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _show_rejected(self, error: ValidationError | ConflictError) -> None:
        profile_messages: dict[str, str] = {}
        row_messages: dict[int, dict[str, str]] = {}
        account_messages: dict[str, str] = {}
        hours_messages: dict[str, str] = {}
        other: list[str] = []
        fields = error.fields if isinstance(error, ValidationError) else {}
        for key, message in fields.items():
            prefix, dot, name = key.partition(".")
            if dot and prefix.startswith("provider") and prefix[8:].isdigit():
                row_messages.setdefault(int(prefix[8:]), {})[name] = message
            elif key in self.hours.fields:
                hours_messages[key] = message
            elif key in self.profile.fields:
                profile_messages[key] = message
            elif self.create_admin and key in ACCOUNT_KEYS:
                account_messages[key] = message
            else:
                other.append(message)
        if account_messages:
            self.account.show_messages(account_messages)
        if hours_messages:
            self.hours.show_messages(hours_messages)
        # Provider messages first, so focus ends on the page the user is sent to.
        for index, messages in row_messages.items():
            if index < len(self._saving_rows):
                self._saving_rows[index].fields.show_messages(messages)
        if profile_messages:
            self.go_to(0)
            self.profile.show_messages(profile_messages)
        elif row_messages:
            self.go_to(1)
            first = min(row_messages)
            self._saving_rows[first].fields.show_messages(row_messages[first])
        elif hours_messages:
            self.go_to(HOURS_STEP)
            self.hours.show_messages(hours_messages)
        elif account_messages:
            self.go_to(HOURS_STEP + 1)
            self.account.show_messages(account_messages)
        summary = "; ".join(other) if other else "please correct the marked fields"
        self.banner.show_message("error", f"Not saved yet: {summary}.")

    def _on_error(self, error: Exception) -> None:
        self.saving = False
        self._enable(True)
        if isinstance(error, ValidationError | ConflictError):
            self._show_rejected(error)
        else:
            self.save_error(error)  # also a save whose reply was lost

    # Leaving ------------------------------------------------------------------------------

    def has_typed_data(self) -> bool:
        return (
            self.profile.has_text()
            or self.providers.has_text()
            or self.hours.has_text()
            or self.account.has_text()
        )

    def snapshot(self) -> bool:
        # The wizard opens empty: anything typed is the work to keep.
        return self.has_typed_data()
