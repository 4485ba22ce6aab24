"""Admin: edit the practice profile; a save over someone else's newer save is refused."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.domain.scheduling import practice_zone
from frontdesk.services.kernel.changes import touches
from frontdesk.services.kernel.clock import STAMP, clock_text
from frontdesk.services.practice.forms import PracticeProfileData, PracticeProfileForm
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.ui.admin.profile_form import PracticeProfileFields, tidy_form
from frontdesk.ui.connection_monitor import (
    follow_saving_gate,
    saving_allowed,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormPanel

TABLES = frozenset({"practice_profile"})


class ProfileEditor(FormPanel):
    DISCARD_TEXT = "The practice profile has changes that are not saved. Discard them?"
    loaded = Signal()
    saved = Signal(object)

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.can_edit = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.version: int | None = None
        self.profile: PracticeProfileData | None = None

        self.banner = Banner()
        self.fields = PracticeProfileFields()
        self.last_change = plain_label("", "hint")
        self.save_button = mark_primary(QPushButton("Save changes"))
        self.save_button.setToolTip("Save the practice profile (Enter)")
        self.save_button.setAccessibleName("Save practice profile")
        self.save_button.clicked.connect(self.save)
        self.undo_button = QPushButton("Undo changes")
        self.undo_button.setToolTip("Put back the saved profile")
        self.undo_button.clicked.connect(self.undo)
        self.fields.edited.connect(self._update_buttons)
        # Paused while the practice server is unreachable; the typing stays in the form.
        follow_saving_gate(self.save_button, lambda: self.saving, ready=lambda: self.can_edit)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(16, 16, 16, 16)
        inner.addWidget(plain_label("Practice profile", "sectionTitle"))
        inner.addWidget(
            plain_label(
                "Letters, handouts and day sheets print this letterhead.", "hint", wrap=True
            )
        )
        inner.addWidget(self.banner)
        inner.addWidget(self.fields)
        self.last_change.setWordWrap(True)
        inner.addWidget(self.last_change)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        inner.addLayout(buttons)
        inner.addStretch(1)
        self.show_scrolling(content, 760)

        if not self.can_edit:
            self.fields.set_editable(False)
            self.save_button.hide()
            self.undo_button.hide()
            self.banner.show_message("info", "Only an administrator can change the profile.")
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload()

    def reload(self) -> None:
        self.screen.runner.run(
            partial(get_profile, self.screen.services), self._show, self._load_failed
        )

    def _show(self, profile: PracticeProfileData | None) -> None:
        self.profile = profile
        if profile is not None:
            self.fields.load(profile)
            self.version = profile.version
            when = clock_text(profile.updated_at, practice_zone(profile.time_zone), STAMP)
            self.last_change.setText(f"Last changed by {profile.updated_by or 'setup'} at {when}")
        else:
            self.version = None
            self.last_change.setText("Not set up yet")
        self.mark_clean()
        self._update_buttons()
        self.loaded.emit()

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not load the practice profile. {message}")

    def snapshot(self) -> PracticeProfileForm:
        return tidy_form(self.fields.form())

    def _update_buttons(self) -> None:
        modified = self.has_unsaved_changes()
        self.save_button.setEnabled(self.can_edit and not self.saving and saving_allowed())
        self.undo_button.setEnabled(modified and not self.saving)

    def save(self) -> None:
        if not self.can_edit or self.save_refused():
            return
        self.saving = True
        self._update_buttons()
        self.banner.show_message("info", "Saving…")
        call = partial(save_profile, self.screen.services, self.fields.form(), self.version)
        self.screen.runner.run(call, self._on_saved, failure=self._on_failed)

    def _on_saved(self, result: Any) -> None:
        self.saving = False
        self._show(result)
        when = clock_text(result.updated_at, practice_zone(result.time_zone), "%H:%M")
        self.banner.show_message("success", f"Saved at {when}.")
        self.saved.emit(result)

    def _show_rejected(self, error: ValidationError | ConflictError) -> None:
        if isinstance(error, ConflictError):
            self.banner.show_message(
                "error",
                f"Not saved. {error} Your text is still in the form; "
                "“Load their version” replaces it with what is saved now.",
                ("Load their version", self.reload),
            )
            return
        unplaced = self.fields.show_messages(error.fields)
        text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
        self.banner.show_message("error", f"Not saved: {text}")

    def _on_failed(self, error: Exception) -> None:
        self.saving = False
        self._update_buttons()
        if isinstance(error, ValidationError | ConflictError):
            self._show_rejected(error)
        else:
            self.save_error(error)  # also a save whose reply was lost

    def undo(self) -> None:
        if self.profile is not None:
            self.fields.load(self.profile)
        self.banner.clear()
        self._update_buttons()

    def _on_changed(self, tables: frozenset[str]) -> None:
        # Someone's edits in progress are never overwritten; a later Save reports the conflict.
        if touches(tables, TABLES) and not self.has_unsaved_changes() and not self.saving:
            self.reload()
